#include "nodes/followers.hpp"
#include "nodes/stages.hpp"
#include "things/catalog/catalog.hpp"
#include "flow/progress.hpp"

namespace takt {

bool WritePriorityStage::operator()(const JobPtr& job, std::vector<JobPtr>& released) const {
  s.edges.enter(*job, Stage::WritePriority);
  job->queued_at = Clock::now();
  send_progress(*job, 0, std::nullopt, "queued for Things");
  s.lane_metrics.depth_applescript.Increment();
  const bool tracked = !job->progress_token.empty();
  if (tracked) s.lane.progress_waiting.fetch_add(1);
  // The push comes last: from here on the lane's thread may take the job at any moment.
  if (s.leveling.push(job)) return true;
  if (tracked) s.lane.progress_waiting.fetch_sub(1);
  s.lane_metrics.depth_applescript.Decrement();
  s.lane_metrics.rejected_applescript.Increment();
  overloaded(*job, "Things", s.config.pipeline.slow_queue_capacity);
  if (!job->cache_key.empty()) release_followers(s.inflight, *job, released);
  return false;
}

}  // namespace takt
