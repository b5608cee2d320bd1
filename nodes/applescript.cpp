#include <spdlog/spdlog.h>

#include <algorithm>

#include "mcp/json.hpp"
#include "nodes/stages.hpp"
#include "things/catalog.hpp"
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

things::Operation operation_of(const Job& job) {
  if (job.write) return things::to_operation(*job.tool, *job.arguments);
  return things::ReadOp{job.tool->name, json::dump(*job.arguments)};
}

double seconds_since(Clock::time_point t, Clock::time_point now) {
  return t == Clock::time_point{} ? 0.0 : std::chrono::duration<double>(now - t).count();
}

/// True when the job may be dropped unrun: cancelled while waiting, and (for a read) no
/// identical read is following it.
bool skip_cancelled(Services& s, const Job& job) {
  if (!job.cancelled.load(std::memory_order_acquire)) return false;
  return job.write || s.inflight.try_abandon(job.cache_key);
}

void answer(Services& s, Job& job, const things::Operation& op, const things::OpResult& r) {
  if (!r.ok) {
    job.tool_fail(things::tool_error(job.tool->name + " failed: " + r.error));
    return;
  }
  if (!job.write) {
    job.result = things::tool_result(r.result);
    return;
  }
  try {
    job.result = things::tool_result(confirm(s, std::get<things::AddTodo>(op), r));
  } catch (const things::DbError& e) {
    spdlog::error("{}: {}", job.tool->name, e.what());
    job.tool_fail(things::tool_error(e.what()));
  }
}

}  // namespace

std::vector<JobPtr> run_next_batch(Services& s) {
  auto batch = s.leveling.next_batch();
  if (batch.empty()) return batch;  // an earlier batch already took this ticket's job
  const auto now = Clock::now();
  std::vector<Job*> run;
  for (auto& job : batch) {
    s.edges.enter(*job, Stage::AppleScript);
    s.lane_metrics.depth_applescript->Decrement();
    if (!job->progress_token.empty()) s.lane.progress_waiting.fetch_sub(1);
    s.lane_metrics.wait[2][static_cast<int>(job->cost)]->Observe(seconds_since(job->queued_at, now));
    if (skip_cancelled(s, *job)) {
      s.lane_metrics.cancelled_waiting->Increment();
      s.metrics.scripts.Add({{"outcome", "skipped"}}).Increment();
      continue;  // cancelled while waiting: never runs
    }
    job->started_at = now;
    run.push_back(job.get());
  }
  if (run.empty()) return batch;

  std::vector<things::Operation> ops;
  Millis timeout{0};
  bool writes = false;
  for (auto* job : run) {
    ops.push_back(operation_of(*job));
    timeout = std::max(timeout, s.timeout_of(*job->tool));
    writes |= job->write;
    send_progress(*job, job->progress_sent + 1, std::nullopt, "running in Things");
  }
  if (run.size() > 1) s.lane_metrics.batched->Increment(static_cast<double>(run.size()));
  s.lane_metrics.batch_size->Observe(static_cast<double>(run.size()));
  // A running read is abandoned once every request waiting for it is cancelled; a batch
  // holding a write always runs to its end (no half-applied writes).
  const auto abandon = [&] {
    return !writes && std::all_of(run.begin(), run.end(), [](const Job* j) { return j->cancelled.load(); });
  };

  s.lane.script_running.store(true);
  const auto out = s.backend.run(s.backend.command, s.backend.dialect->render(ops), timeout, abandon);
  s.lane.script_running.store(false);
  const auto done = Clock::now();
  const double seconds = std::chrono::duration<double>(done - now).count();
  s.lane_metrics.busy_seconds->Increment(seconds);
  s.lane.scripts_run.fetch_add(1);
  if (writes) s.cache.invalidate();  // even a failed write may have changed something
  const char* outcome = out.timed_out ? "timeout" : out.abandoned ? "abandoned" : (out.exit_code != 0 || !out.started) ? "failed" : "ok";
  s.metrics.scripts.Add({{"outcome", outcome}}).Increment();
  s.metrics.script_seconds.Add({}, prometheus::Histogram::BucketBoundaries{0.01, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30})
      .Observe(seconds);
  if (out.abandoned) s.lane_metrics.cancelled_running->Increment(static_cast<double>(run.size()));

  const auto results = s.backend.dialect->parse(out, ops.size());
  bool failed = false;
  for (std::size_t i = 0; i < run.size(); ++i) {
    auto& job = *run[i];
    s.record_service(*job.tool, seconds * 1000.0 / static_cast<double>(run.size()));
    s.lane_metrics.service[2][static_cast<int>(job.cost)]->Observe(seconds);
    answer(s, job, ops[i], results[i]);
    failed |= !results[i].ok;
  }
  if (failed) {
    s.lane.scripts_failed.fetch_add(1);
    spdlog::warn("script of {} operation(s) failed after {:.0f} ms: {}", run.size(), seconds * 1000,
                 results.front().ok ? "some operations failed" : results.front().error);
  }
  // Jobs still waiting hear where they stand now (only those that asked for progress).
  if (s.lane.progress_waiting.load(std::memory_order_relaxed) > 0) {
    s.leveling.for_each_in_order([](const JobPtr& job, std::size_t ahead) {
      if (!job->progress_token.empty())
        send_progress(*job, job->progress_sent + 1, std::nullopt, std::to_string(ahead) + " ahead in the queue for Things");
    });
  }
  return batch;
}

}  // namespace takt
