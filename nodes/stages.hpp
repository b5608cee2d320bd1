#pragma once
/// The bodies of the graph's stages. Each is a small functor over a Job, testable without
/// TBB; pipeline/pipeline.cpp wraps them in nodes and makes every edge. Unless said
/// otherwise, a body runs on a TBB worker, may run on several at once, never blocks, and
/// turns every failure into data on the job (a JSON-RPC error or an isError result).

#include "pipeline/job.hpp"
#include "pipeline/services.hpp"

namespace takt {

/// parse: the line becomes a validated JSON-RPC message, or a parse/invalid-request error.
struct ParseStage {
  Services& s;
  JobPtr operator()(JobPtr job) const;
};

/// classify: method look-up, lifecycle rules, tool look-up and argument validation; sets
/// the lane, whether it writes, its cache key and progress token.
struct ClassifyStage {
  Services& s;
  JobPtr operator()(JobPtr job) const;
};

/// Where cache_lookup sends a job.
enum class Route { Answered, Fast, Medium, Slow };

/// cache_lookup: answers cacheable reads from the cache, drops cancelled jobs, refuses
/// work when the AppleScript lane's queue is full, and routes the rest to their lane.
struct CacheLookupStage {
  Services& s;
  Route operator()(Job& job) const;
};

/// fast: protocol methods and status tools, answered in-process.
struct FastStage {
  Services& s;
  JobPtr operator()(JobPtr job) const;
};

/// db_read: a read of the Things database. Blocks on SQLite for milliseconds; the node
/// runs at most pipeline.db_readers of these at once.
struct DbReadStage {
  Services& s;
  JobPtr operator()(JobPtr job) const;
};

/// cache_store: a fresh read result enters the cache (unless a write came in between).
struct CacheStoreStage {
  Services& s;
  JobPtr operator()(JobPtr job) const;
};

/// serialize: the reply as one wire line; none for notifications and cancelled requests.
struct SerializeStage {
  Services& s;
  JobPtr operator()(JobPtr job) const;
};

/// egress: hands the reply to the session's transport and frees the admission slot.
struct EgressStage {
  Services& s;
  void operator()(const JobPtr& job) const;
};

/// Order of the write-priority queue: writes before reads, then first come first served.
/// TBB's priority_queue_node is a max-heap: true means `a` goes after `b`.
struct SlowOrder {
  bool operator()(const JobPtr& a, const JobPtr& b) const {
    if (!a || !b) return !a;
    if (a->write != b->write) return !a->write;
    return a->seq > b->seq;
  }
};

/// Runs one slow job in the AppleScript lane: renders its operations in the backend's
/// dialect, runs the script (blocking, for up to backend.script_timeout), reads the result
/// back and confirms writes in the database. Called only from the lane's own thread.
void run_slow_job(Job& job, Services& s);

}  // namespace takt
