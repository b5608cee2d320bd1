#pragma once
/// Small RapidJSON helpers shared by the protocol and the tools. Stateless, thread-safe.

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <optional>
#include <string>
#include <string_view>

namespace takt::json {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

/// The JSON text of a value.
std::string dump(const rapidjson::Value& v);
/// A JSON string literal for `s` (quotes included).
std::string quote(std::string_view s);

/// Typed look-ups that never assert: a missing member or one of another type is nullopt.
/// Of a repeated name the first counts.
const rapidjson::Value* member(const rapidjson::Value& obj, std::string_view name);
std::optional<std::string_view> get_string(const rapidjson::Value& obj, std::string_view name);
std::optional<long long> get_int(const rapidjson::Value& obj, std::string_view name);
std::optional<bool> get_bool(const rapidjson::Value& obj, std::string_view name);

/// The byte offset of a `\uDC00`..`\uDFFF` escape that does not follow a high surrogate
/// escape, or npos. RapidJSON 1.1 refuses a lone high surrogate but takes a lone low one
/// and stores it as bytes that are not UTF-8 (which takt would then echo to the client).
std::size_t lone_low_surrogate(std::string_view text);

}  // namespace takt::json
