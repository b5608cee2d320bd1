#include "base/json.hpp"

#include <cstring>

namespace takt::json {

std::string dump(const rapidjson::Value& v) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  v.Accept(w);
  return {sb.GetString(), sb.GetSize()};
}

std::string quote(std::string_view s) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  return {sb.GetString(), sb.GetSize()};
}

const rapidjson::Value* member(const rapidjson::Value& obj, std::string_view name) {
  if (!obj.IsObject()) return nullptr;
  for (const auto& m : obj.GetObject())  // lengths first: most names differ there
    if (m.name.GetStringLength() == name.size() && std::memcmp(m.name.GetString(), name.data(), name.size()) == 0)
      return &m.value;
  return nullptr;
}

std::optional<std::string_view> get_string(const rapidjson::Value& obj, std::string_view name) {
  auto* v = member(obj, name);
  if (!v || !v->IsString()) return std::nullopt;
  return std::string_view(v->GetString(), v->GetStringLength());
}

std::optional<long long> get_int(const rapidjson::Value& obj, std::string_view name) {
  auto* v = member(obj, name);
  if (!v || !v->IsInt64()) return std::nullopt;
  return v->GetInt64();
}

std::optional<bool> get_bool(const rapidjson::Value& obj, std::string_view name) {
  auto* v = member(obj, name);
  if (!v || !v->IsBool()) return std::nullopt;
  return v->GetBool();
}

namespace {
/// True when the backslash at `at` starts an escape (it is not itself escaped).
bool escape_at(std::string_view text, std::size_t at) {
  std::size_t before = 0;
  while (before < at && text[at - 1 - before] == '\\') ++before;
  return before % 2 == 0;
}
/// The code unit of the `\uXXXX` escape at `at`, or -1.
long unit_at(std::string_view text, std::size_t at) {
  if (at + 6 > text.size() || text[at] != '\\' || text[at + 1] != 'u' || !escape_at(text, at)) return -1;
  long v = 0;
  for (std::size_t i = at + 2; i < at + 6; ++i) {
    const char c = text[i];
    const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0) return -1;
    v = v * 16 + d;
  }
  return v;
}
}  // namespace

std::size_t lone_low_surrogate(std::string_view text) {
  for (auto at = text.find("\\u"); at != std::string_view::npos; at = text.find("\\u", at + 2)) {
    const long unit = unit_at(text, at);
    if (unit < 0xDC00 || unit > 0xDFFF) continue;
    const long before = at >= 6 ? unit_at(text, at - 6) : -1;
    if (before < 0xD800 || before > 0xDBFF) return at;
  }
  return std::string_view::npos;
}

}  // namespace takt::json
