#include <spdlog/spdlog.h>

#include "base/json.hpp"
#include "flow/methods.hpp"
#include "flow/services.hpp"
#include "nodes/stages.hpp"
#include "things/catalog/catalog.hpp"
#include "things/catalog/resources.hpp"
#include "things/catalog/tools.hpp"

namespace takt {
namespace {

const rapidjson::Value& empty_object() {
  static const rapidjson::Value v(rapidjson::kObjectType);
  return v;
}

Lane lane_of(const things::ToolSpec& tool, const Services& s) {
  switch (tool.kind) {
    case things::ToolKind::Status: return Lane::InProcess;
    case things::ToolKind::Read: return s.reads_through_applescript() ? Lane::AppleScript : Lane::Database;
    case things::ToolKind::Write: return Lane::AppleScript;
  }
  return Lane::InProcess;
}

void classify_tool_call(Job& job, Services& s) {
  const auto* params = job.msg->params;
  auto name = params ? json::get_string(*params, "name") : std::nullopt;
  if (!name) {
    job.fail(mcp::kInvalidParams, "Invalid params: tools/call needs 'name', a string");
    return;
  }
  job.tool = things::find_tool(*name);
  if (!job.tool) {
    job.fail(mcp::kInvalidParams, "Unknown tool: " + std::string(*name));
    return;
  }
  const auto* args = json::member(*params, "arguments");
  if (args && !args->IsObject() && !args->IsNull()) {
    job.fail(mcp::kInvalidParams, "Invalid params: 'arguments' must be an object");
    return;
  }
  job.arguments = args && args->IsObject() ? args : &empty_object();
  job.lane = lane_of(*job.tool, s);
  job.cost = s.cost_of(*job.tool);
  job.write = job.tool->kind == things::ToolKind::Write;
  if (auto why = things::check_arguments(*job.tool, *job.arguments, *s.backend.dialect)) {
    job.tool_fail(things::tool_error("Invalid arguments: " + *why));
    return;
  }
  if (job.write) {
    // Against Things' database, or, while takt cannot read it, against takt's mirror of
    // Things when a fresh one is at hand (in memory: no script here; without one the write
    // goes ahead and Things refuses what it cannot do).
    const auto view = s.db_access.readable() ? nullptr : s.mirror.fresh(Clock::now(), s.config.tools.mirror_max_age);
    try {
      if (auto why = things::check_write_against_database(*job.tool, *job.arguments, view ? *view->db : s.db)) {
        job.tool_fail(things::tool_error("Invalid arguments: " + *why));
        return;
      }
    } catch (const things::DbError& e) {
      // Not readable now: the write goes ahead, and Things (or things-sim) refuses it there.
      spdlog::debug("{}: cannot check the write against the database: {}", job.tool->name, e.what());
    }
  }
  if (job.tool->kind == things::ToolKind::Read && job.lane == Lane::AppleScript) {
    if (auto why = s.backend.dialect->unsupported(things::ReadOp{job.tool->name, "{}"})) {
      job.tool_fail(things::tool_error(*why));
      return;
    }
  }
  // Identical reads share one execution (and one cache entry): same tool, same arguments.
  if (job.tool->cacheable) {
    // Most reads come without arguments: their key needs no JSON writer.
    const bool none = job.arguments->ObjectEmpty();
    job.cache_key.reserve(job.tool->name.size() + 3);
    job.cache_key.append(job.tool->name).append(":").append(none ? "{}" : json::dump(*job.arguments));
  }
}

}  // namespace

void ClassifyStage::operator()(const JobPtr& job) const {
  s.edges.enter(*job, Stage::Classify);
  if (job->answered()) return;
  auto& msg = *job->msg;
  if (msg.kind == mcp::Message::Kind::Response) return;  // takt sends no requests; nothing to match

  job->method = find_method(msg.method);
  s.count_request(job->method);
  if (!job->method) {
    // Unknown notifications are ignored, as JSON-RPC says; unknown requests are errors.
    if (job->is_request()) job->fail(mcp::kMethodNotFound, "Method not found: " + msg.method);
    return;
  }
  // A notification carries no id and a request must carry one (JSON-RPC 2.0, MCP
  // 2025-11-25): a notification method with an id is refused, and a request without an
  // id is not run at all, since no answer could say what became of it (a write would
  // happen unseen).
  const bool notification_method = msg.method.rfind("notifications/", 0) == 0;
  if (notification_method && job->is_request()) {
    job->fail(mcp::kInvalidRequest, "Invalid Request: " + msg.method + " is a notification and must not carry an id");
    return;
  }
  if (!notification_method && !job->is_request()) {
    spdlog::warn("ignored '{}' sent without an id: it is a request and needs one; nothing was run", msg.method);
    job->method = nullptr;
    return;
  }
  if (!job->method->before_initialize && job->session->state() == Session::State::New) {
    if (job->is_request())
      job->fail(mcp::kInvalidRequest, "Invalid Request: the session is not initialized; send 'initialize' first");
    return;
  }
  if (msg.params) {
    if (auto* meta = json::member(*msg.params, "_meta")) {
      if (auto* token = json::member(*meta, "progressToken"); token && (token->IsString() || token->IsInt64()))
        job->progress_token = json::dump(*token);
    }
  }
  if (job->method->read) {
    // Answered like a read tool: from the database, or through AppleScript while reads go
    // there; its own cache key.
    job->protocol_read = job->method->read(*job, s);
    if (job->protocol_read) {
      job->lane = s.reads_through_applescript() ? Lane::AppleScript : Lane::Database;
      job->cost = CostClass::Medium;
      job->cache_key = job->protocol_read->cache_key;
    }
  } else if (!job->method->handle) {
    classify_tool_call(*job, s);
  }
}

}  // namespace takt
