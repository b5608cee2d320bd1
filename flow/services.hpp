#pragma once
/// What the stage bodies share: configuration, metrics, the cache, the database, the
/// backend, admission, the AppleScript lane's leveling queue, coalescing of identical
/// reads, and measured service times. Owned by whoever builds the Pipeline; every member
/// is thread-safe or immutable after start-up.

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/config.hpp"
#include "metrics/metrics.hpp"
#include "flow/admission.hpp"
#include "flow/breaker.hpp"
#include "flow/busy_clock.hpp"
#include "flow/cache.hpp"
#include "flow/coalesce.hpp"
#include "flow/edges.hpp"
#include "flow/job.hpp"
#include "flow/leveling.hpp"
#include "things/db/db.hpp"
#include "things/os/file_lock.hpp"
#include "things/script/ops.hpp"
#include "things/os/runner.hpp"

namespace takt {

struct MethodSpec;

/// Runs one script; things::run_script in production, a controllable stand-in in graph
/// tests. `abandon` is polled while it runs: true means stop it (its whole process group).
using ScriptRunner = std::function<things::ScriptOutput(const things::ScriptCommand&, const std::string& script,
                                                        Millis timeout, const std::function<bool()>& abandon)>;

/// The program behind the AppleScript lane and how to speak to it.
struct Backend {
  std::string kind;      ///< "sim" or "osascript"
  std::string label;     ///< what the user is told: "things-sim (/path)" or "Things 3 via osascript"
  std::string database;  ///< the Things database that reads and verifications use
  things::ScriptCommand command;
  std::shared_ptr<const things::Dialect> dialect;
  ScriptRunner run = &things::run_script;
  /// The machine-wide lock taken around each script (every takt of the user driving this
  /// Things takes the same one); none in graph tests.
  std::shared_ptr<const MachineLock> lock;
  /// Once the script's process has exited, its writes are in the database or never will
  /// be (things-sim). osascript is not like that: Things may still carry out an Apple
  /// event whose osascript was killed, so only "not running" proves a write did not happen.
  bool writes_settle_on_exit = false;
};

/// Why a script is tried again (takt_script_retries_total{reason}).
enum class RetryReason { Timeout, NotRunning, Busy, Crashed };
constexpr const char* kRetryReasons[] = {"timeout", "not_running", "busy", "crashed"};

/// Live state of the AppleScript lane, for queue_status and health_check.
struct LaneStats {
  BusyClock busy;  ///< a script running, and the lane's busy time (takt_applescript_busy_seconds_total)
  std::atomic<long long> scripts_run{0};
  std::atomic<long long> scripts_failed{0};
  std::atomic<long long> db_waiting{0};  ///< reads routed to the database lane, not yet started
  std::atomic<long long> progress_waiting{0};  ///< jobs in the leveling queue that asked for progress
};

/// Measured service time of one tool in the AppleScript lane (per operation).
struct ToolTiming {
  std::atomic<std::uint64_t> runs{0};
  std::atomic<double> ewma_ms{0};
};

/// Metric handles resolved once, so hot paths never look up label sets.
struct LaneMetrics {
  explicit LaneMetrics(Metrics& m);
  fast::Gauge* in_flight;  ///< touched twice per message: a fast gauge
  prometheus::Gauge* depth_applescript;
  prometheus::Gauge* depth_database;
  prometheus::Counter* coalesced;
  prometheus::Counter* batched;
  prometheus::Histogram* batch_size;
  prometheus::Counter* rejected_admission;
  prometheus::Counter* rejected_applescript;
  prometheus::Counter* rejected_database;
  prometheus::Counter* cancelled_waiting;
  prometheus::Counter* cancelled_running;
  fast::Counter* cache_hit;
  fast::Counter* cache_miss;
  std::vector<fast::Counter*> requests;  ///< by index in all_methods(); last: unknown
  std::vector<std::array<fast::Counter*, 2>> tool_calls;  ///< by tool index: ok, error
  std::array<std::array<prometheus::Histogram*, 3>, 3> wait;     ///< [lane][class]
  std::array<std::array<prometheus::Histogram*, 3>, 3> service;  ///< [lane][class]
  prometheus::Histogram* lock_wait;
  std::array<prometheus::Counter*, 4> retries;  ///< by RetryReason
};

struct Services {
  Services(const Config& c, Metrics& m, things::ThingsDb& d, Backend b, Admission& a);

  /// The expected cost class of a tool: measured once it ran often enough, else the
  /// configured class (tools.cost), else the catalogue's.
  CostClass cost_of(const things::ToolSpec& tool) const;
  void count_request(const MethodSpec* method);
  void count_tool_call(const things::ToolSpec& tool, bool ok);
  void record_service(const things::ToolSpec& tool, double ms_per_op);
  Millis timeout_of(const things::ToolSpec& tool) const;

  const Config& config;
  Metrics& metrics;
  EdgeCounters edges;
  LaneMetrics lane_metrics;
  ResponseCache cache;
  InFlightReads inflight;
  LevelingQueue leveling;
  things::ThingsDb& db;
  Backend backend;
  Admission& admission;
  LaneStats lane;
  CircuitBreaker breaker;
  std::vector<ToolTiming> timings;  ///< by index in things::tool_catalog()
  Clock::time_point started;
};

}  // namespace takt
