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

#include "metrics/fast_cells.hpp"

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

namespace takt::fast {

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
