#pragma once
/// takt's Prometheus registry, the metric families every component reports to, and the
/// HTTP exposer that serves them. Thread-safe: counters and gauges may be touched from any
/// thread; serve() is called once at start-up.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <optional>
#include <string>

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

  prometheus::Family<prometheus::Counter>& edges;          ///< takt_edge_messages_total{from,to}
  prometheus::Family<prometheus::Counter>& requests;       ///< takt_requests_total{method}
  prometheus::Family<prometheus::Counter>& tool_calls;     ///< takt_tool_calls_total{tool,outcome}
  prometheus::Family<prometheus::Counter>& scripts;        ///< takt_script_runs_total{outcome}
  prometheus::Family<prometheus::Histogram>& script_seconds;  ///< takt_script_duration_seconds
  prometheus::Family<prometheus::Counter>& cache_lookups;  ///< takt_cache_lookups_total{result}
  prometheus::Family<prometheus::Counter>& cache_events;   ///< takt_cache_events_total{event}
  prometheus::Family<prometheus::Gauge>& queue_depth;      ///< takt_queue_depth{queue}
  prometheus::Family<prometheus::Gauge>& in_flight;        ///< takt_requests_in_flight
  prometheus::Family<prometheus::Gauge>& queue_capacity;   ///< takt_queue_capacity{queue}
  prometheus::Family<prometheus::Counter>& busy_seconds;   ///< takt_applescript_busy_seconds_total
  prometheus::Family<prometheus::Histogram>& wait_seconds;     ///< takt_wait_seconds{lane,class}
  prometheus::Family<prometheus::Histogram>& service_seconds;  ///< takt_service_seconds{lane,class}
  prometheus::Family<prometheus::Counter>& rejections;     ///< takt_rejections_total{reason}
  prometheus::Family<prometheus::Counter>& coalesced;      ///< takt_coalesced_total
  prometheus::Family<prometheus::Counter>& batched;        ///< takt_batched_operations_total
  prometheus::Family<prometheus::Histogram>& batch_size;   ///< takt_batch_size
  prometheus::Family<prometheus::Counter>& cancelled;      ///< takt_cancelled_total{where}

 private:
  explicit Metrics(std::shared_ptr<prometheus::Registry> registry);
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace takt
