#include "mcp/json.hpp"

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

}  // namespace takt::json
