#include "nodes/stages.hpp"
#include "things/tools.hpp"

namespace takt {

namespace {
std::chrono::milliseconds ttl_for(const Services& s, const Job& job) {
  auto it = s.config.cache.tool_ttl.find(job.tool->name);
  return it == s.config.cache.tool_ttl.end() ? s.config.cache.ttl : it->second;
}
}  // namespace

Route CacheLookupStage::operator()(Job& job) const {
  s.edges.enter(job, Stage::CacheLookup);
  if (job.answered() || !job.method) return Route::Answered;
  if (job.cancelled.load(std::memory_order_acquire)) return Route::Answered;  // never runs, never answered
  if (!job.cache_key.empty()) {
    job.cache_generation = s.cache.generation();
    if (auto hit = s.cache.lookup(job.cache_key, Clock::now())) {
      s.metrics.cache_lookups.Add({{"result", "hit"}}).Increment();
      job.result = std::move(*hit);
      return Route::Answered;
    }
    s.metrics.cache_lookups.Add({{"result", "miss"}}).Increment();
  }
  if (!job.tool) return Route::Fast;
  switch (job.lane) {
    case LaneClass::Fast: return Route::Fast;
    case LaneClass::Medium: return Route::Medium;
    case LaneClass::Slow: break;
  }
  if (static_cast<std::size_t>(s.lane.slow_depth.load()) >= s.config.pipeline.slow_queue_capacity) {
    job.fail(mcp::kOverloaded, "Overloaded: " + std::to_string(s.config.pipeline.slow_queue_capacity) +
                                   " jobs are already waiting for Things; retry later");
    return Route::Answered;
  }
  const auto ahead = s.lane.slow_depth.fetch_add(1) + (s.lane.script_running.load() ? 1 : 0);
  s.metrics.queue_depth.Add({{"queue", "write_priority"}}).Increment();
  job.queued_at = Clock::now();
  send_progress(job, 0, 2, "queued for Things; " + std::to_string(ahead) + " ahead");
  s.edges.enter(job, Stage::WritePriority);  // a buffer without a body: counted as the job enters it
  return Route::Slow;
}

JobPtr CacheStoreStage::operator()(JobPtr job) const {
  s.edges.enter(*job, Stage::CacheStore);
  if (!job->cache_key.empty() && job->result && !job->tool_failed) {
    s.cache.store(job->cache_key, *job->result, ttl_for(s, *job), job->cache_generation, Clock::now());
  }
  return job;
}

}  // namespace takt
