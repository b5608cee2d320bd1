#pragma once
/// The catalogue of takt's tools: what each one is called, what it takes and returns
/// (JSON Schemas), how a client may treat it (annotations) and its expected cost class.
/// Built once, immutable, thread-safe.

#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <vector>

#include "base/config.hpp"
#include "things/catalog/schema.hpp"

namespace takt::things {

/// How a tool is carried out.
enum class ToolKind {
  Status,  ///< answered in-process from the server's own state
  Read,    ///< a read of the Things database
  Write,   ///< one or more operations run as a script in the AppleScript lane
};

/// One tool. The schemas are kept both as text (for tools/list) and parsed (for validation).
struct ToolSpec {
  std::string name;
  std::string title;
  std::string description;
  ToolKind kind = ToolKind::Status;
  CostClass cost = CostClass::Fast;  ///< default expected cost class; tools.cost may override it
  bool cacheable = false;            ///< reads whose answer may be served from the cache
  bool read_only = true, destructive = false, idempotent = true;
  bool bulk = false;  ///< a write over `ids`: one operation per id, answered with every id
  std::string input_schema_text;
  std::string output_schema_text;
  std::shared_ptr<rapidjson::Document> input_schema;
  std::shared_ptr<rapidjson::Document> output_schema;  ///< what structuredContent matches
  std::shared_ptr<const Schema> input_check;           ///< input_schema, read once for validation
};

/// Every tool, in the order tools/list shows them.
const std::vector<ToolSpec>& tool_catalog();
/// The tool called `name`, or nullptr.
const ToolSpec* find_tool(std::string_view name);
/// The `tools` array of a tools/list result, as JSON text.
const std::string& tools_list_json();

}  // namespace takt::things
