#pragma once
/// Keeps takt in step with a Things database that someone else changes (Things itself, a
/// sync from the phone, another takt, things-sim): a thread looks every `interval` whether
/// the database changed (things::ChangeProbe: one PRAGMA data_version and one stat, no
/// query of the data). On a change it drops the response cache at once (every process
/// sharing it), then re-reads only the resources some session subscribed to and sends
/// notifications/resources/updated to their subscribers for those whose content changed
/// (a hash per subscribed resource), and last brings the lists' index of the tasks up to
/// date (things/db/task_index.hpp), as it does once when it starts. Thread-safe.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/config.hpp"
#include "mcp/session.hpp"
#include "things/db/change_probe.hpp"
#include "things/db/db.hpp"

namespace takt {

class ResponseCache;

class ChangeWatcher {
 public:
  ChangeWatcher(things::ThingsDb& db, ResponseCache& cache, Millis interval);
  ~ChangeWatcher();
  ChangeWatcher(const ChangeWatcher&) = delete;
  ChangeWatcher& operator=(const ChangeWatcher&) = delete;

  /// `session` subscribed to `uri` (already in its subscriptions), whose content was
  /// `content` when it subscribed: a later change to it is notified.
  void watch(const std::shared_ptr<Session>& session, const std::string& uri, const std::string& content);

  /// Changes of the database seen, and notifications sent, since start.
  std::uint64_t changes() const { return changes_.load(std::memory_order_relaxed); }
  std::uint64_t notifications() const { return notifications_.load(std::memory_order_relaxed); }

 private:
  void run();
  void on_change();
  /// Rebuilds the lists' index of the tasks on the connections no read holds
  /// (things::ThingsDb::refresh_index), so the next read does not wait for it.
  void refresh_index();

  things::ThingsDb& db_;
  ResponseCache& cache_;
  Millis interval_;
  things::ChangeProbe probe_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;                                     ///< under mu_
  std::vector<std::weak_ptr<Session>> sessions_;          ///< under mu_: sessions that subscribed
  std::unordered_map<std::string, std::size_t> hashes_;  ///< under mu_: content hash per subscribed uri
  std::atomic<std::uint64_t> changes_{0}, notifications_{0};
  std::thread thread_;  ///< started once everything above exists and the probe took its first look
};

}  // namespace takt
