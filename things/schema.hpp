#pragma once
/// Validation of tool arguments against the JSON Schema a tool declares. Covers the part
/// of JSON Schema takt's tools use: type, properties, required, additionalProperties,
/// minLength/maxLength, minimum/maximum, enum, items, minItems/maxItems, minProperties,
/// format "date".
/// Pure and thread-safe.

#include <rapidjson/document.h>

#include <optional>
#include <string>

namespace takt::things {

/// Returns nullopt when `value` matches `schema`, otherwise a message naming the field
/// (`title: expected a string, got a number`).
std::optional<std::string> validate(const rapidjson::Value& schema, const rapidjson::Value& value,
                                    const std::string& path = "");

}  // namespace takt::things
