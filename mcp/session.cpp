#include "mcp/session.hpp"

#include <algorithm>

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

bool Session::track(const std::string& id, const std::shared_ptr<CancelFlag>& cancel) {
  std::lock_guard lock(mu_);
  auto& slot = in_flight_[id];
  if (auto other = slot.lock(); other && other != cancel) return false;
  slot = cancel;
  if (auto it = std::find(pending_cancels_.begin(), pending_cancels_.end(), id); it != pending_cancels_.end()) {
    pending_cancels_.erase(it);
    cancel->store(true, std::memory_order_release);
  }
  return true;
}

void Session::untrack(const std::string& id, const CancelFlag* cancel) {
  std::lock_guard lock(mu_);
  auto it = in_flight_.find(id);
  if (it == in_flight_.end()) return;
  auto current = it->second.lock();
  if (!current || current.get() == cancel) in_flight_.erase(it);
}

bool Session::cancel(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = in_flight_.find(id);
  auto flag = it == in_flight_.end() ? nullptr : it->second.lock();
  if (!flag) {
    pending_cancels_.push_back(id);
    if (pending_cancels_.size() > kPendingCancels) pending_cancels_.pop_front();
    return false;
  }
  flag->store(true, std::memory_order_release);
  return true;
}

bool Session::subscribe(const std::string& uri) {
  std::lock_guard lock(mu_);
  return subscriptions_.insert(uri).second;
}

bool Session::unsubscribe(const std::string& uri) {
  std::lock_guard lock(mu_);
  return subscriptions_.erase(uri) > 0;
}

bool Session::subscribed(const std::string& uri) const {
  std::lock_guard lock(mu_);
  return subscriptions_.count(uri) > 0;
}

std::vector<std::string> Session::subscriptions() const {
  std::lock_guard lock(mu_);
  return {subscriptions_.begin(), subscriptions_.end()};
}

void Session::cancel_all() {
  std::lock_guard lock(mu_);
  for (auto& [id, weak] : in_flight_)
    if (auto flag = weak.lock()) flag->store(true, std::memory_order_release);
}

}  // namespace takt
