#pragma once
/// The AppleScript lane's circuit breaker. After `threshold` scripts in a row failed as a
/// whole (Things did not answer, was not running, crashed), it opens: scripts are not
/// started and their requests fail at once. After `cooldown` the next script runs as a
/// probe (half-open); it closes the breaker if it works and reopens it if not.
/// Thread-safe: the lane's thread asks and reports, health_check reads a snapshot.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include "base/config.hpp"

namespace takt {

class CircuitBreaker {
 public:
  using Clock = std::chrono::steady_clock;
  enum class State { Closed, Open, HalfOpen };

  /// What health_check shows.
  struct Snapshot {
    State state = State::Closed;
    unsigned consecutive_failures = 0;
    std::string reason;           ///< the last failure that counted, empty when none
    double retry_in_seconds = 0;  ///< open: time until the probe may run
    std::uint64_t opened = 0;     ///< how often it opened since start
  };

  CircuitBreaker(unsigned threshold, Millis cooldown) : threshold_(threshold), cooldown_(cooldown) {}

  /// May a script run now? Closed: yes. Open: no, until the cool-down is over; then it
  /// turns half-open and lets this one script through as the probe.
  bool allow(Clock::time_point now);
  /// The script ran (whatever its operations answered): the breaker closes.
  void succeeded();
  /// The script failed as a whole; `reason` says how, in words for the user.
  void failed(const std::string& reason, Clock::time_point now);
  Snapshot snapshot(Clock::time_point now) const;
  /// The error a request gets while the breaker is open.
  std::string open_message(Clock::time_point now) const;

 private:
  const unsigned threshold_;
  const Millis cooldown_;
  mutable std::mutex mu_;
  State state_ = State::Closed;
  unsigned failures_ = 0;
  std::string reason_;
  Clock::time_point opened_at_{};
  std::uint64_t opened_ = 0;
};

const char* state_name(CircuitBreaker::State state);

}  // namespace takt
