#pragma once
/// The AppleScript lane's live state (LaneStats) and the metric handles the stages update
/// (LaneMetrics), resolved once at start-up so hot paths never look up label sets. Neither
/// includes prometheus-cpp: the handles update it out of line (metrics/handles.hpp).
/// Thread-safe: atomics and lock-free or internally synchronised metrics.

#include <array>
#include <atomic>
#include <cstdint>
#include <vector>

#include "flow/busy_clock.hpp"
#include "metrics/fast_cells.hpp"
#include "metrics/handles.hpp"

namespace takt {

class Metrics;
namespace things {
struct ToolSpec;
}

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
  metric::GaugeHandle depth_applescript;
  metric::GaugeHandle depth_database;
  metric::CounterHandle coalesced;
  metric::CounterHandle batched;
  metric::HistogramHandle batch_size;
  metric::CounterHandle rejected_admission;
  metric::CounterHandle rejected_applescript;
  metric::CounterHandle rejected_database;
  metric::CounterHandle cancelled_waiting;
  metric::CounterHandle cancelled_running;
  fast::Counter* cache_hit;
  fast::Counter* cache_miss;
  std::vector<fast::Counter*> requests;  ///< by index in all_methods(); last: unknown
  std::vector<std::array<fast::Counter*, 2>> tool_calls;  ///< by tool index: ok, error
  std::array<std::array<metric::HistogramHandle, 3>, 3> wait;     ///< [lane][class]
  std::array<std::array<metric::HistogramHandle, 3>, 3> service;  ///< [lane][class]
  metric::HistogramHandle lock_wait;
  metric::HistogramHandle url_settle;  ///< takt_url_settle_seconds
  std::array<metric::CounterHandle, 4> retries;  ///< by RetryReason
  /// takt_scripts_total by outcome, and takt_script_duration_seconds.
  metric::CounterHandle script_ok, script_failed, script_timeout, script_abandoned, script_skipped;
  metric::HistogramHandle script_seconds;

  /// takt_tool_calls_total{tool, outcome} for one answered tools/call.
  void count_tool_call(const things::ToolSpec& tool, bool ok);
};

}  // namespace takt
