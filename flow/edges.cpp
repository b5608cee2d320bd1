#include "flow/edges.hpp"

#include "metrics/fast_metrics.hpp"

namespace takt {

void EdgeCounters::declare(Stage from, Stage to) {
  auto& slot = counters_[index(from)][index(to)];
  if (!slot) slot = &family_.Add({{"from", stage_name(from)}, {"to", stage_name(to)}});
}

}  // namespace takt
