#include "things/schema.hpp"

#include "mcp/json.hpp"
#include "things/dates.hpp"

namespace takt::things {
namespace {

const char* type_of(const rapidjson::Value& v) {
  if (v.IsNull()) return "null";
  if (v.IsBool()) return "a boolean";
  if (v.IsString()) return "a string";
  if (v.IsInt64() || v.IsUint64()) return "an integer";
  if (v.IsNumber()) return "a number";
  if (v.IsArray()) return "an array";
  return "an object";
}

bool has_type(const rapidjson::Value& v, std::string_view type) {
  if (type == "object") return v.IsObject();
  if (type == "array") return v.IsArray();
  if (type == "string") return v.IsString();
  if (type == "integer") return v.IsInt64() || v.IsUint64();
  if (type == "number") return v.IsNumber();
  if (type == "boolean") return v.IsBool();
  if (type == "null") return v.IsNull();
  return false;
}

std::string field(const std::string& path) { return path.empty() ? "arguments" : path; }

std::size_t utf8_length(const rapidjson::Value& s) {
  std::size_t n = 0;
  const char* p = s.GetString();
  for (rapidjson::SizeType i = 0; i < s.GetStringLength(); ++i)
    if ((static_cast<unsigned char>(p[i]) & 0xC0) != 0x80) ++n;
  return n;
}

/// "a, b, c": the names a schema's properties declare.
std::string property_names(const rapidjson::Value* props) {
  std::string names;
  if (props && props->IsObject())
    for (const auto& p : props->GetObject()) names += (names.empty() ? "" : ", ") + std::string(p.name.GetString());
  return names;
}

}  // namespace

std::optional<std::string> validate(const rapidjson::Value& schema, const rapidjson::Value& value, const std::string& path) {
  if (auto type = json::get_string(schema, "type")) {
    if (!has_type(value, *type)) {
      std::string expected = (*type == "integer" || *type == "array" || *type == "object") ? "an " : "a ";
      return field(path) + ": expected " + expected + std::string(*type) + ", got " + type_of(value);
    }
  }
  if (auto* options = json::member(schema, "enum"); options && options->IsArray()) {
    bool found = false;
    std::string list;
    for (const auto& o : options->GetArray()) {
      if (o == value) found = true;
      list += (list.empty() ? "" : ", ") + json::dump(o);
    }
    if (!found) return field(path) + ": must be one of " + list;
  }
  if (value.IsString()) {
    const auto len = utf8_length(value);
    if (auto min = json::get_int(schema, "minLength"); min && static_cast<long long>(len) < *min)
      return field(path) + (*min == 1 ? ": must not be empty" : ": must be at least " + std::to_string(*min) + " characters");
    if (auto max = json::get_int(schema, "maxLength"); max && static_cast<long long>(len) > *max)
      return field(path) + ": must be at most " + std::to_string(*max) + " characters";
    if (auto fmt = json::get_string(schema, "format"); fmt && *fmt == "date" &&
        !parse_iso_date(std::string_view(value.GetString(), value.GetStringLength())))
      return field(path) + ": must be a date written YYYY-MM-DD";
  }
  if (value.IsNumber()) {
    if (auto* min = json::member(schema, "minimum"); min && min->IsNumber() && value.GetDouble() < min->GetDouble())
      return field(path) + ": must be at least " + json::dump(*min);
    if (auto* max = json::member(schema, "maximum"); max && max->IsNumber() && value.GetDouble() > max->GetDouble())
      return field(path) + ": must be at most " + json::dump(*max);
  }
  if (value.IsArray()) {
    if (auto min = json::get_int(schema, "minItems"); min && static_cast<long long>(value.Size()) < *min)
      return field(path) + ": must have at least " + std::to_string(*min) + " items";
    if (auto max = json::get_int(schema, "maxItems"); max && static_cast<long long>(value.Size()) > *max)
      return field(path) + ": must have at most " + std::to_string(*max) + " items";
    if (auto* items = json::member(schema, "items"); items && items->IsObject()) {
      for (rapidjson::SizeType i = 0; i < value.Size(); ++i)
        if (auto err = validate(*items, value[i], field(path) + "[" + std::to_string(i) + "]")) return err;
    }
  }
  if (value.IsObject()) {
    const auto* props = json::member(schema, "properties");
    if (auto min = json::get_int(schema, "minProperties"); min && static_cast<long long>(value.MemberCount()) < *min)
      return field(path) + ": must have at least " + (*min == 1 ? std::string("one") : std::to_string(*min)) +
             " of: " + property_names(props);
    if (auto* required = json::member(schema, "required"); required && required->IsArray()) {
      for (const auto& r : required->GetArray())
        if (r.IsString() && !value.HasMember(r))
          return (path.empty() ? std::string{} : path + ".") + r.GetString() + ": is required";
    }
    const bool closed = json::get_bool(schema, "additionalProperties") == false;
    for (const auto& m : value.GetObject()) {
      const std::string name(m.name.GetString(), m.name.GetStringLength());
      const std::string sub = path.empty() ? name : path + "." + name;
      // Looked up by the whole name: a name holding a NUL ("title\u0000x") is not "title".
      const rapidjson::Value* prop = nullptr;
      if (props && props->IsObject())
        if (auto it = props->FindMember(m.name); it != props->MemberEnd()) prop = &it->value;
      if (!prop) {
        if (closed) return sub + ": is not a known argument";
        continue;
      }
      if (auto err = validate(*prop, m.value, sub)) return err;
    }
  }
  return std::nullopt;
}

}  // namespace takt::things
