#include "flow/breaker.hpp"

#include <cmath>

namespace takt {

bool CircuitBreaker::allow(Clock::time_point now) {
  std::lock_guard lock(mu_);
  if (state_ == State::Open) {
    if (now - opened_at_ < cooldown_) return false;
    state_ = State::HalfOpen;  // this script is the probe
  }
  return true;
}

void CircuitBreaker::succeeded() {
  std::lock_guard lock(mu_);
  state_ = State::Closed;
  failures_ = 0;
}

void CircuitBreaker::failed(const std::string& reason, Clock::time_point now) {
  std::lock_guard lock(mu_);
  reason_ = reason;
  ++failures_;
  if (state_ == State::HalfOpen || (state_ == State::Closed && failures_ >= threshold_)) {
    state_ = State::Open;
    opened_at_ = now;
    ++opened_;
  }
}

CircuitBreaker::Snapshot CircuitBreaker::snapshot(Clock::time_point now) const {
  std::lock_guard lock(mu_);
  Snapshot s;
  s.state = state_;
  s.consecutive_failures = failures_;
  s.reason = reason_;
  s.opened = opened_;
  if (state_ == State::Open) {
    const double left = std::chrono::duration<double>(opened_at_ + cooldown_ - now).count();
    s.retry_in_seconds = left > 0 ? left : 0;
  }
  return s;
}

std::string CircuitBreaker::open_message(Clock::time_point now) const {
  const auto s = snapshot(now);
  const auto secs = static_cast<long long>(std::ceil(s.retry_in_seconds));
  return "Things is not answering: the last " + std::to_string(s.consecutive_failures) +
         " scripts failed (last: " + s.reason + "), so takt stopped sending scripts for now (circuit breaker open); " +
         "it tries again in " + std::to_string(secs) + " s. Nothing was changed. Requests that need no script "
         "(database reads, cached answers, status tools) still work; health_check shows the state.";
}

const char* state_name(CircuitBreaker::State state) {
  switch (state) {
    case CircuitBreaker::State::Closed: return "closed";
    case CircuitBreaker::State::Open: return "open";
    case CircuitBreaker::State::HalfOpen: return "half_open";
  }
  return "?";
}

}  // namespace takt
