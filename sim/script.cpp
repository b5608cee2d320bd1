#include "script.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <set>

#include "sim.hpp"

namespace takt::sim {

namespace {

using rapidjson::Value;

std::string as_string(const Value& value) { return std::string(value.GetString(), value.GetStringLength()); }

// Reads the fields of one op object, remembering which ones it consumed so that unknown
// fields can be rejected (a typo such as "dedline" must not be silently ignored).
class OpReader {
 public:
  OpReader(const Value& object, std::size_t position, std::string name)
      : object_(object), where_("op " + std::to_string(position) + " (" + name + ")") {
    consumed_.insert("op");
  }

  std::string required_string(const char* key) {
    auto value = optional_string(key);
    if (!value) fail(std::string("missing required field \"") + key + "\"");
    return *value;
  }

  std::optional<std::string> optional_string(const char* key) {
    const Value* value = find(key);
    if (value == nullptr) return std::nullopt;
    if (!value->IsString()) fail(std::string("field \"") + key + "\" must be a string");
    return as_string(*value);
  }

  std::vector<std::string> optional_string_array(const char* key) {
    const Value* value = find(key);
    if (value == nullptr) return {};
    if (!value->IsArray()) fail(std::string("field \"") + key + "\" must be an array of strings");
    std::vector<std::string> items;
    for (const Value& item : value->GetArray()) {
      if (!item.IsString()) fail(std::string("field \"") + key + "\" must be an array of strings");
      items.push_back(as_string(item));
    }
    return items;
  }

  void reject_unknown_fields() const {
    for (const auto& member : object_.GetObject()) {
      const std::string key = as_string(member.name);
      if (!consumed_.contains(key)) fail("unknown field \"" + key + "\"");
    }
  }

 private:
  // Returns the member, or nullptr when absent or JSON null.
  const Value* find(const char* key) {
    consumed_.insert(key);
    const auto member = object_.FindMember(key);
    if (member == object_.MemberEnd() || member->value.IsNull()) return nullptr;
    return &member->value;
  }

  [[noreturn]] void fail(const std::string& problem) const { throw ScriptError(where_ + ": " + problem); }

  const Value& object_;
  std::string where_;
  std::set<std::string> consumed_;
};

Op read_add_todo(OpReader& reader) {
  AddTodo op;
  op.title = reader.required_string("title");
  op.notes = reader.optional_string("notes");
  op.when = reader.optional_string("when");
  op.deadline = reader.optional_string("deadline");
  op.tags = reader.optional_string_array("tags");
  op.project = reader.optional_string("project");
  op.area = reader.optional_string("area");
  op.heading = reader.optional_string("heading");
  op.checklist = reader.optional_string_array("checklist");
  return op;
}

Op read_add_project(OpReader& reader) {
  AddProject op;
  op.title = reader.required_string("title");
  op.notes = reader.optional_string("notes");
  op.area = reader.optional_string("area");
  op.when = reader.optional_string("when");
  return op;
}

Op read_update_todo(OpReader& reader) {
  UpdateTodo op;
  op.id = reader.required_string("id");
  op.title = reader.optional_string("title");
  op.notes = reader.optional_string("notes");
  return op;
}

Op read_op(const Value& value, std::size_t position) {
  const std::string where = "op " + std::to_string(position);
  if (!value.IsObject()) throw ScriptError(where + ": must be an object");
  const auto name_member = value.FindMember("op");
  if (name_member == value.MemberEnd() || !name_member->value.IsString()) {
    throw ScriptError(where + ": missing string field \"op\"");
  }
  const std::string name = as_string(name_member->value);
  OpReader reader(value, position, name);
  Op op;
  if (name == "add_todo") {
    op = read_add_todo(reader);
  } else if (name == "add_project") {
    op = read_add_project(reader);
  } else if (name == "complete" || name == "cancel") {
    op = SetStatus{reader.required_string("id"), name == "complete" ? 3 : 2};
  } else if (name == "trash") {
    op = Trash{reader.required_string("id")};
  } else if (name == "update_todo") {
    op = read_update_todo(reader);
  } else {
    throw ScriptError(where + ": unknown op \"" + name +
                      "\" (known: add_todo, add_project, complete, cancel, trash, update_todo)");
  }
  reader.reject_unknown_fields();
  return op;
}

}  // namespace

std::vector<Op> parse_script(std::string_view text) {
  rapidjson::Document doc;
  // Iterative parsing: a deeply nested script cannot overflow the stack.
  doc.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(text.data(), text.size());
  if (doc.HasParseError()) {
    throw ScriptError("malformed JSON at offset " + std::to_string(doc.GetErrorOffset()) + ": " +
                      rapidjson::GetParseError_En(doc.GetParseError()));
  }
  if (!doc.IsObject()) throw ScriptError("the script must be a JSON object {\"ops\":[...]}");
  for (const auto& member : doc.GetObject()) {
    if (as_string(member.name) != "ops") {
      throw ScriptError("unknown top-level field \"" + as_string(member.name) + "\"");
    }
  }
  const auto ops_member = doc.FindMember("ops");
  if (ops_member == doc.MemberEnd() || !ops_member->value.IsArray()) {
    throw ScriptError("the script needs an array field \"ops\"");
  }
  std::vector<Op> ops;
  std::size_t position = 0;
  for (const Value& value : ops_member->value.GetArray()) {
    ops.push_back(read_op(value, position++));
  }
  return ops;
}

std::string results_json(const std::vector<OpResult>& results) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("results");
  writer.StartArray();
  for (const OpResult& result : results) {
    writer.StartObject();
    writer.Key("ok");
    writer.Bool(result.ok);
    writer.Key(result.ok ? "id" : "error");
    writer.String(result.value.data(), static_cast<rapidjson::SizeType>(result.value.size()));
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace takt::sim
