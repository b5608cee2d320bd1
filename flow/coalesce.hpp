#pragma once
/// Identical reads in flight share one execution: the first with a given key leads and
/// runs; the ones that arrive while it is in flight follow and get its answer.
/// Thread-safe (one mutex; short sections).

#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "flow/job.hpp"

namespace takt {

class InFlightReads {
 public:
  /// Makes `job` the leader for its key (returns false) or a follower of the read already
  /// in flight (returns true: the caller parks it; finish() hands it back).
  bool join(const JobPtr& job) {
    std::lock_guard lock(mu_);
    auto [it, fresh] = reads_.try_emplace(job->cache_key);
    if (!fresh) it->second.push_back(job);
    return !fresh;
  }
  /// The leader is done: its followers, to be answered with its answer.
  std::vector<JobPtr> finish(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = reads_.find(key);
    if (it == reads_.end()) return {};
    auto followers = std::move(it->second);
    reads_.erase(it);
    return followers;
  }
  /// A cancelled leader may be dropped only while nobody follows it; true when dropped.
  bool try_abandon(const std::string& key) {
    std::lock_guard lock(mu_);
    auto it = reads_.find(key);
    if (it == reads_.end() || !it->second.empty()) return it == reads_.end();
    reads_.erase(it);
    return true;
  }

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::vector<JobPtr>> reads_;
};

}  // namespace takt
