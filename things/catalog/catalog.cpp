#include "things/catalog/catalog.hpp"

#include <stdexcept>

#include "base/json.hpp"
#include "things/catalog/catalog_parts.hpp"

namespace takt::things {

ToolSpec make_tool(std::string name, std::string title, std::string description, ToolKind kind, CostClass cost,
                   const std::string& input, const std::string& output) {
  ToolSpec t;
  t.name = std::move(name);
  t.title = std::move(title);
  t.description = std::move(description);
  t.kind = kind;
  t.cost = cost;
  t.cacheable = kind == ToolKind::Read;
  t.read_only = kind != ToolKind::Write;
  t.idempotent = kind != ToolKind::Write;
  t.input_schema = std::make_shared<rapidjson::Document>();
  t.input_schema->Parse(input.c_str());
  t.output_schema = std::make_shared<rapidjson::Document>();
  t.output_schema->Parse(output.c_str());
  if (t.input_schema->HasParseError() || t.output_schema->HasParseError())
    throw std::logic_error("tool catalogue: schema of " + t.name + " is not valid JSON");
  t.input_check = std::make_shared<const Schema>(*t.input_schema);
  // Stored compact, so tools/list carries no layout white space.
  t.input_schema_text = json::dump(*t.input_schema);
  t.output_schema_text = json::dump(*t.output_schema);
  return t;
}

namespace {

std::vector<ToolSpec> build() {
  std::vector<ToolSpec> tools;
  add_read_tools(tools);
  add_write_tools(tools);
  tools.push_back(make_tool(
      "health_check", "Health check",
      "Report whether takt can reach Things: the backend, the database and the AppleScript lane.",
      ToolKind::Status, CostClass::Fast, R"({"type":"object","properties":{},"additionalProperties":false})",
      R"({"type":"object","properties":{
        "status":{"type":"string","enum":["ok","degraded"]},"backend":{"type":"string"},"database":{"type":"string"},
        "database_readable":{"type":"boolean"},"reads_via":{"type":"string","enum":["database","applescript"]},
        "problems":{"type":"array","items":{"type":"string"}},"notes":{"type":"array","items":{"type":"string"}},
        "breaker":{"type":"object","properties":{"state":{"type":"string","enum":["closed","open","half_open"]},
          "consecutive_failures":{"type":"integer"},"reason":{"type":"string"},"retry_in_seconds":{"type":"number"},
          "opened":{"type":"integer"}}},
        "version":{"type":"string"},"uptime_seconds":{"type":"number"}},
        "required":["status","backend","database","database_readable","problems","version"]})"));
  tools.push_back(make_tool(
      "queue_status", "Queue status",
      "Show the state of takt's pipeline: requests in flight, jobs waiting for the AppleScript lane, "
      "the script running now, and totals.",
      ToolKind::Status, CostClass::Fast, R"({"type":"object","properties":{},"additionalProperties":false})",
      R"({"type":"object","properties":{
        "in_flight":{"type":"integer"},"slow_queue_depth":{"type":"integer"},"slow_queue_capacity":{"type":"integer"},
        "script_running":{"type":"boolean"},"scripts_run":{"type":"integer"},"scripts_failed":{"type":"integer"},
        "cache_entries":{"type":"integer"},"database_queue_depth":{"type":"integer"},
        "writes_dispatched":{"type":"integer"},"busy_seconds":{"type":"number"}},
        "required":["in_flight","slow_queue_depth","slow_queue_capacity","script_running","scripts_run","scripts_failed","cache_entries"]})"));
  return tools;
}

std::string list_json(const std::vector<ToolSpec>& tools) {
  std::string s = "[";
  for (const auto& t : tools) {
    if (s.size() > 1) s += ",";
    s += R"({"name":)" + json::quote(t.name) + R"(,"title":)" + json::quote(t.title) +
         R"(,"description":)" + json::quote(t.description) + R"(,"inputSchema":)" + t.input_schema_text +
         R"(,"outputSchema":)" + t.output_schema_text + R"(,"annotations":{"title":)" + json::quote(t.title) +
         R"(,"readOnlyHint":)" + (t.read_only ? "true" : "false") + R"(,"destructiveHint":)" +
         (t.destructive ? "true" : "false") + R"(,"idempotentHint":)" + (t.idempotent ? "true" : "false") +
         R"(,"openWorldHint":false}})";
  }
  return s + "]";
}

}  // namespace

const std::vector<ToolSpec>& tool_catalog() {
  static const std::vector<ToolSpec> tools = build();
  return tools;
}

const ToolSpec* find_tool(std::string_view name) {
  for (const auto& t : tool_catalog())
    if (t.name == name) return &t;
  return nullptr;
}

const std::string& tools_list_json() {
  static const std::string text = list_json(tool_catalog());
  return text;
}

}  // namespace takt::things
