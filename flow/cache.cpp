#include "flow/cache.hpp"

#include <spdlog/spdlog.h>

#include <cstdlib>

#include "base/config.hpp"

namespace takt {
namespace {

constexpr std::uint64_t kSweepEvery = 256;  ///< stores between two sweeps of the shared directory

using Wall = SharedCacheDir::WallClock;

/// What one entry costs beside its key and answer (map node, order list node, the shared
/// string's control block), so that many tiny entries count too.
constexpr std::size_t kEntryOverhead = 160;

std::size_t entry_bytes(const std::string& key, const SharedText& value) {
  return key.size() + (value ? value->size() : 0) + kEntryOverhead;
}

}  // namespace

ResponseCache::ResponseCache(std::size_t max_entries, std::unique_ptr<SharedCacheDir> shared, Events events,
                             std::size_t max_bytes)
    : max_entries_(max_entries), max_bytes_(max_bytes), shared_(std::move(shared)), events_(std::move(events)),
      generation_(shared_ ? shared_->generation_word() : &own_generation_) {
  if (shared_) {
    const auto corrupt = shared_->sweep(generation(), Wall::now());
    for (std::size_t i = 0; i < corrupt; ++i) emit(CacheEvent::Corrupt);
  }
}

ResponseCache::~ResponseCache() = default;

SharedText ResponseCache::lookup(const std::string& key, Clock::time_point now, std::uint64_t generation) {
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(key);
    if (it != entries_.end()) {
      const Entry& e = it->second;
      if (e.generation == generation && e.expires > now) return e.value;
      if (e.generation < generation || e.expires <= now) erase(it);  // (a later one is kept)
    }
  }
  if (!shared_) return {};
  SharedCacheDir::Outcome outcome;
  const auto wall = Wall::now();
  auto found = shared_->read(key, generation, wall, outcome);
  if (outcome == SharedCacheDir::Outcome::Corrupt) emit(CacheEvent::Corrupt);
  if (!found) {
    emit(CacheEvent::SharedMiss);
    return {};
  }
  emit(CacheEvent::SharedHit);
  // Kept in memory for what is left of its TTL, under the generation it was filled at.
  const auto left = std::chrono::duration_cast<Clock::duration>(found->expires - wall);
  SharedText value(std::move(found->value));
  insert(key, value, now + left, generation);
  return value;
}

void ResponseCache::store(const std::string& key, SharedText value, std::chrono::milliseconds ttl,
                          std::uint64_t generation, Clock::time_point now) {
  if (ttl.count() <= 0 || max_entries_ == 0) return;
  if (shared_ && generation == this->generation()) {
    const auto wall = Wall::now();
    shared_->write(key, *value, generation, wall + ttl);
    if (stores_.fetch_add(1, std::memory_order_relaxed) % kSweepEvery == kSweepEvery - 1) {
      const auto corrupt = shared_->sweep(generation, wall);
      for (std::size_t i = 0; i < corrupt; ++i) emit(CacheEvent::Corrupt);
    }
  }
  insert(key, std::move(value), now + ttl, generation);
}

bool ResponseCache::insert(const std::string& key, SharedText value, Clock::time_point expires,
                           std::uint64_t generation) {
  std::size_t evicted = 0;
  {
    std::lock_guard lock(mu_);
    // Checked under the lock invalidate() takes, so no store of this process slips in
    // after its write; a write in another process makes the entry stale (its generation).
    if (generation != this->generation()) return false;
    if (auto it = entries_.find(key); it != entries_.end()) erase(it);
    const std::size_t need = entry_bytes(key, value);
    if (need > max_bytes_) return false;  // would push out everything and still not fit
    while (!entries_.empty() && (entries_.size() >= max_entries_ || bytes_ + need > max_bytes_)) {
      erase(entries_.find(order_.front()));
      evictions_.fetch_add(1, std::memory_order_relaxed);
      ++evicted;
    }
    order_.push_back(key);
    bytes_ += need;
    entries_.emplace(key, Entry{std::move(value), expires, generation, std::prev(order_.end())});
  }
  for (std::size_t i = 0; i < evicted; ++i) emit(CacheEvent::Evicted);
  return true;
}

void ResponseCache::invalidate() {
  std::lock_guard lock(mu_);
  std::atomic_ref<std::uint64_t>(*generation_).fetch_add(1, std::memory_order_acq_rel);
  entries_.clear();
  order_.clear();
  bytes_ = 0;
}

std::size_t ResponseCache::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

std::size_t ResponseCache::bytes() const {
  std::lock_guard lock(mu_);
  return bytes_;
}

void ResponseCache::erase(std::unordered_map<std::string, Entry>::iterator it) {
  bytes_ -= entry_bytes(it->first, it->second.value);
  order_.erase(it->second.order);
  entries_.erase(it);
}

std::unique_ptr<SharedCacheDir> open_shared_cache(const CacheConfig& config, const std::string& database) {
  if (!config.enabled || !config.shared) return nullptr;
  std::string dir = config.dir;
  if (dir.empty()) {
    const char* xdg = std::getenv("XDG_CACHE_HOME");
    const char* home = std::getenv("HOME");
    if (xdg && *xdg) dir = std::string(xdg) + "/takt";
    else if (home && *home) dir = std::string(home) + "/.cache/takt";
  }
  std::string why;
  auto shared = SharedCacheDir::open(dir, database, why);
  if (!shared) {
    spdlog::error("shared cache refused: {}; this takt caches for itself only (cache.shared)", why);
    return nullptr;
  }
  spdlog::info("shared cache: {}", shared->path());
  return shared;
}

}  // namespace takt
