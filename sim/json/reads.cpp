#include "reads.hpp"

#include "things/catalog/catalog.hpp"
#include "things/script/applescript.hpp"
#include "things/script/ops.hpp"
#include "things/catalog/tools.hpp"

namespace takt::sim {

namespace {

// PRAGMA query_only for the duration of one read: whatever takt's read code does, it
// cannot change the database (a write would fail with SQLITE_READONLY, a DbError).
class QueryOnly {
 public:
  explicit QueryOnly(Database& db) : db_(db) { db_.exec("PRAGMA query_only = ON"); }
  ~QueryOnly() { sqlite3_exec(db_.handle(), "PRAGMA query_only = OFF", nullptr, nullptr, nullptr); }
  QueryOnly(const QueryOnly&) = delete;
  QueryOnly& operator=(const QueryOnly&) = delete;

 private:
  Database& db_;
};

std::string read_tool_names() {
  std::string names;
  for (const things::ToolSpec& tool : things::tool_catalog()) {
    if (tool.kind != things::ToolKind::Read) continue;
    if (!names.empty()) names += ", ";
    names += tool.name;
  }
  return names;
}

}  // namespace

OpResult Reader::read(const ReadTool& op) {
  const things::ToolSpec* tool = things::find_tool(op.tool);
  if (tool == nullptr || tool->kind != things::ToolKind::Read) {
    return OpResult::failed("tool \"" + op.tool + "\": not a read tool of takt (read tools: " + read_tool_names() +
                            ")");
  }
  // The dialect only matters for write tools; takt validates reads the same way for both.
  static const things::AppleScriptDialect dialect(&things::local_today);
  if (auto why = things::check_arguments(*tool, *op.args, dialect)) return OpResult::failed(*why);
  try {
    if (!things_) things_.emplace(db_.handle(), &things::local_today);
    const QueryOnly query_only(db_);
    return OpResult::read(things::run_read(*tool, *op.args, *things_));
  } catch (const things::DbError& error) {
    return OpResult::failed(error.what());
  }
}

}  // namespace takt::sim
