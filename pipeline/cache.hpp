#pragma once
/// The in-memory cache of read results, in front of every lane. Entries live for a TTL,
/// at most `max_entries` are kept (oldest evicted first), and every write to Things
/// invalidates them all by bumping a generation: a read that began before a write never
/// stores its (possibly stale) answer after it. Thread-safe (one mutex; short sections).

#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "pipeline/text.hpp"

namespace takt {

class ResponseCache {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ResponseCache(std::size_t max_entries) : max_entries_(max_entries) {}

  /// The fresh value under `key` (shared, not copied), or none (missing or expired).
  SharedText lookup(const std::string& key, Clock::time_point now);
  /// Stores `value` unless a write happened since `generation` was read.
  void store(const std::string& key, SharedText value, std::chrono::milliseconds ttl, std::uint64_t generation,
             Clock::time_point now);
  /// Drops every entry; reads in flight will not store theirs. Called after each write.
  void invalidate();

  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }
  std::size_t size() const;
  std::uint64_t evictions() const { return evictions_.load(std::memory_order_relaxed); }

 private:
  struct Entry {
    SharedText value;
    Clock::time_point expires;
    std::list<std::string>::iterator order;
  };
  void erase(std::unordered_map<std::string, Entry>::iterator it);

  std::size_t max_entries_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Entry> entries_;
  std::list<std::string> order_;  ///< oldest first
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<std::uint64_t> evictions_{0};
};

}  // namespace takt
