#pragma once
/// Metrics cheap enough for the per-message path: a few nanoseconds per update, no lock,
/// no read-modify-write instruction. Counters, gauges and fixed-bucket histograms keep
/// unsigned 64-bit cells; every thread that updates them writes its own copy of the cells
/// (a shard), with a relaxed load and store, so no two threads ever contend for a cache
/// line. A scrape sums the shards. Values are exported through the same exposer as the
/// prometheus-cpp registry (FastRegistry is a prometheus::Collectable), so names, HELP and
/// TYPE come out in the one text format.
///
/// Thread-safety: updates (Counter::Increment, Gauge::Increment/Decrement,
/// Histogram::observe) are safe from any thread at any time; Family::Add and the
/// FastRegistry's other registrations take a mutex and are meant for start-up; Collect()
/// is safe concurrently with updates. A reader sees each cell's latest value or a recent
/// one (relaxed), never a torn one; a histogram's buckets and sum may be a few
/// observations apart in one scrape, as with any lock-free exporter.
///
/// Time is measured in ticks of a cheap clock (the TSC on x86-64 when the CPU says it runs
/// at a constant rate across sleep states, else steady_clock nanoseconds); one calibration
/// per process turns ticks into seconds.

#include <prometheus/collectable.h>
#include <prometheus/labels.h>
#include <prometheus/metric_family.h>

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

/// A metric's current value in the exposition's terms.
void fill(const Counter& m, prometheus::ClientMetric& out);
void fill(const Gauge& m, prometheus::ClientMetric& out);
void fill(const Histogram& m, prometheus::ClientMetric& out);

/// A named family of one kind of metric, each member identified by its labels.
template <class Metric>
class Family;

/// The registry of fast metrics; a prometheus::Collectable for the exposer.
class FastRegistry final : public prometheus::Collectable {
 public:
  FastRegistry() = default;
  FastRegistry(const FastRegistry&) = delete;
  FastRegistry& operator=(const FastRegistry&) = delete;
  ~FastRegistry() override;

  Family<Counter>& counters(const std::string& name, const std::string& help);
  Family<Gauge>& gauges(const std::string& name, const std::string& help);
  Family<Histogram>& histograms(const std::string& name, const std::string& help);

  /// A value read at scrape time (a gauge, or a counter kept elsewhere). Removed when the
  /// returned handle is destroyed; the callback must stay valid until then.
  using Callback = std::function<double()>;
  class Handle;
  [[nodiscard]] Handle callback(const std::string& name, const std::string& help, prometheus::MetricType type,
                                const prometheus::Labels& labels, Callback read);
  /// Families produced by a function at scrape time (process metrics).
  void collector(std::function<void(std::vector<prometheus::MetricFamily>&)> collect);

  std::vector<prometheus::MetricFamily> Collect() const override;
  Cells& cells() { return cells_; }

  struct FamilyBase;

 private:
  template <class Metric>
  Family<Metric>& family(const std::string& name, const std::string& help, prometheus::MetricType type);
  struct CallbackEntry {
    std::uint64_t id;
    std::string name, help;
    prometheus::MetricType type;
    prometheus::Labels labels;
    Callback read;
  };
  void remove(std::uint64_t id);

  Cells cells_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<FamilyBase>> families_;
  std::vector<CallbackEntry> callbacks_;
  std::vector<std::function<void(std::vector<prometheus::MetricFamily>&)>> collectors_;
  std::uint64_t next_callback_ = 1;
};

/// Keeps a FastRegistry::callback registered; unregisters it at destruction.
class FastRegistry::Handle {
 public:
  Handle() = default;
  Handle(FastRegistry* r, std::uint64_t id) : r_(r), id_(id) {}
  Handle(Handle&& o) noexcept : r_(std::exchange(o.r_, nullptr)), id_(o.id_) {}
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      r_ = std::exchange(o.r_, nullptr);
      id_ = o.id_;
    }
    return *this;
  }
  ~Handle() { reset(); }
  void reset() {
    if (r_) r_->remove(id_);
    r_ = nullptr;
  }

 private:
  FastRegistry* r_ = nullptr;
  std::uint64_t id_ = 0;
};

struct FastRegistry::FamilyBase {
  FamilyBase(std::string n, std::string h, prometheus::MetricType t) : name(std::move(n)), help(std::move(h)), type(t) {}
  virtual ~FamilyBase() = default;
  virtual prometheus::MetricFamily collect() const = 0;
  std::string name, help;
  prometheus::MetricType type;
};

template <class Metric>
class Family final : public FastRegistry::FamilyBase {
 public:
  Family(Cells& cells, std::string name, std::string help, prometheus::MetricType type, std::mutex& mu)
      : FamilyBase(std::move(name), std::move(help), type), cells_(cells), mu_(mu) {}

  /// The member with these labels, made on first use (Histogram: with these bounds).
  template <class... Args>
  Metric& Add(const prometheus::Labels& labels, Args&&... args) {
    std::lock_guard lock(mu_);
    for (auto& [l, m] : members_)
      if (l == labels) return *m;
    members_.emplace_back(labels, make(std::forward<Args>(args)...));
    return *members_.back().second;
  }
  /// A counter that reads another metric's cell (e.g. a histogram's sum of ticks); the
  /// member already there if these labels have one.
  Metric& alias(const prometheus::Labels& labels, std::size_t cell, double scale) {
    std::lock_guard lock(mu_);
    for (auto& [l, m] : members_)
      if (l == labels) return *m;
    members_.emplace_back(labels, std::make_unique<Metric>(cells_, cell, scale));
    return *members_.back().second;
  }
  prometheus::MetricFamily collect() const override {
    prometheus::MetricFamily f{name, help, type, {}};
    for (const auto& [labels, m] : members_) {
      prometheus::ClientMetric c;
      for (const auto& [k, v] : labels) c.label.push_back({k, v});
      fill(*m, c);
      f.metric.push_back(std::move(c));
    }
    return f;
  }

 private:
  template <class... Args>
  std::unique_ptr<Metric> make(Args&&... args) {
    if constexpr (std::is_same_v<Metric, Histogram>) {
      if constexpr (sizeof...(Args) == 0) return std::make_unique<Histogram>(cells_, duration_buckets());
      else return std::make_unique<Histogram>(cells_, std::vector<double>(std::forward<Args>(args)...));
    } else if constexpr (std::is_same_v<Metric, Gauge>) {
      return std::make_unique<Gauge>(cells_, cells_.allocate(2));
    } else {
      return std::make_unique<Counter>(cells_, cells_.allocate(1));
    }
  }

  Cells& cells_;
  std::mutex& mu_;
  std::deque<std::pair<prometheus::Labels, std::unique_ptr<Metric>>> members_;
};

}  // namespace takt::fast
