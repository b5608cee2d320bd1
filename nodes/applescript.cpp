#include <spdlog/spdlog.h>

#include "mcp/json.hpp"
#include "nodes/stages.hpp"
#include "things/tools.hpp"

namespace takt {
namespace {

/// Confirms a write by reading it back: success is only what the database shows.
std::string confirm(Services& s, const things::AddTodo& op, const things::OpResult& r) {
  auto facts = s.db.find_task(r.id);
  if (!facts)
    throw things::DbError("Things reported the to-do as created (id " + r.id +
                          ") but it is not in the database: the write did not take effect");
  if (facts->title != op.title)
    throw things::DbError("the to-do " + r.id + " in the database has the title '" + facts->title + "', not '" +
                          op.title + "': the write did not take effect as asked");
  return R"({"id":)" + json::quote(r.id) + R"(,"title":)" + json::quote(facts->title) + "}";
}

}  // namespace

void run_slow_job(Job& job, Services& s) {
  s.edges.enter(job, Stage::AppleScript);
  s.lane.slow_depth.fetch_sub(1);
  s.metrics.queue_depth.Add({{"queue", "write_priority"}}).Decrement();
  if (job.cancelled.load(std::memory_order_acquire)) {
    s.metrics.scripts.Add({{"outcome", "skipped"}}).Increment();
    return;  // cancelled while waiting: never runs
  }
  job.started_at = Clock::now();
  send_progress(job, 1, 2, "running in Things");

  const auto op = things::to_operation(*job.tool, *job.arguments);
  const std::vector<things::Operation> ops{op};
  const auto script = s.backend.dialect->render(ops);
  s.lane.script_running.store(true);
  const auto out = things::run_script(s.backend.command, script, s.config.backend.script_timeout);
  s.lane.script_running.store(false);
  const auto seconds = std::chrono::duration<double>(Clock::now() - job.started_at).count();
  s.metrics.script_seconds.Add({}, prometheus::Histogram::BucketBoundaries{0.01, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30})
      .Observe(seconds);
  s.lane.scripts_run.fetch_add(1);
  if (job.write) s.cache.invalidate();  // even a failed write may have changed something

  const auto results = s.backend.dialect->parse(out, ops.size());
  const auto& r = results.front();
  const char* outcome = out.timed_out ? "timeout" : (out.exit_code != 0 || !out.started) ? "failed" : "ok";
  s.metrics.scripts.Add({{"outcome", outcome}}).Increment();
  if (!r.ok) {
    s.lane.scripts_failed.fetch_add(1);
    spdlog::warn("{} failed after {:.0f} ms: {}", job.tool->name, seconds * 1000, r.error);
    job.tool_fail(things::tool_error(job.tool->name + " failed: " + r.error));
    return;
  }
  try {
    job.result = things::tool_result(confirm(s, std::get<things::AddTodo>(op), r));
  } catch (const things::DbError& e) {
    spdlog::error("{}: {}", job.tool->name, e.what());
    job.tool_fail(things::tool_error(e.what()));
  }
}

}  // namespace takt
