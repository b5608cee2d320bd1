#include "flow/services.hpp"

#include "metrics/metrics.hpp"

#include "flow/methods.hpp"
#include "things/catalog/catalog.hpp"

namespace takt {

namespace {
const prometheus::Histogram::BucketBoundaries& latency_buckets() {
  static const prometheus::Histogram::BucketBoundaries b{0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1,
                                                         0.25,   0.5,    1,     2.5,   5,    10,   30};
  return b;
}
constexpr const char* kClasses[] = {"fast", "medium", "slow"};
constexpr Lane kLanes[] = {Lane::InProcess, Lane::Database, Lane::AppleScript};

std::size_t tool_index(const things::ToolSpec& tool) {
  return static_cast<std::size_t>(&tool - things::tool_catalog().data());
}

/// takt_cache_events_total, by CacheEvent (in its order); label sets resolved at start.
ResponseCache::Events count_cache_events(Metrics& m) {
  std::array<prometheus::Counter*, 4> by_event{};
  const char* names[] = {"evicted", "shared_hit", "shared_miss", "corrupt"};
  for (std::size_t i = 0; i < by_event.size(); ++i) by_event[i] = &m.cache_events.Add({{"event", names[i]}});
  return [by_event](CacheEvent e) { by_event[static_cast<std::size_t>(e)]->Increment(); };
}
}  // namespace

LaneMetrics::LaneMetrics(Metrics& m)
    : in_flight(&m.in_flight.Add({})),
      depth_applescript(&m.queue_depth.Add({{"queue", "applescript"}})),
      depth_database(&m.queue_depth.Add({{"queue", "database"}})),
      coalesced(&m.coalesced.Add({})),
      batched(&m.batched.Add({})),
      batch_size(&m.batch_size.Add({}, prometheus::Histogram::BucketBoundaries{1, 2, 5, 10, 25, 50, 100, 250})),
      rejected_admission(&m.rejections.Add({{"reason", "admission"}})),
      rejected_applescript(&m.rejections.Add({{"reason", "applescript_queue"}})),
      rejected_database(&m.rejections.Add({{"reason", "database_queue"}})),
      cancelled_waiting(&m.cancelled.Add({{"where", "waiting"}})),
      cancelled_running(&m.cancelled.Add({{"where", "running"}})),
      cache_hit(&m.cache_lookups.Add({{"result", "hit"}})),
      cache_miss(&m.cache_lookups.Add({{"result", "miss"}})) {
  for (const auto& method : all_methods()) requests.push_back(&m.requests.Add({{"method", std::string(method.name)}}));
  requests.push_back(&m.requests.Add({{"method", "unknown"}}));
  for (const auto& tool : things::tool_catalog())
    tool_calls.push_back({&m.tool_calls.Add({{"tool", tool.name}, {"outcome", "ok"}}),
                          &m.tool_calls.Add({{"tool", tool.name}, {"outcome", "error"}})});
  for (std::size_t l = 0; l < 3; ++l)
    for (std::size_t c = 0; c < 3; ++c) {
      const prometheus::Labels labels{{"lane", lane_label(kLanes[l])}, {"class", kClasses[c]}};
      wait[l][c] = metric::HistogramHandle(&m.wait_seconds.Add(labels, latency_buckets()));
      service[l][c] = metric::HistogramHandle(&m.service_seconds.Add(labels, latency_buckets()));
    }
  lock_wait = metric::HistogramHandle(&m.lock_wait_seconds.Add({}, Metrics::lock_wait_buckets()));
  url_settle = metric::HistogramHandle(&m.url_settle_seconds.Add({}, Metrics::script_buckets()));
  const auto outcome = [&m](const char* name) { return metric::CounterHandle(&m.scripts.Add({{"outcome", name}})); };
  script_ok = outcome("ok");
  script_failed = outcome("failed");
  script_timeout = outcome("timeout");
  script_abandoned = outcome("abandoned");
  script_skipped = outcome("skipped");
  script_seconds = metric::HistogramHandle(
      &m.script_seconds.Add({}, prometheus::Histogram::BucketBoundaries{0.01, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30}));
  for (std::size_t r = 0; r < retries.size(); ++r) retries[r] = metric::CounterHandle(&m.script_retries.Add({{"reason", kRetryReasons[r]}}));
}

Services::Services(const Config& c, Metrics& m, things::ThingsDb& d, Backend b, Admission& a)
    : config(c),
      metrics(m),
      edges(m.edges),
      lane_metrics(m),
      cache(c.cache.max_entries, open_shared_cache(c.cache, b.database), count_cache_events(m), c.cache.max_bytes),
      leveling(LevelingQueue::Policy{c.lane.max_writes_passing_a_read,
                                     {c.lane.weight_fast, c.lane.weight_medium, c.lane.weight_slow},
                                     c.lane.batch_max,
                                     c.pipeline.slow_queue_capacity,
                                     c.lane.session_turns}),
      db(d),
      backend(std::move(b)),
      admission(a),
      breaker(c.backend.breaker_failures, c.backend.breaker_cooldown),
      timings(things::tool_catalog().size()),
      started(Clock::now()) {
  m.queue_capacity.Add({{"queue", "applescript"}}).Set(static_cast<double>(c.pipeline.slow_queue_capacity));
  m.queue_capacity.Add({{"queue", "database"}}).Set(static_cast<double>(c.pipeline.db_queue_capacity));
  m.queue_capacity.Add({{"queue", "admission"}}).Set(static_cast<double>(c.server.max_in_flight));
  if (c.cache.watch.count() > 0) watcher = std::make_unique<ChangeWatcher>(d, cache, c.cache.watch);
}

CostClass Services::cost_of(const things::ToolSpec& tool) const {
  const auto& t = timings[tool_index(tool)];
  if (t.runs.load(std::memory_order_relaxed) >= config.lane.reclassify_after) {
    const double ms = t.ewma_ms.load(std::memory_order_relaxed);
    if (ms < static_cast<double>(config.lane.fast_below.count())) return CostClass::Fast;
    if (ms > static_cast<double>(config.lane.slow_above.count())) return CostClass::Slow;
    return CostClass::Medium;
  }
  auto it = config.tools.cost.find(tool.name);
  return it == config.tools.cost.end() ? tool.cost : it->second;
}

void Services::record_service(const things::ToolSpec& tool, double ms_per_op) {
  // Only the lane's thread records, so a plain load-compute-store is not racy.
  auto& t = timings[tool_index(tool)];
  const auto n = t.runs.load(std::memory_order_relaxed);
  const double old = t.ewma_ms.load(std::memory_order_relaxed);
  t.ewma_ms.store(n == 0 ? ms_per_op : 0.8 * old + 0.2 * ms_per_op, std::memory_order_relaxed);
  t.runs.store(n + 1, std::memory_order_relaxed);
}

void Services::count_request(const MethodSpec* method) {
  const auto methods = all_methods();
  const auto i = method ? static_cast<std::size_t>(method - methods.data()) : methods.size();
  lane_metrics.requests[i]->Increment();
}

void LaneMetrics::count_tool_call(const things::ToolSpec& tool, bool ok) {
  tool_calls[tool_index(tool)][ok ? 0 : 1]->Increment();
}

Millis Services::timeout_of(const things::ToolSpec& tool) const {
  auto it = config.tools.timeout.find(tool.name);
  return it == config.tools.timeout.end() ? config.backend.script_timeout : it->second;
}

}  // namespace takt
