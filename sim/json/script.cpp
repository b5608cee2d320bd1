#include "script.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <iterator>
#include <memory>
#include <set>
#include <utility>

#include "sim.hpp"

namespace takt::sim {

namespace {

using rapidjson::Value;

std::string as_string(const Value& value) { return std::string(value.GetString(), value.GetStringLength()); }

// Reads the fields of one op object, remembering which ones it consumed so that unknown
// fields can be rejected (a typo such as "dedline" must not be silently ignored).
class OpReader {
 public:
  // `script` owns `object` (the parsed script), for fields kept as JSON (read's args).
  OpReader(const Value& object, std::size_t position, const std::string& name,
           std::shared_ptr<const rapidjson::Document> script)
      : object_(object), where_("op " + std::to_string(position) + " (" + name + ")"), script_(std::move(script)) {
    consumed_.insert("op");
  }

  std::string required_string(const char* key) {
    auto value = optional_string(key);
    if (!value) fail(std::string("missing required field \"") + key + "\"");
    return *value;
  }

  // Absent or null: nullopt (add_*/create_* ops).
  std::optional<std::string> optional_string(const char* key) {
    const Value* value = find(key);
    if (value == nullptr || value->IsNull()) return std::nullopt;
    if (!value->IsString()) fail(std::string("field \"") + key + "\" must be a string");
    return as_string(*value);
  }

  // An update field that cannot be cleared: absent means unchanged, null is an error.
  std::optional<std::string> update_string(const char* key) {
    reject_null(key);
    return optional_string(key);
  }

  // An update field where null clears.
  Clearable clearable_string(const char* key) {
    const Value* value = find(key);
    if (value == nullptr) return {};
    if (value->IsNull()) return {true, std::nullopt};
    return {true, optional_string(key)};
  }

  // Absent or null: empty.
  std::vector<std::string> optional_string_array(const char* key) {
    return string_array(key).value_or(std::vector<std::string>{});
  }

  // An update list that replaces a whole set: absent means unchanged, null is an error,
  // [] empties the set.
  std::optional<std::vector<std::string>> update_string_array(const char* key) {
    reject_null(key);
    return string_array(key);
  }

  // An update list that adds or removes items: absent or [] change nothing.
  std::vector<std::string> update_string_list(const char* key) {
    reject_null(key);
    return optional_string_array(key);
  }

  // An update list of checklist items {"title":S, "completed":BOOL}: absent means
  // unchanged, null is an error, [] empties the checklist.
  std::optional<std::vector<ChecklistEntry>> update_checklist_entries(const char* key) {
    reject_null(key);
    const Value* value = find(key);
    if (value == nullptr) return std::nullopt;
    const std::string shape = std::string("field \"") + key +
                              "\" must be an array of objects {\"title\": string, \"completed\": boolean}";
    if (!value->IsArray()) fail(shape);
    std::vector<ChecklistEntry> entries;
    for (const Value& item : value->GetArray()) {
      if (!item.IsObject()) fail(shape);
      ChecklistEntry entry;
      for (const auto& member : item.GetObject()) {
        const std::string name = as_string(member.name);
        if (name == "title" && member.value.IsString()) entry.title = as_string(member.value);
        else if (name == "completed" && member.value.IsBool()) entry.completed = member.value.GetBool();
        else fail(shape);
      }
      if (!item.HasMember("title")) fail(shape);
      entries.push_back(std::move(entry));
    }
    return entries;
  }

  // An object kept as JSON: absent means {}, null or another type is an error. The
  // pointer shares ownership of the parsed script, so nothing is copied.
  std::shared_ptr<const Value> optional_object(const char* key) {
    static const Value empty_object(rapidjson::kObjectType);
    const Value* value = find(key);
    if (value == nullptr) return std::shared_ptr<const Value>(std::shared_ptr<const void>(), &empty_object);
    if (!value->IsObject()) fail(std::string("field \"") + key + "\" must be an object");
    return std::shared_ptr<const Value>(script_, value);
  }

  void reject_unknown_fields() const {
    for (const auto& member : object_.GetObject()) {
      const std::string key = as_string(member.name);
      if (!consumed_.contains(key)) fail("unknown field \"" + key + "\"");
    }
  }

 private:
  // Returns the member (possibly JSON null), or nullptr when absent.
  const Value* find(const char* key) {
    consumed_.insert(key);
    const auto member = object_.FindMember(key);
    if (member == object_.MemberEnd()) return nullptr;
    return &member->value;
  }

  void reject_null(const char* key) {
    const Value* value = find(key);
    if (value != nullptr && value->IsNull()) {
      fail(std::string("field \"") + key + "\" cannot be null (leave it out to keep the value)");
    }
  }

  std::optional<std::vector<std::string>> string_array(const char* key) {
    const Value* value = find(key);
    if (value == nullptr || value->IsNull()) return std::nullopt;
    if (!value->IsArray()) fail(std::string("field \"") + key + "\" must be an array of strings");
    std::vector<std::string> items;
    for (const Value& item : value->GetArray()) {
      if (!item.IsString()) fail(std::string("field \"") + key + "\" must be an array of strings");
      items.push_back(as_string(item));
    }
    return items;
  }

  [[noreturn]] void fail(const std::string& problem) const { throw ScriptError(where_ + ": " + problem); }

  const Value& object_;
  std::string where_;
  std::shared_ptr<const rapidjson::Document> script_;
  std::set<std::string> consumed_;
};

Op read_add_todo(OpReader& reader) {
  AddTodo op;
  op.title = reader.required_string("title");
  op.notes = reader.optional_string("notes");
  op.when = reader.optional_string("when");
  op.list = reader.optional_string("list");
  op.reminder = reader.optional_string("reminder");
  op.deadline = reader.optional_string("deadline");
  op.tags = reader.optional_string_array("tags");
  op.project = reader.optional_string("project");
  op.area = reader.optional_string("area");
  op.heading = reader.optional_string("heading");
  op.checklist = reader.optional_string_array("checklist");
  return op;
}

TaskEdits read_task_edits(OpReader& reader) {
  TaskEdits edits;
  edits.id = reader.required_string("id");
  edits.title = reader.update_string("title");
  edits.notes = reader.update_string("notes");
  edits.append_notes = reader.update_string("append_notes");
  edits.prepend_notes = reader.update_string("prepend_notes");
  edits.when = reader.clearable_string("when");
  edits.reminder = reader.clearable_string("reminder");
  edits.deadline = reader.clearable_string("deadline");
  edits.tags = reader.update_string_array("tags");
  edits.add_tags = reader.update_string_list("add_tags");
  edits.remove_tags = reader.update_string_list("remove_tags");
  edits.area = reader.clearable_string("area");
  return edits;
}

Op read_update_todo(OpReader& reader) {
  UpdateTodo op;
  op.edits = read_task_edits(reader);
  op.list = reader.update_string("list");
  op.checklist = reader.update_string_array("checklist");
  op.append_checklist = reader.update_string_list("append_checklist");
  op.checklist_items = reader.update_checklist_entries("checklist_items");
  op.project = reader.clearable_string("project");
  op.heading = reader.clearable_string("heading");
  return op;
}

Op read_add_project(OpReader& reader) {
  AddProject op;
  op.title = reader.required_string("title");
  op.notes = reader.optional_string("notes");
  op.when = reader.optional_string("when");
  op.reminder = reader.optional_string("reminder");
  op.deadline = reader.optional_string("deadline");
  op.tags = reader.optional_string_array("tags");
  op.area = reader.optional_string("area");
  op.headings = reader.optional_string_array("headings");
  op.todos = reader.optional_string_array("todos");
  return op;
}

Op read_update_project(OpReader& reader) { return UpdateProject{read_task_edits(reader)}; }

Op read_add_heading(OpReader& reader) {
  AddHeading op;
  op.project = reader.required_string("project");
  op.title = reader.required_string("title");
  return op;
}

Op read_complete(OpReader& reader) { return SetStatus{reader.required_string("id"), 3}; }
Op read_cancel(OpReader& reader) { return SetStatus{reader.required_string("id"), 2}; }
Op read_reopen(OpReader& reader) { return SetStatus{reader.required_string("id"), 0}; }
Op read_trash(OpReader& reader) { return Trash{reader.required_string("id"), true}; }
Op read_restore(OpReader& reader) { return Trash{reader.required_string("id"), false}; }

Op read_create_tag(OpReader& reader) {
  CreateTag op;
  op.title = reader.required_string("title");
  op.parent = reader.optional_string("parent");
  op.shortcut = reader.optional_string("shortcut");
  return op;
}

Op read_create_area(OpReader& reader) {
  CreateArea op;
  op.title = reader.required_string("title");
  op.tags = reader.optional_string_array("tags");
  return op;
}

// The tool's name is checked when the op runs: an unknown tool fails that op alone.
Op read_read(OpReader& reader) {
  ReadTool op;
  op.tool = reader.required_string("tool");
  op.args = reader.optional_object("args");
  return op;
}

using OpParser = Op (*)(OpReader&);

// Every op of the dialect, by name.
constexpr std::pair<std::string_view, OpParser> op_parsers[] = {
    {"add_todo", read_add_todo},       {"update_todo", read_update_todo}, {"add_project", read_add_project},
    {"update_project", read_update_project}, {"add_heading", read_add_heading}, {"complete", read_complete},
    {"cancel", read_cancel},           {"reopen", read_reopen},           {"trash", read_trash},
    {"restore", read_restore},         {"create_tag", read_create_tag},   {"create_area", read_create_area},
    {"read", read_read},
};

std::string known_ops() {
  std::string names;
  for (const auto& [name, parser] : op_parsers) {
    if (!names.empty()) names += ", ";
    names += name;
  }
  return names;
}

Op read_op(const Value& value, std::size_t position, const std::shared_ptr<const rapidjson::Document>& script) {
  const std::string where = "op " + std::to_string(position);
  if (!value.IsObject()) throw ScriptError(where + ": must be an object");
  const auto name_member = value.FindMember("op");
  if (name_member == value.MemberEnd() || !name_member->value.IsString()) {
    throw ScriptError(where + ": missing string field \"op\"");
  }
  const std::string name = as_string(name_member->value);
  const auto* entry = std::find_if(std::begin(op_parsers), std::end(op_parsers),
                                   [&name](const auto& candidate) { return candidate.first == name; });
  if (entry == std::end(op_parsers)) {
    throw ScriptError(where + ": unknown op \"" + name + "\" (known: " + known_ops() + ")");
  }
  OpReader reader(value, position, name, script);
  Op op = entry->second(reader);
  reader.reject_unknown_fields();
  return op;
}

}  // namespace

std::vector<Op> parse_script(std::string_view text) {
  // Shared: read ops keep pointing into it for their arguments.
  const auto script = std::make_shared<rapidjson::Document>();
  rapidjson::Document& doc = *script;
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
    ops.push_back(read_op(value, position++, script));
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
    if (result.is_read()) {
      // takt's read code wrote it with RapidJSON: a JSON object, embedded as it is.
      writer.Key("result");
      writer.RawValue(result.result.data(), result.result.size(), rapidjson::kObjectType);
    } else {
      writer.Key(result.ok ? "id" : "error");
      writer.String(result.value.data(), static_cast<rapidjson::SizeType>(result.value.size()));
    }
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize()) + "\n";
}

}  // namespace takt::sim
