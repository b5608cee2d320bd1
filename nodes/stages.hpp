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

#include <vector>

#include "base/config.hpp"
#include "flow/admission.hpp"
#include "flow/cache.hpp"
#include "flow/coalesce.hpp"
#include "flow/database_access.hpp"
#include "flow/edges.hpp"
#include "flow/job.hpp"
#include "flow/lane_metrics.hpp"
#include "flow/leveling.hpp"

namespace takt {

struct Services;
namespace things {
class ThingsDb;
}

// A stage that uses a few of the services names them in its `Uses` (same names as in
// Services, so a body reads `s.cache` either way) and is built from the Services by the
// graph, or from the parts alone by a test. Classify, fast and the AppleScript lane use
// most of them and take the Services whole.

/// parse: the line becomes a validated JSON-RPC message, or a parse/invalid-request error.
struct ParseStage {
  struct Uses {
    EdgeCounters& edges;
    const Config& config;
    LaneMetrics& lane_metrics;
  } s;
  ParseStage(Services& all);  // NOLINT: implicit, the graph builds stages from the Services
  explicit ParseStage(Uses parts) : s(parts) {}
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
  struct Uses {
    EdgeCounters& edges;
    const Config& config;
    ResponseCache& cache;
    InFlightReads& inflight;
    LaneStats& lane;
    LaneMetrics& lane_metrics;
  } s;
  CacheLookupStage(Services& all);  // NOLINT
  explicit CacheLookupStage(Uses parts) : s(parts) {}
  Destination operator()(const JobPtr& job, std::vector<JobPtr>& released) const;
};

/// fast: protocol methods and status tools, answered in-process.
struct FastStage {
  Services& s;
  void operator()(const JobPtr& job) const;
};

/// db_read: a read of the Things database. Blocks on SQLite for milliseconds; the node
/// runs at most pipeline.db_readers of these at once.
/// resources/read, prompts/get, ...: the method's answer read from `db` (Things' database,
/// or takt's mirror of Things), or its JSON-RPC error.
void run_protocol_read(Job& job, things::ThingsDb& db);

struct DbReadStage {
  struct Uses {
    EdgeCounters& edges;
    const Config& config;
    things::ThingsDb& db;
    DatabaseAccess& db_access;
    InFlightReads& inflight;
    LaneStats& lane;
    LaneMetrics& lane_metrics;
  } s;
  DbReadStage(Services& all);  // NOLINT
  explicit DbReadStage(Uses parts) : s(parts) {}
  void operator()(const JobPtr& job) const;
};

/// cache_store: a fresh read result enters the cache (unless a write came in between),
/// and the reads that followed it get its answer. Returns the job and its followers.
struct CacheStoreStage {
  struct Uses {
    EdgeCounters& edges;
    const Config& config;
    ResponseCache& cache;
    InFlightReads& inflight;
  } s;
  CacheStoreStage(Services& all);  // NOLINT
  explicit CacheStoreStage(Uses parts) : s(parts) {}
  std::vector<JobPtr> operator()(JobPtr job) const;
};

/// write_priority: the job enters the AppleScript lane's leveling queue, which decides
/// what runs next (pipeline/leveling.hpp). Returns true when queued (a ticket then flows
/// on to the lane, one per job); false when the queue is full and the job is answered
/// "overloaded" (with the reads that followed it, in `released`).
struct WritePriorityStage {
  struct Uses {
    EdgeCounters& edges;
    const Config& config;
    LevelingQueue& leveling;
    InFlightReads& inflight;
    LaneStats& lane;
    LaneMetrics& lane_metrics;
  } s;
  WritePriorityStage(Services& all);  // NOLINT
  explicit WritePriorityStage(Uses parts) : s(parts) {}
  bool operator()(const JobPtr& job, std::vector<JobPtr>& released) const;
};

/// serialize: the reply as one wire line; none for notifications and cancelled requests.
struct SerializeStage {
  struct Uses {
    EdgeCounters& edges;
    LaneMetrics& lane_metrics;
  } s;
  SerializeStage(Services& all);  // NOLINT
  explicit SerializeStage(Uses parts) : s(parts) {}
  void operator()(const JobPtr& job) const;
};

/// egress: hands the reply to the session's transport and frees the admission slot.
struct EgressStage {
  struct Uses {
    EdgeCounters& edges;
    Admission& admission;
    LaneMetrics& lane_metrics;
  } s;
  EgressStage(Services& all);  // NOLINT
  explicit EgressStage(Uses parts) : s(parts) {}
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
