#pragma once
/// Edge accounting: every edge of the graph has a counter takt_edge_messages_total{from,to},
/// created when the edge is declared. A stage calls enter() when a job crosses into it.
/// Declaring happens at assembly (single-threaded); enter() is thread-safe afterwards and
/// costs a few nanoseconds (a fast counter: metrics/fast_metrics.hpp).

#include <array>
#include <stdexcept>
#include <string>

#include "metrics/fast_cells.hpp"
#include "flow/job.hpp"

namespace takt {

namespace fast {
template <class Metric>
class Family;
}

class EdgeCounters {
 public:
  explicit EdgeCounters(fast::Family<fast::Counter>& family) : family_(family) {}

  void declare(Stage from, Stage to);  ///< edges.cpp
  /// Counts the job crossing from the stage it was in to `to`.
  void enter(Job& job, Stage to) {
    auto* c = counters_[index(job.stage)][index(to)];
    if (!c) throw std::logic_error(std::string("undeclared edge ") + stage_name(job.stage) + " -> " + stage_name(to));
    c->Increment();
    job.stage = to;
  }
  bool declared(Stage from, Stage to) const { return counters_[index(from)][index(to)] != nullptr; }
  double value(Stage from, Stage to) const {
    auto* c = counters_[index(from)][index(to)];
    return c ? c->Value() : 0.0;
  }

 private:
  static std::size_t index(Stage s) { return static_cast<std::size_t>(s); }
  fast::Family<fast::Counter>& family_;
  std::array<std::array<fast::Counter*, kStageCount>, kStageCount> counters_{};
};

}  // namespace takt
