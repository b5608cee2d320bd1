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
#include "metrics/fast_cells.hpp"
#include "metrics/handles.hpp"
#include "flow/admission.hpp"
#include "flow/breaker.hpp"
#include "flow/busy_clock.hpp"
#include "flow/cache.hpp"
#include "flow/coalesce.hpp"
#include "flow/database_access.hpp"
#include "flow/edges.hpp"
#include "flow/job.hpp"
#include "flow/lane_metrics.hpp"
#include "flow/leveling.hpp"
#include "flow/mirror_slot.hpp"
#include "flow/watcher.hpp"
#include "things/db/db.hpp"
#include "things/os/file_lock.hpp"
#include "things/script/ops.hpp"
#include "things/os/runner.hpp"

namespace takt {

class Metrics;
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

struct Services {
  Services(const Config& c, Metrics& m, things::ThingsDb& d, Backend b, Admission& a);

  /// The expected cost class of a tool: measured once it ran often enough, else the
  /// configured class (tools.cost), else the catalogue's.
  CostClass cost_of(const things::ToolSpec& tool) const;
  void count_request(const MethodSpec* method);
  void record_service(const things::ToolSpec& tool, double ms_per_op);
  Millis timeout_of(const things::ToolSpec& tool) const;
  /// Whether reads go through AppleScript now: tools.reads_via says so, or it says auto
  /// and the database could not be read at the last look (db_access).
  bool reads_through_applescript() const {
    return config.tools.reads_via == ReadsVia::AppleScript ||
           (config.tools.reads_via == ReadsVia::Auto && !db_access.readable());
  }

  const Config& config;
  Metrics& metrics;
  EdgeCounters edges;
  LaneMetrics lane_metrics;
  ResponseCache cache;
  InFlightReads inflight;
  LevelingQueue leveling;
  things::ThingsDb& db;
  /// Whether `db` can be read now (no Full Disk Access on a Mac: it cannot).
  DatabaseAccess db_access;
  Backend backend;
  Admission& admission;
  LaneStats lane;
  CircuitBreaker breaker;
  /// takt's mirror of Things, for reads through AppleScript (tools.reads_via).
  MirrorSlot mirror;
  std::vector<ToolTiming> timings;  ///< by index in things::tool_catalog()
  Clock::time_point started;
  /// Outside changes of the database (cache.watch): drops the cache, notifies resource
  /// subscribers; nullptr when not watched. Last, so it stops before the rest goes.
  std::unique_ptr<ChangeWatcher> watcher;
};

}  // namespace takt
