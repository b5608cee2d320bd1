#pragma once
/// takt's Prometheus registry, the metric families every component reports to, and the
/// HTTP exposer that serves them. Thread-safe: counters and gauges may be touched from any
/// thread; serve() is called once at start-up.
///
/// Two kinds of families: prometheus-cpp's (a mutex or a compare-and-swap per update; for
/// work that takes milliseconds: scripts, database reads, rejections) and takt's own fast
/// ones (metrics/fast_metrics.hpp; a few nanoseconds, no shared cache line; for what every
/// message touches: edges, stage timing, in-flight, requests, tool calls, cache look-ups). A scrape serves both as one text,
/// families of the same name merged.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "metrics/fast_metrics.hpp"

namespace prometheus {
class Exposer;
}

namespace takt {

class Metrics {
 public:
  Metrics();
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  /// Starts the HTTP exposer on `listen` (host:port, port 0 picks one). Returns the
  /// scrape URL, or nullopt with `error` set when the address cannot be bound.
  std::optional<std::string> serve(const std::string& listen, std::string& error);
  /// The text exposition format, as a scrape returns it.
  std::string scrape() const;

  prometheus::Registry& registry() { return *registry_; }
  fast::FastRegistry& fast() { return *fast_; }
  /// Every family of both registries, merged by name (what a scrape serves).
  std::vector<prometheus::MetricFamily> collect() const;

  /// Bucket bounds of takt_script_duration_seconds and takt_lock_wait_seconds (resolved
  /// at start with these, so that every series exists before the first script).
  static const prometheus::Histogram::BucketBoundaries& script_buckets();
  static const prometheus::Histogram::BucketBoundaries& lock_wait_buckets();

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<fast::FastRegistry> fast_;

 public:
  // Per message (fast families).
  fast::Family<fast::Counter>& edges;             ///< takt_edge_messages_total{from,to}
  fast::Family<fast::Gauge>& in_flight;           ///< takt_requests_in_flight
  fast::Family<fast::Histogram>& stage_seconds;   ///< takt_stage_duration_seconds{stage}
  fast::Family<fast::Counter>& stage_busy;        ///< takt_stage_busy_seconds_total{stage} (aliases the sums)
  fast::Family<fast::Histogram>& tool_seconds;    ///< takt_tool_duration_seconds{tool}
  fast::Family<fast::Counter>& requests;          ///< takt_requests_total{method}
  fast::Family<fast::Counter>& tool_calls;        ///< takt_tool_calls_total{tool,outcome}
  fast::Family<fast::Counter>& cache_lookups;     ///< takt_cache_lookups_total{result}
  // Per script, read, rejection... (prometheus-cpp families).
  prometheus::Family<prometheus::Counter>& scripts;        ///< takt_script_runs_total{outcome}
  prometheus::Family<prometheus::Histogram>& script_seconds;  ///< takt_script_duration_seconds
  prometheus::Family<prometheus::Counter>& cache_events;   ///< takt_cache_events_total{event}
  prometheus::Family<prometheus::Gauge>& queue_depth;      ///< takt_queue_depth{queue}
  prometheus::Family<prometheus::Gauge>& queue_capacity;   ///< takt_queue_capacity{queue}
  prometheus::Family<prometheus::Histogram>& wait_seconds;     ///< takt_wait_seconds{lane,class}
  prometheus::Family<prometheus::Histogram>& service_seconds;  ///< takt_service_seconds{lane,class}
  prometheus::Family<prometheus::Counter>& rejections;     ///< takt_rejections_total{reason}
  prometheus::Family<prometheus::Counter>& coalesced;      ///< takt_coalesced_total
  prometheus::Family<prometheus::Counter>& batched;        ///< takt_batched_operations_total
  prometheus::Family<prometheus::Histogram>& batch_size;   ///< takt_batch_size
  prometheus::Family<prometheus::Counter>& cancelled;      ///< takt_cancelled_total{where}
  prometheus::Family<prometheus::Counter>& script_retries;    ///< takt_script_retries_total{reason}
  prometheus::Family<prometheus::Histogram>& lock_wait_seconds;  ///< takt_lock_wait_seconds
  prometheus::Family<prometheus::Histogram>& url_settle_seconds;  ///< takt_url_settle_seconds
  // Transports: many clients in one takt (no label per session: ids are unbounded).
  prometheus::Family<prometheus::Counter>& messages;       ///< takt_messages_total{transport}
  prometheus::Family<prometheus::Gauge>& http_sessions;    ///< takt_http_sessions
  prometheus::Family<prometheus::Counter>& http_responses; ///< takt_http_responses_total{code}
  prometheus::Family<prometheus::Histogram>& http_backlog_wait;  ///< takt_http_backlog_wait_seconds

 private:
  Metrics(std::shared_ptr<prometheus::Registry> registry, std::shared_ptr<fast::FastRegistry> fast);
  class Combined;
  std::shared_ptr<Combined> combined_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace takt
