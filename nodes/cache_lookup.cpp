#include "nodes/followers.hpp"
#include "nodes/stages.hpp"
#include "things/catalog/catalog.hpp"

namespace takt {

Destination CacheLookupStage::operator()(const JobPtr& job_ptr, std::vector<JobPtr>& released) const {
  Job& job = *job_ptr;
  s.edges.enter(job, Stage::CacheLookup);
  if (job.answered() || !job.method) return Destination::Answered;
  // Protocol methods, status tools and cache hits are answered on this thread before the
  // transport reads its next message, so no cancellation can find them waiting: they are
  // not entered into the session's requests in flight (a map insert and erase, two locks).
  if ((!job.tool && !job.protocol_read) || job.lane == Lane::InProcess) return Destination::InProcess;

  const bool read = !job.cache_key.empty();
  if (read) {
    job.cache_generation = s.cache.generation();
    if (s.config.cache.enabled) {
      // The generation just loaded is the only atomic a hit costs (a write in any process
      // sharing the cache changes it).
      if (auto hit = s.cache.lookup(job.cache_key, ResponseCache::coarse_now(), job.cache_generation)) {
        s.lane_metrics.cache_hit->Increment();
        job.result = std::move(hit);
        return Destination::Answered;
      }
      s.lane_metrics.cache_miss->Increment();
    }
  }
  // From here on it waits (for the database, the lane or an identical read): a
  // notifications/cancelled may reach it, or may have come first (track() applies it).
  if (job.is_request()) {
    if (!job.session->track(job.msg->id, cancel_flag(job_ptr))) {
      job.fail(mcp::kInvalidRequest, "Invalid Request: id " + job.msg->id +
                                         " is already used by a request in flight; each request needs an id of its own");
      return Destination::Answered;
    }
    job.tracked = true;
  }
  if (job.cancelled.load(std::memory_order_acquire)) {
    s.lane_metrics.cancelled_waiting.Increment();
    return Destination::Answered;  // never runs, never answered
  }
  if (read) {
    if (s.inflight.join(job_ptr)) {
      s.lane_metrics.coalesced.Increment();
      return Destination::Parked;
    }
  }

  if (job.lane == Lane::Database) {
    const auto bound = s.config.pipeline.db_queue_capacity;
    if (static_cast<std::size_t>(s.lane.db_waiting.fetch_add(1)) >= bound) {
      s.lane.db_waiting.fetch_sub(1);
      s.lane_metrics.rejected_database.Increment();
      overloaded(job, "the database", bound);
      release_followers(s.inflight, job, released);
      return Destination::Answered;
    }
    s.lane_metrics.depth_database.Increment();
    job.queued_at = Clock::now();
    return Destination::Database;
  }

  return Destination::AppleScript;
}

}  // namespace takt
