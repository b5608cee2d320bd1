#pragma once
/// The bodies of the graph's stages, each in a file named after it (parse.cpp,
/// classify.cpp, cache_lookup.cpp, fast.cpp, db_read.cpp, write_priority.cpp,
/// applescript_lane.cpp, cache_store.cpp, serialize.cpp, egress.cpp). Each is a small
/// functor over a Job that knows nothing of TBB: tests/nodes drives them directly, and
/// pipeline/pipeline.cpp wraps them in nodes and makes every edge. Unless said
/// otherwise, a body runs on a TBB worker, may run on several at once, never blocks, and
/// turns every failure into data on the job (a JSON-RPC error or an isError result).
/// A body that passes its job on works on it in place: the job goes on, and its pointer
/// is not copied for nothing (every copy is an atomic count).

#include "flow/job.hpp"
#include "flow/services.hpp"

namespace takt {

/// parse: the line becomes a validated JSON-RPC message, or a parse/invalid-request error.
struct ParseStage {
  Services& s;
  void operator()(const JobPtr& job) const;
};

/// classify: method look-up, lifecycle rules, tool look-up and argument validation; sets
/// the lane, whether it writes, its cache key and progress token.
struct ClassifyStage {
  Services& s;
  void operator()(const JobPtr& job) const;
};

/// Where cache_lookup sends a job.
enum class Destination {
  Answered,   ///< straight to serialize: a cache hit, an error, a cancelled request
  InProcess,  ///< the fast stage
  Database,   ///< db_read
  AppleScript,  ///< write_priority, then the AppleScript lane
  Parked,     ///< follows an identical read in flight; released by cache_store
};

/// cache_lookup: answers cacheable reads from the cache, parks reads identical to one in
/// flight (coalescing), drops cancelled jobs, refuses work when the lane it needs is full
/// ("overloaded, retry later"), and routes the rest to their lane. `released` receives
/// jobs answered on the way (followers of a refused leader).
struct CacheLookupStage {
  Services& s;
  Destination operator()(const JobPtr& job, std::vector<JobPtr>& released) const;
};

/// fast: protocol methods and status tools, answered in-process.
struct FastStage {
  Services& s;
  void operator()(const JobPtr& job) const;
};

/// db_read: a read of the Things database. Blocks on SQLite for milliseconds; the node
/// runs at most pipeline.db_readers of these at once.
struct DbReadStage {
  Services& s;
  void operator()(const JobPtr& job) const;
};

/// cache_store: a fresh read result enters the cache (unless a write came in between),
/// and the reads that followed it get its answer. Returns the job and its followers.
struct CacheStoreStage {
  Services& s;
  std::vector<JobPtr> operator()(JobPtr job) const;
};

/// write_priority: the job enters the AppleScript lane's leveling queue, which decides
/// what runs next (pipeline/leveling.hpp). Returns true when queued (a ticket then flows
/// on to the lane, one per job); false when the queue is full and the job is answered
/// "overloaded" (with the reads that followed it, in `released`).
struct WritePriorityStage {
  Services& s;
  bool operator()(const JobPtr& job, std::vector<JobPtr>& released) const;
};

/// serialize: the reply as one wire line; none for notifications and cancelled requests.
struct SerializeStage {
  Services& s;
  void operator()(const JobPtr& job) const;
};

/// egress: hands the reply to the session's transport and frees the admission slot.
struct EgressStage {
  Services& s;
  void operator()(const JobPtr& job) const;
};

/// Runs the next batch the leveling queue chooses, as one script, in the AppleScript lane:
/// skips jobs cancelled while waiting, renders the rest in the backend's dialect, runs
/// the script under the machine-wide lock (blocking, up to the longest timeout of its
/// tools, lock waits and retries included), tries it again after a transient failure
/// (writes only when the database shows they did not happen), fails at once while the
/// circuit breaker is open, gives each job its own result or error, and confirms writes in
/// the database. Returns the jobs it took (empty when the queue was empty). Called only
/// from the lane's own thread.
std::vector<JobPtr> run_next_batch(Services& s);

}  // namespace takt
