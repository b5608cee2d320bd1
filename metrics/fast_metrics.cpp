#include "metrics/fast_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <thread>

namespace takt::fast {

namespace detail {
namespace {
bool tsc_is_usable() {
#if defined(__x86_64__) && defined(__linux__)
  // constant_tsc: the TSC ticks at one rate whatever the core's frequency;
  // nonstop_tsc: it keeps ticking in deep sleep states. Without both, steady_clock.
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("flags", 0) != 0) continue;
    const auto has = [&](const char* flag) { return (" " + line + " ").find(std::string(" ") + flag + " ") != std::string::npos; };
    return has("constant_tsc") && has("nonstop_tsc");
  }
#endif
  return false;
}
}  // namespace
const bool use_tsc = tsc_is_usable();
}  // namespace detail

double seconds_per_tick() {
  static const double value = [] {
    if (!detail::use_tsc) return 1e-9;
    // Ticks against steady_clock over 2 ms: the error of two clock reads (tens of ns)
    // over 2 ms is ~1e-5, well below what a latency histogram resolves.
    const auto t0 = std::chrono::steady_clock::now();
    const Ticks k0 = now();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    const Ticks k1 = now();
    const auto t1 = std::chrono::steady_clock::now();
    const double secs = std::chrono::duration<double>(t1 - t0).count();
    return k1 > k0 ? secs / static_cast<double>(k1 - k0) : 1e-9;
  }();
  return value;
}

Ticks ticks_in(double seconds) {
  const double t = seconds / seconds_per_tick();
  return t >= 1.8e19 ? std::numeric_limits<Ticks>::max() : static_cast<Ticks>(t);
}

// ---- Cells ----------------------------------------------------------------------------

struct Cells::Pool {
  std::mutex mu;
  std::vector<std::unique_ptr<Shard>> shards;
  std::vector<Shard*> free;  ///< shards of threads that ended, values kept
  std::atomic<std::size_t> next{0};
};

namespace {
std::atomic<std::uint64_t> next_cells_id{1};

/// Every shard a thread holds, handed back to its pool when the thread ends.
struct Bindings {
  struct Binding {
    std::uint64_t owner;
    std::weak_ptr<Cells::Pool> pool;
    Cells::Shard* shard;
  };
  std::vector<Binding> held;
  ~Bindings() {
    detail::tls = {};  // a metric updated later on this thread must not write a shard handed back
    for (auto& b : held)
      if (auto pool = b.pool.lock()) {
        std::lock_guard lock(pool->mu);
        pool->free.push_back(b.shard);
      }
  }
};
thread_local Bindings bindings;
}  // namespace

Cells::Cells() : id_(next_cells_id.fetch_add(1)), pool_(std::make_shared<Pool>()) {}
Cells::~Cells() {
  // A thread still holding this shard in its fast path only compares ids: ours is never
  // reused, so it cannot reach the freed shard.
  if (detail::tls.owner == id_) detail::tls = {};
}

std::size_t Cells::allocate(std::size_t n) {
  const auto first = pool_->next.fetch_add(n);
  if (first + n > kCapacity) throw std::length_error("fast metrics: more than " + std::to_string(kCapacity) + " cells");
  return first;
}

Cells::Shard& Cells::attach() {
  // Forget bindings to pools that are gone (tests make many registries on one thread).
  auto& held = bindings.held;
  held.erase(std::remove_if(held.begin(), held.end(), [](const auto& b) { return b.pool.expired(); }), held.end());
  Shard* shard = nullptr;
  for (auto& b : held)
    if (b.owner == id_) shard = b.shard;
  if (!shard) {
    std::lock_guard lock(pool_->mu);
    if (!pool_->free.empty()) {
      shard = pool_->free.back();
      pool_->free.pop_back();
    } else {
      pool_->shards.push_back(std::make_unique<Shard>());
      shard = pool_->shards.back().get();
    }
    held.push_back({id_, pool_, shard});
  }
  detail::tls = {id_, shard};
  return *shard;
}

std::uint64_t Cells::sum(std::size_t i) const {
  std::lock_guard lock(pool_->mu);
  std::uint64_t total = 0;
  for (const auto& s : pool_->shards) total += s->cell[i].load(std::memory_order_relaxed);
  return total;
}

std::size_t Cells::shards() const {
  std::lock_guard lock(pool_->mu);
  return pool_->shards.size();
}

// ---- Metrics --------------------------------------------------------------------------

double Gauge::Value() const {
  // Read down first: an up that pairs with it happened before it, so the difference never
  // dips below the true value by more than the updates racing with this read.
  const auto down = cells_.sum(down_);
  const auto up = cells_.sum(up_);
  return static_cast<double>(static_cast<std::int64_t>(up - down));
}

Histogram::Histogram(Cells& cells, std::vector<double> bounds_seconds)
    : cells_(cells), bounds_(std::move(bounds_seconds)) {
  if (!std::is_sorted(bounds_.begin(), bounds_.end()) ||
      std::adjacent_find(bounds_.begin(), bounds_.end()) != bounds_.end())
    throw std::invalid_argument("histogram bounds must be strictly ascending");
  for (double b : bounds_) bounds_ticks_.push_back(ticks_in(b));
  first_ = cells_.allocate(bounds_.size() + 2);  // buckets, +Inf, sum
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    s.buckets.push_back(cells_.sum(first_ + i));
    s.count += s.buckets.back();
  }
  s.sum = static_cast<double>(cells_.sum(sum_cell())) * seconds_per_tick();
  return s;
}

const std::vector<double>& duration_buckets() {
  static const std::vector<double> b{1e-6,  2.5e-6, 5e-6,  1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3,
                                     5e-3,  1e-2,   2.5e-2, 5e-2, 0.1,    0.25, 0.5,  1,      2.5,  5,    10, 30};
  return b;
}

// ---- Families and the registry -----------------------------------------------------------

namespace {
std::vector<prometheus::ClientMetric::Label> to_labels(const prometheus::Labels& labels) {
  std::vector<prometheus::ClientMetric::Label> out;
  for (const auto& [k, v] : labels) out.push_back({k, v});
  return out;
}
}  // namespace

void fill(const Counter& m, prometheus::ClientMetric& out) { out.counter.value = m.Value(); }
void fill(const Gauge& m, prometheus::ClientMetric& out) { out.gauge.value = m.Value(); }
void fill(const Histogram& m, prometheus::ClientMetric& out) {
  const auto snap = m.snapshot();
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < snap.buckets.size(); ++i) {
    cumulative += snap.buckets[i];
    const double le = i < m.bounds().size() ? m.bounds()[i] : std::numeric_limits<double>::infinity();
    out.histogram.bucket.push_back({cumulative, le});
  }
  out.histogram.sample_count = snap.count;
  out.histogram.sample_sum = snap.sum;
}

FastRegistry::~FastRegistry() = default;

template <class Metric>
Family<Metric>& FastRegistry::family(const std::string& name, const std::string& help, prometheus::MetricType type) {
  std::lock_guard lock(mu_);
  for (auto& f : families_)
    if (f->name == name) {
      auto* same = dynamic_cast<Family<Metric>*>(f.get());
      if (!same) throw std::invalid_argument("metric family " + name + " registered with another type");
      return *same;
    }
  families_.push_back(std::make_unique<Family<Metric>>(cells_, name, help, type, mu_));
  return static_cast<Family<Metric>&>(*families_.back());
}

Family<Counter>& FastRegistry::counters(const std::string& name, const std::string& help) {
  return family<Counter>(name, help, prometheus::MetricType::Counter);
}
Family<Gauge>& FastRegistry::gauges(const std::string& name, const std::string& help) {
  return family<Gauge>(name, help, prometheus::MetricType::Gauge);
}
Family<Histogram>& FastRegistry::histograms(const std::string& name, const std::string& help) {
  return family<Histogram>(name, help, prometheus::MetricType::Histogram);
}

FastRegistry::Handle FastRegistry::callback(const std::string& name, const std::string& help,
                                            prometheus::MetricType type, const prometheus::Labels& labels,
                                            Callback read) {
  if (type != prometheus::MetricType::Counter && type != prometheus::MetricType::Gauge)
    throw std::invalid_argument("a callback metric is a counter or a gauge");
  std::lock_guard lock(mu_);
  const auto id = next_callback_++;
  callbacks_.push_back({id, name, help, type, labels, std::move(read)});
  return Handle(this, id);
}

void FastRegistry::remove(std::uint64_t id) {
  std::lock_guard lock(mu_);
  std::erase_if(callbacks_, [&](const CallbackEntry& c) { return c.id == id; });
}

void FastRegistry::collector(std::function<void(std::vector<prometheus::MetricFamily>&)> collect) {
  std::lock_guard lock(mu_);
  collectors_.push_back(std::move(collect));
}

std::vector<prometheus::MetricFamily> FastRegistry::Collect() const {
  std::lock_guard lock(mu_);
  std::vector<prometheus::MetricFamily> out;
  out.reserve(families_.size() + callbacks_.size());
  for (const auto& f : families_) out.push_back(f->collect());
  for (const auto& c : callbacks_) {
    auto it = std::find_if(out.begin(), out.end(), [&](const auto& f) { return f.name == c.name; });
    if (it == out.end()) it = out.insert(out.end(), prometheus::MetricFamily{c.name, c.help, c.type, {}});
    prometheus::ClientMetric m;
    m.label = to_labels(c.labels);
    (c.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value) = c.read();
    it->metric.push_back(std::move(m));
  }
  for (const auto& collect : collectors_) collect(out);
  return out;
}

}  // namespace takt::fast
