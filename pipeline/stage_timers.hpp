#pragma once
/// Stage timing: per stage a latency histogram (takt_stage_duration_seconds) whose sum is
/// also its busy time (takt_stage_busy_seconds_total), and per tool the time from
/// admission to reply (takt_tool_duration_seconds). One clock read per stage boundary:
/// a stage that the one before puts to on the same thread (the lightweight chain) starts
/// when that one ended, which the job carries in `mark`; a stage whose input waits in a
/// buffer (db_read; the lane) reads the clock when it starts. A stage sets `mark` only on
/// jobs it still owns when it ends (not on a job it handed to the lane or parked).
/// Built once at assembly; done() and replied() are thread-safe (lock-free cells).

#include <array>
#include <vector>

#include "flow/stage.hpp"
#include "metrics/fast_metrics.hpp"
#include "metrics/metrics.hpp"
#include "things/catalog/catalog.hpp"

namespace takt {

class StageTimers {
 public:
  explicit StageTimers(Metrics& m) {
    for (std::size_t i = 1; i < kStageCount; ++i) {  // every stage but ingress (the transport)
      const prometheus::Labels labels{{"stage", stage_name(static_cast<Stage>(i))}};
      stages_[i] = &m.stage_seconds.Add(labels);
      m.stage_busy.alias(labels, stages_[i]->sum_cell(), fast::seconds_per_tick());
    }
    for (const auto& tool : things::tool_catalog()) tools_.push_back(&m.tool_seconds.Add({{"tool", tool.name}}));
  }
  /// Records a run of `stage` that began at `start` (0: unknown, not recorded); returns now.
  fast::Ticks done(Stage stage, fast::Ticks start) noexcept {
    const auto now = fast::now();
    if (start) stages_[static_cast<std::size_t>(stage)]->observe(fast::elapsed(start, now));
    return now;
  }
  /// Records a tools/call answered at `now`.
  void replied(const things::ToolSpec& tool, fast::Ticks admitted, fast::Ticks now) noexcept {
    tools_[static_cast<std::size_t>(&tool - things::tool_catalog().data())]->observe(fast::elapsed(admitted, now));
  }

 private:
  std::array<fast::Histogram*, kStageCount> stages_{};
  std::vector<fast::Histogram*> tools_;  ///< by index in things::tool_catalog()
};

}  // namespace takt
