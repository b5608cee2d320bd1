#include "things/catalog/schema.hpp"

#include "base/json.hpp"
#include "things/data/dates.hpp"

#include <utility>
#include <vector>

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

/// One schema node, read once: every keyword looked up by name here, never per call.
struct Schema::Node {
  std::optional<std::string> type;
  std::shared_ptr<rapidjson::Document> options;  ///< `enum`, copied; null when absent
  std::string options_list;                      ///< the options as the error lists them
  std::optional<long long> min_length, max_length, min_items, max_items, min_properties;
  bool date = false;
  std::optional<double> minimum, maximum;
  std::string minimum_text, maximum_text;
  std::unique_ptr<Node> items;
  std::vector<std::string> required;
  bool closed = false;  ///< additionalProperties: false
  std::vector<std::pair<std::string, std::unique_ptr<Node>>> properties;
  std::string property_list;

  explicit Node(const rapidjson::Value& schema) {
    if (auto t = json::get_string(schema, "type")) type = std::string(*t);
    if (auto* o = json::member(schema, "enum"); o && o->IsArray()) {
      options = std::make_shared<rapidjson::Document>();
      options->CopyFrom(*o, options->GetAllocator());
      for (const auto& v : o->GetArray()) options_list += (options_list.empty() ? "" : ", ") + json::dump(v);
    }
    min_length = json::get_int(schema, "minLength");
    max_length = json::get_int(schema, "maxLength");
    date = json::get_string(schema, "format") == std::optional<std::string_view>("date");
    if (auto* m = json::member(schema, "minimum"); m && m->IsNumber()) minimum = m->GetDouble(), minimum_text = json::dump(*m);
    if (auto* m = json::member(schema, "maximum"); m && m->IsNumber()) maximum = m->GetDouble(), maximum_text = json::dump(*m);
    min_items = json::get_int(schema, "minItems");
    max_items = json::get_int(schema, "maxItems");
    if (auto* i = json::member(schema, "items"); i && i->IsObject()) items = std::make_unique<Node>(*i);
    const auto* props = json::member(schema, "properties");
    property_list = property_names(props);
    if (props && props->IsObject())
      for (const auto& p : props->GetObject())
        properties.emplace_back(std::string(p.name.GetString(), p.name.GetStringLength()), std::make_unique<Node>(p.value));
    min_properties = json::get_int(schema, "minProperties");
    if (auto* r = json::member(schema, "required"); r && r->IsArray())
      for (const auto& name : r->GetArray())
        if (name.IsString()) required.emplace_back(name.GetString(), name.GetStringLength());
    closed = json::get_bool(schema, "additionalProperties") == false;
  }

  const Node* property(std::string_view name) const {
    for (const auto& [n, node] : properties)
      if (n == name) return node.get();
    return nullptr;
  }

  std::optional<std::string> check(const rapidjson::Value& value, const std::string& path) const {
    if (type && !has_type(value, *type)) {
      // 5e0 and 5.0 are numbers to the JSON parser: say how to write the integer.
      if (*type == "integer" && value.IsDouble())
        return field(path) + ": expected an integer written without a decimal point or exponent (such as 5), got " +
               json::dump(value);
      std::string expected = (*type == "integer" || *type == "array" || *type == "object") ? "an " : "a ";
      return field(path) + ": expected " + expected + *type + ", got " + type_of(value);
    }
    if (options) {
      bool found = false;
      for (const auto& o : options->GetArray()) found = found || o == value;
      if (!found) return field(path) + ": must be one of " + options_list;
    }
    if (value.IsString()) {
      const auto len = static_cast<long long>(utf8_length(value));
      if (min_length && len < *min_length)
        return field(path) +
               (*min_length == 1 ? ": must not be empty" : ": must be at least " + std::to_string(*min_length) + " characters");
      if (max_length && len > *max_length)
        return field(path) + ": must be at most " + std::to_string(*max_length) + " characters";
      if (date && !parse_iso_date(std::string_view(value.GetString(), value.GetStringLength())))
        return field(path) + ": must be a date written YYYY-MM-DD";
    }
    if (value.IsNumber()) {
      if (minimum && value.GetDouble() < *minimum) return field(path) + ": must be at least " + minimum_text;
      if (maximum && value.GetDouble() > *maximum) return field(path) + ": must be at most " + maximum_text;
    }
    if (value.IsArray()) {
      const auto size = static_cast<long long>(value.Size());
      if (min_items && size < *min_items)
        return field(path) + ": must have at least " + std::to_string(*min_items) + " items";
      if (max_items && size > *max_items)
        return field(path) + ": must have at most " + std::to_string(*max_items) + " items";
      if (items) {
        for (rapidjson::SizeType i = 0; i < value.Size(); ++i)
          if (auto err = items->check(value[i], field(path) + "[" + std::to_string(i) + "]")) return err;
      }
    }
    if (value.IsObject()) {
      if (min_properties && static_cast<long long>(value.MemberCount()) < *min_properties)
        return field(path) + ": must have at least " +
               (*min_properties == 1 ? std::string("one") : std::to_string(*min_properties)) + " of: " + property_list;
      for (const auto& r : required)
        if (!value.HasMember(rapidjson::StringRef(r.data(), static_cast<rapidjson::SizeType>(r.size()))))
          return (path.empty() ? std::string{} : path + ".") + r + ": is required";
      for (const auto& m : value.GetObject()) {
        const std::string_view name(m.name.GetString(), m.name.GetStringLength());
        const Node* prop = property(name);
        if (!prop && !closed) continue;
        const std::string sub = path.empty() ? std::string(name) : path + "." + std::string(name);
        if (!prop) return sub + ": is not a known argument";
        if (auto err = prop->check(m.value, sub)) return err;
      }
    }
    return std::nullopt;
  }
};

Schema::Schema(const rapidjson::Value& schema) : root_(std::make_unique<Node>(schema)) {}
Schema::~Schema() = default;

std::optional<std::string> Schema::validate(const rapidjson::Value& value, const std::string& path) const {
  return root_->check(value, path);
}

std::optional<std::string> validate(const rapidjson::Value& schema, const rapidjson::Value& value, const std::string& path) {
  return Schema(schema).validate(value, path);
}

}  // namespace takt::things
