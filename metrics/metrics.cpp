#include "metrics/metrics.hpp"

#include <prometheus/exposer.h>
#include <prometheus/text_serializer.h>

#include <algorithm>

#include "base/version.hpp"
#include "metrics/process.hpp"

namespace takt {

/// What the exposer serves: both registries, families of one name merged into one.
class Metrics::Combined final : public prometheus::Collectable {
 public:
  explicit Combined(const Metrics& m) : m_(m) {}
  std::vector<prometheus::MetricFamily> Collect() const override { return m_.collect(); }

 private:
  const Metrics& m_;
};

Metrics::Metrics()
    : Metrics::Metrics(std::make_shared<prometheus::Registry>(), std::make_shared<fast::FastRegistry>()) {}

Metrics::Metrics(std::shared_ptr<prometheus::Registry> reg, std::shared_ptr<fast::FastRegistry> fst)
    : registry_(std::move(reg)),
      fast_(std::move(fst)),
      edges(fast_->counters("takt_edge_messages_total",
                            "Messages that crossed an edge of the request graph, by source and target stage")),
      in_flight(fast_->gauges("takt_requests_in_flight", "Messages admitted into the graph and not yet answered")),
      stage_seconds(fast_->histograms("takt_stage_duration_seconds",
                                      "Time one stage of the graph took for one message (the AppleScript lane: for one "
                                      "batch), by stage")),
      stage_busy(fast_->counters("takt_stage_busy_seconds_total",
                                 "Seconds a stage of the graph spent working, summed over its threads, by stage")),
      tool_seconds(fast_->histograms("takt_tool_duration_seconds",
                                     "Time from admission to reply of a tools/call, by tool")),
      requests(fast_->counters("takt_requests_total",
                               "MCP messages received, by JSON-RPC method (unknown methods as 'unknown')")),
      tool_calls(fast_->counters("takt_tool_calls_total", "tools/call requests answered, by tool and outcome (ok, error)")),
      cache_lookups(fast_->counters("takt_cache_lookups_total", "Cache look-ups of cacheable reads, by result (hit, miss)")),
      scripts(prometheus::BuildCounter()
                  .Name("takt_script_runs_total")
                  .Help("Scripts run in the AppleScript lane, by outcome (ok, failed, timeout, abandoned, skipped)")
                  .Register(*registry_)),
      script_seconds(prometheus::BuildHistogram()
                         .Name("takt_script_duration_seconds")
                         .Help("Wall time of one script in the AppleScript lane, process start to exit")
                         .Register(*registry_)),
      cache_events(prometheus::BuildCounter()
                       .Name("takt_cache_events_total")
                       .Help("Cache events: evicted, shared_hit, shared_miss, corrupt (shared entry files removed)")
                       .Register(*registry_)),
      queue_depth(prometheus::BuildGauge()
                      .Name("takt_queue_depth")
                      .Help("Jobs waiting in a buffer of the graph, by queue")
                      .Register(*registry_)),
      queue_capacity(prometheus::BuildGauge()
                         .Name("takt_queue_capacity")
                         .Help("Configured bound of a buffer of the graph, by queue")
                         .Register(*registry_)),
      wait_seconds(prometheus::BuildHistogram()
                       .Name("takt_wait_seconds")
                       .Help("Time a request waited in its lane before running, by lane and cost class")
                       .Register(*registry_)),
      service_seconds(prometheus::BuildHistogram()
                          .Name("takt_service_seconds")
                          .Help("Time a request took to run once started, by lane and cost class")
                          .Register(*registry_)),
      rejections(prometheus::BuildCounter()
                     .Name("takt_rejections_total")
                     .Help("Requests answered 'overloaded, retry later', by the bound that was full")
                     .Register(*registry_)),
      coalesced(prometheus::BuildCounter()
                    .Name("takt_coalesced_total")
                    .Help("Reads answered by an identical read already in flight instead of running again")
                    .Register(*registry_)),
      batched(prometheus::BuildCounter()
                  .Name("takt_batched_operations_total")
                  .Help("Operations that ran in a script together with others (batching)")
                  .Register(*registry_)),
      batch_size(prometheus::BuildHistogram()
                     .Name("takt_batch_size")
                     .Help("Operations per script run in the AppleScript lane")
                     .Register(*registry_)),
      cancelled(prometheus::BuildCounter()
                    .Name("takt_cancelled_total")
                    .Help("Requests cancelled by the client, by where they were (waiting, running)")
                    .Register(*registry_)),
      script_retries(prometheus::BuildCounter()
                         .Name("takt_script_retries_total")
                         .Help("Scripts run again after a transient failure, by the failure (timeout, not_running, busy, crashed)")
                         .Register(*registry_)),
      lock_wait_seconds(prometheus::BuildHistogram()
                            .Name("takt_lock_wait_seconds")
                            .Help("Time the AppleScript lane waited for the machine-wide script lock")
                            .Register(*registry_)),
      url_settle_seconds(prometheus::BuildHistogram()
                             .Name("takt_url_settle_seconds")
                             .Help("Time a write read back a change sent through Things' URL scheme until it showed "
                                   "(or backend.url_settle passed)")
                             .Register(*registry_)),
      messages(prometheus::BuildCounter()
                   .Name("takt_messages_total")
                   .Help("MCP messages received, by the transport they came over (stdio, http)")
                   .Register(*registry_)),
      http_sessions(prometheus::BuildGauge()
                        .Name("takt_http_sessions")
                        .Help("MCP sessions open over HTTP (clients of this takt)")
                        .Register(*registry_)),
      http_responses(prometheus::BuildCounter()
                         .Name("takt_http_responses_total")
                         .Help("HTTP answers at /mcp, by status code (408: a connection cut off by the read time-out)")
                         .Register(*registry_)),
      http_backlog_wait(prometheus::BuildHistogram()
                            .Name("takt_http_backlog_wait_seconds")
                            .Help("Time a message of an HTTP session waited in its session's backlog before the "
                                  "pipeline took it (0 when it went in at once)")
                            .Register(*registry_)),
      combined_(std::make_shared<Combined>(*this)) {
  // Resolved now so that they appear in the first scrape, before any retry or lock wait.
  for (const char* reason : {"timeout", "not_running", "busy", "crashed"}) script_retries.Add({{"reason", reason}});
  for (const char* outcome : {"ok", "failed", "timeout", "abandoned", "skipped"}) scripts.Add({{"outcome", outcome}});
  script_seconds.Add({}, script_buckets());
  lock_wait_seconds.Add({}, lock_wait_buckets());
  url_settle_seconds.Add({}, script_buckets());
  for (const char* transport : {"stdio", "http"}) messages.Add({{"transport", transport}});
  http_sessions.Add({});
  http_responses.Add({{"code", "200"}});
  http_backlog_wait.Add({}, lock_wait_buckets());
  fast_->collector(&collect_process_metrics);
  prometheus::BuildGauge()
      .Name("takt_build_info")
      .Help("Build information of the running takt; the value is always 1")
      .Register(*registry_)
      .Add({{"version", kVersion}})
      .Set(1);
}

Metrics::~Metrics() = default;

std::optional<std::string> Metrics::serve(const std::string& listen, std::string& error) {
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(listen, 1);
    exposer_->RegisterCollectable(combined_);
    auto ports = exposer_->GetListeningPorts();
    auto host = listen.substr(0, listen.rfind(':'));
    if (ports.empty()) throw std::runtime_error("no listening port");
    return "http://" + host + ":" + std::to_string(ports.front()) + "/metrics";
  } catch (const std::exception& e) {
    exposer_.reset();
    error = e.what();
    return std::nullopt;
  }
}

std::vector<prometheus::MetricFamily> Metrics::collect() const {
  auto out = registry_->Collect();
  for (auto& f : fast_->Collect()) {
    auto same = std::find_if(out.begin(), out.end(), [&](const auto& o) { return o.name == f.name; });
    if (same == out.end()) out.push_back(std::move(f));
    else std::move(f.metric.begin(), f.metric.end(), std::back_inserter(same->metric));
  }
  return out;
}

std::string Metrics::scrape() const {
  prometheus::TextSerializer s;
  return s.Serialize(collect());
}

const prometheus::Histogram::BucketBoundaries& Metrics::script_buckets() {
  static const prometheus::Histogram::BucketBoundaries b{0.01, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30};
  return b;
}

const prometheus::Histogram::BucketBoundaries& Metrics::lock_wait_buckets() {
  static const prometheus::Histogram::BucketBoundaries b{0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
  return b;
}

}  // namespace takt
