#include "things/tools.hpp"

#include "mcp/json.hpp"
#include "things/schema.hpp"

namespace takt::things {
namespace {

Page page_of(const rapidjson::Value& args) {
  Page p;
  if (auto limit = json::get_int(args, "limit")) p.limit = *limit;
  if (auto offset = json::get_int(args, "offset")) p.offset = *offset;
  return p;
}

std::optional<std::string> opt_string(const rapidjson::Value& args, const char* name) {
  if (auto v = json::get_string(args, name)) return std::string(*v);
  return std::nullopt;
}

std::vector<std::string> strings(const rapidjson::Value& args, const char* name) {
  std::vector<std::string> out;
  if (auto* v = json::member(args, name); v && v->IsArray())
    for (const auto& s : v->GetArray())
      if (s.IsString()) out.emplace_back(s.GetString(), s.GetStringLength());
  return out;
}

bool valid_when(std::string_view w) {
  return w == "today" || w == "evening" || w == "anytime" || w == "someday" || parse_iso_date(w).has_value();
}

}  // namespace

std::optional<std::string> check_arguments(const ToolSpec& tool, const rapidjson::Value& args, const Dialect& dialect) {
  if (auto err = validate(*tool.input_schema, args)) return err;
  if (tool.name == "add_todo") {
    if (auto when = json::get_string(args, "when"); when && !valid_when(*when))
      return "when: must be today, evening, anytime, someday or a date YYYY-MM-DD";
    if (json::member(args, "heading") && !json::member(args, "project"))
      return "heading: needs 'project', the project the heading belongs to";
    if (auto why = dialect.unsupported(to_operation(tool, args))) return *why;
  }
  return std::nullopt;
}

std::string run_read(const ToolSpec& tool, const rapidjson::Value& args, ThingsDb& db) {
  const auto page = page_of(args);
  if (tool.name == "get_inbox") return db.inbox(page);
  if (tool.name == "get_today") return db.today(page);
  if (tool.name == "get_projects") return db.projects(page);
  throw std::logic_error("run_read: " + tool.name + " is not a read tool");
}

Operation to_operation(const ToolSpec& tool, const rapidjson::Value& args) {
  if (tool.name != "add_todo") throw std::logic_error("to_operation: " + tool.name + " is not a write tool");
  AddTodo a;
  a.title = std::string(json::get_string(args, "title").value_or(""));
  a.notes = opt_string(args, "notes");
  a.when = opt_string(args, "when");
  a.deadline = opt_string(args, "deadline");
  a.project = opt_string(args, "project");
  a.area = opt_string(args, "area");
  a.heading = opt_string(args, "heading");
  a.tags = strings(args, "tags");
  a.checklist = strings(args, "checklist");
  return a;
}

std::string tool_result(const std::string& structured_json) {
  return R"({"content":[{"type":"text","text":)" + json::quote(structured_json) + R"(}],"structuredContent":)" +
         structured_json + R"(,"isError":false})";
}

std::string tool_error(const std::string& message) {
  return R"({"content":[{"type":"text","text":)" + json::quote(message) + R"(}],"isError":true})";
}

}  // namespace takt::things
