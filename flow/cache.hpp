#pragma once
/// The cache of read results, in front of every lane, in two levels.
///
/// The first level is in memory: entries live for a TTL, at most `max_entries` are kept,
/// holding at most `max_bytes` of keys and answers (oldest evicted first). Every write to Things bumps a generation number; each entry
/// records the generation it was filled at and is stale once it differs, and a read that
/// began before a write never stores its (possibly stale) answer after it.
///
/// With a SharedCacheDir (cache.shared), the generation lives in a file every takt process
/// of the user maps, so a write in any process makes every other process's entries stale
/// at once: a hit still costs one atomic load of the generation, nothing more. Only on a
/// first-level miss is the shared entry file read (instead of the database or a script),
/// and every stored result is also written there for the other processes.
///
/// Thread-safe (one mutex; short sections; file I/O outside it).

#include <atomic>
#include <chrono>
#include <ctime>
#include <cstdint>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "flow/shared_cache.hpp"
#include "base/shared_text.hpp"

namespace takt {

struct CacheConfig;

/// What the cache reports for metrics (never on the path of a first-level hit).
enum class CacheEvent {
  Evicted,     ///< an entry dropped to stay within max_entries or max_bytes
  SharedHit,   ///< a first-level miss answered from the shared entry file
  SharedMiss,  ///< a first-level miss the shared level could not answer either
  Corrupt,     ///< a truncated or damaged shared entry file, removed
};

class ResponseCache {
 public:
  using Clock = std::chrono::steady_clock;
  using Events = std::function<void(CacheEvent)>;

  /// The time for a look-up: steady_clock's as of the kernel's last tick (at most a few
  /// milliseconds behind), read without the cost of a precise clock read on every hit. An
  /// entry may so be served up to one tick past its TTL.
  static Clock::time_point coarse_now() noexcept {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return Clock::time_point(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
  }

  /// In memory only: the generation is this process's own. An answer larger than
  /// `max_bytes` on its own is not kept in memory (the shared level still gets it).
  explicit ResponseCache(std::size_t max_entries, std::unique_ptr<SharedCacheDir> shared = nullptr,
                         Events events = {}, std::size_t max_bytes = SIZE_MAX);
  ~ResponseCache();

  /// The fresh value under `key` filled at `generation` (the value generation() gave when
  /// the request was looked up), shared rather than copied; or none: missing, expired or stale.
  SharedText lookup(const std::string& key, Clock::time_point now, std::uint64_t generation);
  SharedText lookup(const std::string& key, Clock::time_point now) { return lookup(key, now, generation()); }
  /// Stores `value` unless a write happened since `generation` was read.
  void store(const std::string& key, SharedText value, std::chrono::milliseconds ttl, std::uint64_t generation,
             Clock::time_point now);
  /// Makes every entry stale, in every process sharing the generation; reads in flight
  /// will not store theirs. Called after each write.
  void invalidate();

  /// The current generation: one relaxed atomic load. Relaxed is enough: it only tells
  /// entries apart, the data itself is read through locks, files or the database.
  std::uint64_t generation() const { return std::atomic_ref<std::uint64_t>(*generation_).load(std::memory_order_relaxed); }
  std::size_t size() const;
  /// Bytes the first level holds: keys and answers, plus a fixed cost per entry.
  std::size_t bytes() const;
  std::uint64_t evictions() const { return evictions_.load(std::memory_order_relaxed); }
  /// The shared level, or nullptr when the cache is this process's alone.
  const SharedCacheDir* shared() const { return shared_.get(); }

 private:
  struct Entry {
    SharedText value;
    Clock::time_point expires;
    std::uint64_t generation;
    std::list<std::string>::iterator order;
  };
  void erase(std::unordered_map<std::string, Entry>::iterator it);
  /// Inserts under the lock; false when `generation` is no longer current.
  bool insert(const std::string& key, SharedText value, Clock::time_point expires, std::uint64_t generation);
  void emit(CacheEvent e) const {
    if (events_) events_(e);
  }

  std::size_t max_entries_;
  std::size_t max_bytes_;
  std::size_t bytes_ = 0;  ///< under mu_
  std::unique_ptr<SharedCacheDir> shared_;
  Events events_;
  alignas(8) std::uint64_t own_generation_ = 0;  ///< used when there is no shared level
  std::uint64_t* generation_;                    ///< own_generation_, or the shared mapping
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> order_;  ///< oldest first
  std::atomic<std::uint64_t> evictions_{0};
  std::atomic<std::uint64_t> stores_{0};  ///< the shared directory is swept every kSweepEvery stores
};

/// The shared level the configuration asks for (cache.shared, cache.dir) for `database`,
/// or nullptr: turned off, or refused (then logged as an error, with why).
std::unique_ptr<SharedCacheDir> open_shared_cache(const CacheConfig& config, const std::string& database);

}  // namespace takt
