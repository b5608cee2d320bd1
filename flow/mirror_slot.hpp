#pragma once
/// takt's mirror of Things (things/mirror) as the AppleScript lane keeps it, for reads
/// through AppleScript (tools.reads_via: applescript): the last one read, with the reads'
/// ThingsDb over it, until it is older than tools.mirror_max_age or takt writes to Things.
/// Thread-safe; a mirror handed out stays valid while its holder keeps it.

#include <chrono>
#include <memory>
#include <mutex>

#include "base/config.hpp"
#include "things/db/db.hpp"
#include "things/mirror/mirror.hpp"

namespace takt {

/// A mirror and the database reads over it; immutable once made.
struct MirrorView {
  using Clock = std::chrono::steady_clock;
  MirrorView(things::Mirror m, things::TodayFn today, Clock::time_point at)
      : mirror(std::move(m)),
        db(std::make_unique<things::ThingsDb>(mirror.connection(), std::move(today), things::ThingsDb::Borrowed::Frozen)),
        taken(at) {}
  things::Mirror mirror;
  std::unique_ptr<things::ThingsDb> db;
  Clock::time_point taken;
};

class MirrorSlot {
 public:
  using Clock = std::chrono::steady_clock;
  /// The mirror, when there is one no older than `max_age` at `now`; else nullptr.
  std::shared_ptr<const MirrorView> fresh(Clock::time_point now, Millis max_age) const {
    std::lock_guard lock(mu_);
    if (!view_ || now - view_->taken > max_age) return nullptr;
    return view_;
  }
  void put(std::shared_ptr<const MirrorView> v) {
    std::lock_guard lock(mu_);
    view_ = std::move(v);
  }
  /// takt changed Things: the next read through AppleScript reads the mirror again.
  void invalidate() {
    std::lock_guard lock(mu_);
    view_.reset();
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const MirrorView> view_;
};

}  // namespace takt
