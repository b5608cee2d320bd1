#pragma once
/// Validation of tool arguments against the JSON Schema a tool declares. Covers the part
/// of JSON Schema takt's tools use: type, properties, required, additionalProperties,
/// minLength/maxLength, minimum/maximum, enum, items, minItems/maxItems, minProperties,
/// format "date".
/// Pure and thread-safe.

#include <rapidjson/document.h>

#include <memory>
#include <optional>
#include <string>

namespace takt::things {

/// A schema read once, so that checking a value looks nothing up by name (tools' input
/// schemas are checked on every call). Immutable after construction.
class Schema {
 public:
  explicit Schema(const rapidjson::Value& schema);
  ~Schema();
  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;
  /// As validate() below.
  std::optional<std::string> validate(const rapidjson::Value& value, const std::string& path = "") const;

 private:
  struct Node;
  std::unique_ptr<Node> root_;
};

/// Returns nullopt when `value` matches `schema`, otherwise a message naming the field
/// (`title: expected a string, got a number`).
std::optional<std::string> validate(const rapidjson::Value& schema, const rapidjson::Value& value,
                                    const std::string& path = "");

}  // namespace takt::things
