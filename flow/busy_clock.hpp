#pragma once
/// The AppleScript lane's busy time as a scrape sees it: the scripts that finished plus
/// the time the running one has taken so far. A counter bumped only when a script ends
/// would miss the running script at every scrape (up to one script, 0.2 to 10 s), and a
/// utilisation taken over a short window would read low by that much.

#include <chrono>
#include <mutex>

namespace takt {

class BusyClock {
 public:
  using Clock = std::chrono::steady_clock;

  /// A script starts (the lane runs one at a time; a second start ends the first).
  void start() {
    std::lock_guard lock(mu_);
    start_locked(Clock::now());
  }
  void start(Clock::time_point now) {
    std::lock_guard lock(mu_);
    start_locked(now);
  }
  /// The script ends; returns its seconds (0 when none was running).
  double stop() {
    std::lock_guard lock(mu_);
    return stop_locked(Clock::now());
  }
  double stop(Clock::time_point now) {
    std::lock_guard lock(mu_);
    return stop_locked(now);
  }
  /// Seconds busy up to `now`, the running script's share included. Never decreases
  /// while `now` does not.
  double seconds(Clock::time_point now) const {
    std::lock_guard lock(mu_);
    return seconds_locked(now);
  }
  /// The same now: the clock is read under the lock (here and in start() and stop()), so
  /// scrapes never see it go back.
  double seconds() const {
    std::lock_guard lock(mu_);
    return seconds_locked(Clock::now());
  }
  bool running() const {
    std::lock_guard lock(mu_);
    return running_;
  }

 private:
  void start_locked(Clock::time_point now) {
    if (running_) finished_ += now - since_;
    running_ = true;
    since_ = now;
  }
  double stop_locked(Clock::time_point now) {
    if (!running_) return 0;
    running_ = false;
    const auto took = now - since_;
    finished_ += took;
    return std::chrono::duration<double>(took).count();
  }
  double seconds_locked(Clock::time_point now) const {
    auto busy = finished_;
    if (running_ && now > since_) busy += now - since_;
    return std::chrono::duration<double>(busy).count();
  }

  mutable std::mutex mu_;
  bool running_ = false;
  Clock::time_point since_{};
  Clock::duration finished_{};
};

}  // namespace takt
