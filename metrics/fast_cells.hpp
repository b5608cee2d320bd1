#pragma once
/// The cells of takt's fast metrics (metrics/fast_metrics.hpp): counters, gauges and
/// fixed-bucket histograms updated in a few nanoseconds with no lock, and the cheap clock
/// they time with. This header knows nothing of prometheus-cpp, so code on the
/// per-message path (the stage bodies) can count without it; registering cells under a
/// name and exporting them is fast_metrics.hpp's part. Thread-safety as described there.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#if defined(__x86_64__)
#include <x86intrin.h>
#endif

namespace takt::fast {

using Ticks = std::uint64_t;

namespace detail {
/// True when now() reads the TSC; decided once at start-up from /proc/cpuinfo.
extern const bool use_tsc;

/// One thread's copy of a registry's cells.
template <std::size_t N>
struct Shard {
  std::atomic<std::uint64_t> cell[N];
  /// Only the owning thread writes, so a relaxed load and store is an exact increment.
  void add(std::size_t i, std::uint64_t v) noexcept {
    cell[i].store(cell[i].load(std::memory_order_relaxed) + v, std::memory_order_relaxed);
  }
};

/// The shard this thread used last, and whose (Cells id): the fast path is one compare.
struct LastShard {
  std::uint64_t owner = 0;
  void* shard = nullptr;
};
inline thread_local LastShard tls{};
}  // namespace detail

/// The current time in ticks. Monotonic on one thread; across threads, differences may be
/// off by the TSC skew between cores (tiny; negative differences are clamped to 0).
inline Ticks now() noexcept {
#if defined(__x86_64__)
  if (detail::use_tsc) return __rdtsc();
#endif
  return static_cast<Ticks>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}
/// `to - from`, or 0 when `to` is earlier (another core's clock, or an unset mark).
inline Ticks elapsed(Ticks from, Ticks to) noexcept { return to > from ? to - from : 0; }
/// Seconds per tick, measured once per process (the first call takes ~2 ms).
double seconds_per_tick();
/// Whole ticks in `seconds` (for bucket bounds).
Ticks ticks_in(double seconds);

/// The cells of one FastRegistry, sharded per thread. Cell indices are handed out at
/// registration; a thread's shard is made on its first update and, when the thread ends,
/// handed (values kept) to the next new thread, so short-lived threads do not pile up.
class Cells {
 public:
  static constexpr std::size_t kCapacity = 4096;  ///< cells per shard (32 KiB); takt uses ~850 with 22 tools
  using Shard = detail::Shard<kCapacity>;

  Cells();
  ~Cells();
  Cells(const Cells&) = delete;
  Cells& operator=(const Cells&) = delete;

  /// Reserves `n` consecutive cells (all 0); throws std::length_error when full.
  std::size_t allocate(std::size_t n);
  /// This thread's shard.
  Shard& local() noexcept {
    if (detail::tls.owner == id_) return *static_cast<Shard*>(detail::tls.shard);
    return attach();
  }
  /// The sum of cell `i` over every shard.
  std::uint64_t sum(std::size_t i) const;
  /// Shards made so far (threads that ever updated, minus reuse).
  std::size_t shards() const;

  struct Pool;

 private:
  Shard& attach();

  std::uint64_t id_;  ///< unique per Cells over the process's life: a stale tls never matches
  std::shared_ptr<Pool> pool_;
};

/// A monotonic counter. `scale` turns the integer cell into the exported value (1 for
/// counts; seconds per tick for a sum of ticks).
class Counter {
 public:
  Counter(Cells& cells, std::size_t cell, double scale = 1.0) : cells_(cells), cell_(cell), scale_(scale) {}
  void Increment(std::uint64_t n = 1) noexcept { cells_.local().add(cell_, n); }
  double Value() const { return static_cast<double>(cells_.sum(cell_)) * scale_; }

 private:
  Cells& cells_;
  std::size_t cell_;
  double scale_;
};

/// A gauge that only goes up and down by whole steps (in-flight counts, depths): two
/// monotonic cells, exported as their difference.
class Gauge {
 public:
  Gauge(Cells& cells, std::size_t first) : cells_(cells), up_(first), down_(first + 1) {}
  void Increment() noexcept { cells_.local().add(up_, 1); }
  void Decrement() noexcept { cells_.local().add(down_, 1); }
  double Value() const;

 private:
  Cells& cells_;
  std::size_t up_, down_;
};

/// A histogram of durations with fixed bucket bounds (in seconds, ascending). Keeps one
/// count per bucket (not cumulative) plus +Inf, and the sum in ticks; the count is the
/// sum of the buckets.
class Histogram {
 public:
  Histogram(Cells& cells, std::vector<double> bounds_seconds);
  void observe(Ticks t) noexcept {
    std::size_t i = 0;
    const std::size_t n = bounds_ticks_.size();
    while (i < n && t > bounds_ticks_[i]) ++i;
    auto& shard = cells_.local();
    shard.add(first_ + i, 1);
    shard.add(sum_cell(), t);
  }
  void observe_seconds(double s) noexcept { observe(!(s > 0) ? 0 : ticks_in(s)); }  // NaN too

  struct Snapshot {
    std::vector<std::uint64_t> buckets;  ///< per bucket, not cumulative; last is +Inf
    std::uint64_t count = 0;
    double sum = 0;  ///< seconds
  };
  Snapshot snapshot() const;
  const std::vector<double>& bounds() const { return bounds_; }
  /// The cell holding the sum of ticks (a busy-time counter can alias it).
  std::size_t sum_cell() const { return first_ + bounds_ticks_.size() + 1; }
  Cells& cells() const { return cells_; }

 private:
  Cells& cells_;
  std::vector<double> bounds_;
  std::vector<Ticks> bounds_ticks_;
  std::size_t first_;
};

/// Duration buckets for stage and tool histograms, in seconds: 1 µs to 30 s.
const std::vector<double>& duration_buckets();

}  // namespace takt::fast
