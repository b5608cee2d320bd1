#include "things/script/ops.hpp"

#include <rapidjson/document.h>

#include "base/json.hpp"

namespace takt::things {
namespace {

void put_string(json::Writer& w, const char* key, const std::string& v) {
  w.Key(key);
  w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
}

void put(json::Writer& w, const char* key, const std::optional<std::string>& v) {
  if (v) put_string(w, key, *v);
}

/// A field of an update: left out, null (clears it), or its value.
void put(json::Writer& w, const char* key, const Clearable& v) {
  if (!v.given) return;
  w.Key(key);
  if (v.value) w.String(v.value->c_str(), static_cast<rapidjson::SizeType>(v.value->size()));
  else w.Null();
}

void put_array(json::Writer& w, const char* key, const std::vector<std::string>& v) {
  w.Key(key);
  w.StartArray();
  for (const auto& s : v) w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
  w.EndArray();
}

/// A list that adds to something: left out when empty.
void put_list(json::Writer& w, const char* key, const std::vector<std::string>& v) {
  if (!v.empty()) put_array(w, key, v);
}

/// A list that replaces something: written when given, even empty (that clears it).
void put_list(json::Writer& w, const char* key, const std::optional<std::vector<std::string>>& v) {
  if (v) put_array(w, key, *v);
}

const char* status_op(Status s) {
  return s == Status::Completed ? "complete" : s == Status::Canceled ? "cancel" : "reopen";
}

/// The sim dialect's fields of one operation (after "op").
struct SimFields {
  json::Writer& w;

  void operator()(const AddTodo& a) const {
    put_string(w, "title", a.title);
    put(w, "notes", a.notes);
    put(w, "when", a.when);
    put(w, "reminder", a.reminder);
    put(w, "deadline", a.deadline);
    put(w, "project", a.project);
    put(w, "area", a.area);
    put(w, "heading", a.heading);
    put_list(w, "tags", a.tags);
    put_list(w, "checklist", a.checklist);
  }
  /// The fields update_todo and update_project share.
  template <class Update>
  void edits(const Update& u) const {
    put_string(w, "id", u.id);
    put(w, "title", u.title);
    put(w, "notes", u.notes);
    put(w, "append_notes", u.append_notes);
    put(w, "prepend_notes", u.prepend_notes);
    put(w, "when", u.when);
    put(w, "reminder", u.reminder);
    put(w, "deadline", u.deadline);
    put_list(w, "tags", u.tags);
    put_list(w, "add_tags", u.add_tags);
    put_list(w, "remove_tags", u.remove_tags);
    put(w, "area", u.area);
  }
  void operator()(const UpdateTodo& u) const {
    edits(u);
    put(w, "list", u.list);
    put_list(w, "checklist", u.checklist);
    put_list(w, "append_checklist", u.append_checklist);
    if (u.checklist_items) {
      w.Key("checklist_items");
      w.StartArray();
      for (const auto& item : *u.checklist_items) {
        w.StartObject();
        put_string(w, "title", item.title);
        w.Key("completed");
        w.Bool(item.completed);
        w.EndObject();
      }
      w.EndArray();
    }
    put(w, "project", u.project);
    put(w, "heading", u.heading);
  }
  void operator()(const AddProject& a) const {
    put_string(w, "title", a.title);
    put(w, "notes", a.notes);
    put(w, "when", a.when);
    put(w, "reminder", a.reminder);
    put(w, "deadline", a.deadline);
    put(w, "area", a.area);
    put_list(w, "tags", a.tags);
    put_list(w, "headings", a.headings);
    put_list(w, "todos", a.todos);
  }
  void operator()(const UpdateProject& u) const { edits(u); }
  void operator()(const AddHeading& h) const {
    put_string(w, "project", h.project);
    put_string(w, "title", h.title);
  }
  void operator()(const SetStatus& s) const { put_string(w, "id", s.id); }
  void operator()(const SetTrashed& t) const { put_string(w, "id", t.id); }
  void operator()(const CreateTag& t) const {
    put_string(w, "title", t.title);
    put(w, "parent", t.parent);
    put(w, "shortcut", t.shortcut);
  }
  void operator()(const CreateArea& a) const {
    put_string(w, "title", a.title);
    put_list(w, "tags", a.tags);
  }
  void operator()(const ReadOp& r) const {
    put_string(w, "tool", r.tool);
    w.Key("args");
    w.RawValue(r.args_json.c_str(), r.args_json.size(), rapidjson::kObjectType);
  }
};

}  // namespace

std::string op_name(const Operation& op) {
  return std::visit(Overloaded{[](const AddTodo&) -> std::string { return "add_todo"; },
                               [](const UpdateTodo&) -> std::string { return "update_todo"; },
                               [](const AddProject&) -> std::string { return "add_project"; },
                               [](const UpdateProject&) -> std::string { return "update_project"; },
                               [](const AddHeading&) -> std::string { return "add_heading"; },
                               [](const SetStatus& s) -> std::string { return status_op(s.status); },
                               [](const SetTrashed& t) -> std::string { return t.trashed ? "trash" : "restore"; },
                               [](const CreateTag&) -> std::string { return "create_tag"; },
                               [](const CreateArea&) -> std::string { return "create_area"; },
                               [](const ReadOp&) -> std::string { return "read"; }},
                    op);
}

std::string trim_end(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

std::vector<OpResult> all_failed(std::size_t n, const std::string& why) {
  return std::vector<OpResult>(n, OpResult{false, {}, why, {}});
}

std::string describe_failure(const ScriptOutput& out) {
  if (!out.started) return "could not start the script: " + trim_end(out.err);
  if (out.timed_out) return "Things did not answer in time; the script was stopped";
  if (out.abandoned) return "the request was cancelled while its script ran; the script was stopped";
  auto err = trim_end(out.err);
  if (!err.empty()) return err;
  if (out.signal != 0) return "the script died of signal " + std::to_string(out.signal) + " (it crashed)";
  return "the script failed with exit code " + std::to_string(out.exit_code);
}

std::string SimDialect::render(const std::vector<Operation>& ops) const {
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  w.StartObject();
  w.Key("ops");
  w.StartArray();
  for (const auto& op : ops) {
    w.StartObject();
    put_string(w, "op", op_name(op));
    std::visit(SimFields{w}, op);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return {sb.GetString(), sb.GetSize()};
}

std::vector<OpResult> SimDialect::parse(const ScriptOutput& out, std::size_t op_count) const {
  if (!out.started || out.timed_out || out.exit_code != 0 || out.signal != 0)
    return all_failed(op_count, describe_failure(out));
  rapidjson::Document d;
  d.Parse(out.out.c_str());
  const auto* results = d.HasParseError() ? nullptr : json::member(d, "results");
  if (!results || !results->IsArray() || results->Size() != op_count)
    return all_failed(op_count, "things-sim gave an answer takt cannot read: " + trim_end(out.out).substr(0, 200));
  std::vector<OpResult> rs;
  for (const auto& r : results->GetArray()) {
    OpResult o;
    o.ok = json::get_bool(r, "ok").value_or(false);
    o.id = std::string(json::get_string(r, "id").value_or(""));
    o.error = std::string(json::get_string(r, "error").value_or(o.ok ? "" : "failed without a reason"));
    if (auto* result = json::member(r, "result"); result && result->IsObject()) o.result = json::dump(*result);
    rs.push_back(std::move(o));
  }
  return rs;
}

}  // namespace takt::things
