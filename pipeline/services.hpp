#pragma once
/// What the stage bodies share: configuration, metrics, the cache, the database, the
/// backend, admission, and live counters of the AppleScript lane. Owned by the Pipeline;
/// every member is thread-safe or immutable after start-up.

#include <atomic>
#include <memory>
#include <string>

#include "app/config.hpp"
#include "metrics/metrics.hpp"
#include "pipeline/admission.hpp"
#include "pipeline/cache.hpp"
#include "pipeline/edges.hpp"
#include "pipeline/job.hpp"
#include "things/db.hpp"
#include "things/ops.hpp"
#include "things/runner.hpp"

namespace takt {

/// The program behind the AppleScript lane and how to speak to it.
struct Backend {
  std::string kind;      ///< "sim" or "osascript"
  std::string label;     ///< what the user is told: "things-sim (/path)" or "Things 3 via osascript"
  std::string database;  ///< the Things database that reads and verifications use
  things::ScriptCommand command;
  std::shared_ptr<const things::Dialect> dialect;
};

/// Live state of the AppleScript lane, for queue_status and health_check.
struct LaneStats {
  std::atomic<long long> slow_depth{0};
  std::atomic<bool> script_running{false};
  std::atomic<long long> scripts_run{0};
  std::atomic<long long> scripts_failed{0};
};

struct Services {
  Services(const Config& c, Metrics& m, things::ThingsDb& d, Backend b, Admission& a)
      : config(c), metrics(m), edges(m.edges), cache(c.cache.max_entries), db(d), backend(std::move(b)),
        admission(a), started(Clock::now()) {}

  const Config& config;
  Metrics& metrics;
  EdgeCounters edges;
  ResponseCache cache;
  things::ThingsDb& db;
  Backend backend;
  Admission& admission;
  LaneStats lane;
  Clock::time_point started;
};

/// Sends notifications/progress for a job that asked for it (has a progressToken).
void send_progress(Job& job, double progress, double total, const std::string& message);

}  // namespace takt
