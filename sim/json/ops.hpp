// Applying sim-dialect ops to the Things database.
#pragma once

#include <functional>
#include <vector>

#include "database.hpp"
#include "dates.hpp"
#include "script.hpp"

namespace takt::sim {

struct Clock {
  Date today;  // local date
  double now;  // Unix seconds
};

// Applies all ops in ONE transaction, each inside its own savepoint: an op that fails
// (unknown uuid, empty title, ...) reports {"ok":false} and leaves no trace, the others
// still apply. SQLite errors abort the whole script (nothing is committed).
// `before_commit`, if set, runs after the last op with the transaction still open (an
// injected crash there proves a dying call commits nothing).
std::vector<OpResult> apply_ops(Database& db, const std::vector<Op>& ops, const Clock& clock,
                                const std::function<void()>& before_commit = {});

}  // namespace takt::sim
