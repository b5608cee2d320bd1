#include <spdlog/spdlog.h>

#include "base/version.hpp"
#include "base/json.hpp"
#include "flow/methods.hpp"
#include "flow/services.hpp"
#include "nodes/stages.hpp"
#include "things/catalog/tools.hpp"

namespace takt {
namespace {

std::string health(Services& s) {
  std::vector<std::string> problems, notes;
  const bool readable = s.db_access.check(s.db);
  if (!readable) problems.push_back(s.db_access.why());
  const bool via_applescript = s.reads_through_applescript();
  const auto reads_via = s.config.tools.reads_via;
  if (!readable && reads_via == ReadsVia::Auto)
    notes.emplace_back(
        "takt cannot read Things' database, so it reads Things through AppleScript (tools.reads_via: auto): every "
        "read is answered from takt's mirror of Things, read by one script at most every tools.mirror_max_age, and "
        "every write is confirmed through it. Headings, checklists, reminder times, This Evening and repeat rules "
        "are not shown, and changes that need Things' URL scheme (checklists, reminders, This Evening) are "
        "refused. To read the database instead, give the app that starts takt Full Disk Access "
        "(docs/operations.md).");
  else if (!readable && reads_via == ReadsVia::Database)
    notes.emplace_back("takt cannot read Things' database: writes are confirmed through AppleScript; reads fail "
                       "while tools.reads_via is database (auto would read through AppleScript).");
  else if (!readable)
    notes.emplace_back("takt cannot read Things' database: reads (tools.reads_via: applescript) and write "
                       "confirmations go through AppleScript; changes that need Things' URL scheme are refused.");
  // The circuit breaker says whether Things answers now (a ratio of failures since start
  // would stay "degraded" long after Things recovered).
  const auto breaker = s.breaker.snapshot(Clock::now());
  if (breaker.state != CircuitBreaker::State::Closed) problems.push_back(s.breaker.open_message(Clock::now()));
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  w.StartObject();
  w.Key("status");
  w.String(problems.empty() ? "ok" : "degraded");
  w.Key("backend");
  w.String(s.backend.label.c_str());
  w.Key("database");
  w.String(s.backend.database.c_str());
  w.Key("database_readable");
  w.Bool(readable);
  w.Key("reads_via");
  w.String(via_applescript ? "applescript" : "database");
  w.Key("problems");
  w.StartArray();
  for (const auto& p : problems) w.String(p.c_str());
  w.EndArray();
  w.Key("notes");
  w.StartArray();
  for (const auto& n : notes) w.String(n.c_str());
  w.EndArray();
  w.Key("breaker");
  w.StartObject();
  w.Key("state");
  w.String(state_name(breaker.state));
  w.Key("consecutive_failures");
  w.Uint(breaker.consecutive_failures);
  w.Key("reason");
  w.String(breaker.reason.c_str(), static_cast<rapidjson::SizeType>(breaker.reason.size()));
  w.Key("retry_in_seconds");
  w.Double(breaker.retry_in_seconds);
  w.Key("opened");
  w.Uint64(breaker.opened);
  w.EndObject();
  w.Key("version");
  w.String(kVersion);
  w.Key("uptime_seconds");
  w.Double(std::chrono::duration<double>(Clock::now() - s.started).count());
  w.EndObject();
  return {sb.GetString(), sb.GetSize()};
}

std::string queue_status(Services& s) {
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  w.StartObject();
  w.Key("in_flight");
  w.Uint64(s.admission.in_flight());
  w.Key("slow_queue_depth");
  w.Uint64(s.leveling.size());
  w.Key("slow_queue_capacity");
  w.Uint64(s.config.pipeline.slow_queue_capacity);
  w.Key("script_running");
  w.Bool(s.lane.busy.running());
  w.Key("scripts_run");
  w.Int64(s.lane.scripts_run.load());
  w.Key("scripts_failed");
  w.Int64(s.lane.scripts_failed.load());
  w.Key("cache_entries");
  w.Uint64(s.cache.size());
  w.Key("database_queue_depth");
  w.Int64(s.lane.db_waiting.load());
  w.Key("writes_dispatched");
  w.Uint64(s.leveling.writes_dispatched());
  w.Key("busy_seconds");
  w.Double(s.lane.busy.seconds());
  w.EndObject();
  return {sb.GetString(), sb.GetSize()};
}

}  // namespace

void FastStage::operator()(const JobPtr& job) const {
  s.edges.enter(*job, Stage::Fast);
  if (job->method->handle) {
    job->method->handle(*job, s);
  } else if (job->tool->name == "health_check") {
    job->result = things::tool_result(health(s));
  } else if (job->tool->name == "queue_status") {
    job->result = things::tool_result(queue_status(s));
  } else {
    job->fail(mcp::kInternalError, "Internal error: tool " + job->tool->name + " has no in-process answer");
  }
}

}  // namespace takt
