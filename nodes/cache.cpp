#include "nodes/stages.hpp"
#include "things/catalog.hpp"
#include "things/tools.hpp"

namespace takt {

namespace {

std::chrono::milliseconds ttl_for(const Services& s, const Job& job) {
  auto it = s.config.cache.tool_ttl.find(job.tool->name);
  return it == s.config.cache.tool_ttl.end() ? s.config.cache.ttl : it->second;
}

void overloaded(Job& job, const std::string& what, std::size_t bound) {
  job.fail(mcp::kOverloaded,
           "Overloaded: " + std::to_string(bound) + " requests already wait for " + what + "; retry later");
}

/// The reads that followed `leader` get its answer (result or error).
void release_followers(Services& s, const Job& leader, std::vector<JobPtr>& out) {
  for (auto& f : s.inflight.finish(leader.cache_key)) {
    f->result = leader.result;
    f->error = leader.error;
    f->tool_failed = leader.tool_failed;
    out.push_back(std::move(f));
  }
}

}  // namespace

Route CacheLookupStage::operator()(const JobPtr& job_ptr, std::vector<JobPtr>& released) const {
  Job& job = *job_ptr;
  s.edges.enter(job, Stage::CacheLookup);
  if (job.answered() || !job.method) return Route::Answered;
  // Protocol methods, status tools and cache hits are answered on this thread before the
  // transport reads its next message, so no cancellation can find them waiting: they are
  // not entered into the session's requests in flight (a map insert and erase, two locks).
  if (!job.tool || job.lane == Lane::InProcess) return Route::InProcess;

  const bool read = !job.cache_key.empty();
  if (read) {
    job.cache_generation = s.cache.generation();
    if (s.config.cache.enabled) {
      // The generation just loaded is the only atomic a hit costs (a write in any process
      // sharing the cache changes it).
      if (auto hit = s.cache.lookup(job.cache_key, ResponseCache::coarse_now(), job.cache_generation)) {
        s.lane_metrics.cache_hit->Increment();
        job.result = std::move(hit);
        return Route::Answered;
      }
      s.lane_metrics.cache_miss->Increment();
    }
  }
  // From here on it waits (for the database, the lane or an identical read): a
  // notifications/cancelled may reach it, or may have come first (track() applies it).
  if (job.is_request()) {
    if (!job.session->track(job.msg->id, job_ptr)) {
      job.fail(mcp::kInvalidRequest, "Invalid Request: id " + job.msg->id +
                                         " is already used by a request in flight; each request needs an id of its own");
      return Route::Answered;
    }
    job.tracked = true;
  }
  if (job.cancelled.load(std::memory_order_acquire)) {
    s.lane_metrics.cancelled_waiting->Increment();
    return Route::Answered;  // never runs, never answered
  }
  if (read) {
    if (s.inflight.join(job_ptr)) {
      s.lane_metrics.coalesced->Increment();
      return Route::Parked;
    }
  }

  if (job.lane == Lane::Database) {
    const auto bound = s.config.pipeline.db_queue_capacity;
    if (static_cast<std::size_t>(s.lane.db_waiting.fetch_add(1)) >= bound) {
      s.lane.db_waiting.fetch_sub(1);
      s.lane_metrics.rejected_database->Increment();
      overloaded(job, "the database", bound);
      release_followers(s, job, released);
      return Route::Answered;
    }
    s.lane_metrics.depth_database->Increment();
    job.queued_at = Clock::now();
    return Route::Database;
  }

  return Route::AppleScript;
}

bool WritePriorityStage::operator()(const JobPtr& job, std::vector<JobPtr>& released) const {
  s.edges.enter(*job, Stage::WritePriority);
  job->queued_at = Clock::now();
  send_progress(*job, 0, std::nullopt, "queued for Things");
  s.lane_metrics.depth_applescript->Increment();
  const bool tracked = !job->progress_token.empty();
  if (tracked) s.lane.progress_waiting.fetch_add(1);
  // The push comes last: from here on the lane's thread may take the job at any moment.
  if (s.leveling.push(job)) return true;
  if (tracked) s.lane.progress_waiting.fetch_sub(1);
  s.lane_metrics.depth_applescript->Decrement();
  s.lane_metrics.rejected_applescript->Increment();
  overloaded(*job, "Things", s.config.pipeline.slow_queue_capacity);
  if (!job->cache_key.empty()) release_followers(s, *job, released);
  return false;
}

std::vector<JobPtr> CacheStoreStage::operator()(JobPtr job) const {
  s.edges.enter(*job, Stage::CacheStore);
  std::vector<JobPtr> out;
  if (s.config.cache.enabled && job->result && !job->tool_failed && !job->error) {
    s.cache.store(job->cache_key, job->result, ttl_for(s, *job), job->cache_generation, Clock::now());
  }
  release_followers(s, *job, out);
  out.insert(out.begin(), std::move(job));
  return out;
}

}  // namespace takt
