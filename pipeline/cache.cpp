#include "pipeline/cache.hpp"

namespace takt {

SharedText ResponseCache::lookup(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return {};
  if (it->second.expires <= now) {
    erase(it);
    return {};
  }
  return it->second.value;
}

void ResponseCache::store(const std::string& key, SharedText value, std::chrono::milliseconds ttl,
                          std::uint64_t generation, Clock::time_point now) {
  if (ttl.count() <= 0 || max_entries_ == 0) return;
  std::lock_guard lock(mu_);
  // Checked under the lock that invalidate() takes, so no store slips in after a write.
  if (generation != generation_.load(std::memory_order_acquire)) return;
  if (auto it = entries_.find(key); it != entries_.end()) erase(it);
  while (entries_.size() >= max_entries_) {
    erase(entries_.find(order_.front()));
    evictions_.fetch_add(1, std::memory_order_relaxed);
  }
  order_.push_back(key);
  entries_.emplace(key, Entry{std::move(value), now + ttl, std::prev(order_.end())});
}

void ResponseCache::invalidate() {
  std::lock_guard lock(mu_);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  entries_.clear();
  order_.clear();
}

std::size_t ResponseCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

void ResponseCache::erase(std::unordered_map<std::string, Entry>::iterator it) {
  order_.erase(it->second.order);
  entries_.erase(it);
}

}  // namespace takt
