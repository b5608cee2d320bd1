#include "mcp/session.hpp"

#include <algorithm>

#include "pipeline/job.hpp"

namespace takt {

namespace {
constexpr const char* kLevels[] = {"debug", "info", "notice", "warning", "error", "critical", "alert", "emergency"};
}

const char* log_level_name(LogLevel l) { return kLevels[static_cast<int>(l)]; }

bool parse_log_level(std::string_view name, LogLevel& out) {
  for (int i = 0; i < 8; ++i)
    if (name == kLevels[i]) {
      out = static_cast<LogLevel>(i);
      return true;
    }
  return false;
}

bool Session::track(const std::string& id, const std::shared_ptr<Job>& job) {
  std::lock_guard lock(mu_);
  auto& slot = in_flight_[id];
  if (auto other = slot.lock(); other && other != job) return false;
  slot = job;
  if (auto it = std::find(pending_cancels_.begin(), pending_cancels_.end(), id); it != pending_cancels_.end()) {
    pending_cancels_.erase(it);
    job->cancelled.store(true, std::memory_order_release);
  }
  return true;
}

void Session::untrack(const std::string& id, const Job* job) {
  std::lock_guard lock(mu_);
  auto it = in_flight_.find(id);
  if (it == in_flight_.end()) return;
  auto current = it->second.lock();
  if (!current || current.get() == job) in_flight_.erase(it);
}

bool Session::cancel(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = in_flight_.find(id);
  auto job = it == in_flight_.end() ? nullptr : it->second.lock();
  if (!job) {
    pending_cancels_.push_back(id);
    if (pending_cancels_.size() > kPendingCancels) pending_cancels_.pop_front();
    return false;
  }
  job->cancelled.store(true, std::memory_order_release);
  return true;
}

}  // namespace takt
