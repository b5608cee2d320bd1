#include <spdlog/spdlog.h>

#include "nodes/stages.hpp"
#include "things/catalog/tools.hpp"

namespace takt {

void DbReadStage::operator()(const JobPtr& job) const {
  s.edges.enter(*job, Stage::DbRead);
  s.lane.db_waiting.fetch_sub(1);
  s.lane_metrics.depth_database.Decrement();
  const auto start = Clock::now();
  const auto cls = static_cast<int>(job->cost);
  s.lane_metrics.wait[1][cls].Observe(std::chrono::duration<double>(start - job->queued_at).count());
  if (job->cancelled.load(std::memory_order_acquire) && s.inflight.try_abandon(job->cache_key)) {
    s.lane_metrics.cancelled_waiting.Increment();
    return;  // nobody is waiting for this read any more
  }
  job->started_at = start;
  try {
    job->result = things::tool_result(things::run_read(*job->tool, *job->arguments, s.db));
  } catch (const things::DbError& e) {
    spdlog::warn("{} failed: {}", job->tool->name, e.what());
    job->tool_fail(things::tool_error(e.what()));
  }
  s.lane_metrics.service[1][cls].Observe(std::chrono::duration<double>(Clock::now() - start).count());
}

}  // namespace takt
