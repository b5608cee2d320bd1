#include "metrics/metrics.hpp"

#include <prometheus/exposer.h>
#include <prometheus/text_serializer.h>

#include "app/version.hpp"

namespace takt {

namespace {
std::shared_ptr<prometheus::Registry> make_registry() { return std::make_shared<prometheus::Registry>(); }
}  // namespace

Metrics::Metrics()
    : Metrics::Metrics(make_registry()) {}

Metrics::Metrics(std::shared_ptr<prometheus::Registry> r)
    : edges(prometheus::BuildCounter()
                .Name("takt_edge_messages_total")
                .Help("Messages that crossed an edge of the request graph, by source and target stage")
                .Register(*r)),
      requests(prometheus::BuildCounter()
                   .Name("takt_requests_total")
                   .Help("MCP messages received, by JSON-RPC method (unknown methods as 'unknown')")
                   .Register(*r)),
      tool_calls(prometheus::BuildCounter()
                     .Name("takt_tool_calls_total")
                     .Help("tools/call requests answered, by tool and outcome (ok, error)")
                     .Register(*r)),
      scripts(prometheus::BuildCounter()
                  .Name("takt_script_runs_total")
                  .Help("Scripts run in the AppleScript lane, by outcome (ok, failed, timeout, skipped)")
                  .Register(*r)),
      script_seconds(prometheus::BuildHistogram()
                         .Name("takt_script_duration_seconds")
                         .Help("Wall time of one script in the AppleScript lane, process start to exit")
                         .Register(*r)),
      cache_lookups(prometheus::BuildCounter()
                        .Name("takt_cache_lookups_total")
                        .Help("Cache look-ups of cacheable reads, by result (hit, miss)")
                        .Register(*r)),
      cache_events(prometheus::BuildCounter()
                       .Name("takt_cache_events_total")
                       .Help("Cache events: evicted, shared_hit, shared_miss, corrupt (shared entry files removed)")
                       .Register(*r)),
      queue_depth(prometheus::BuildGauge()
                      .Name("takt_queue_depth")
                      .Help("Jobs waiting in a buffer of the graph, by queue")
                      .Register(*r)),
      in_flight(prometheus::BuildGauge()
                    .Name("takt_requests_in_flight")
                    .Help("Messages admitted into the graph and not yet answered")
                    .Register(*r)),
      queue_capacity(prometheus::BuildGauge()
                         .Name("takt_queue_capacity")
                         .Help("Configured bound of a buffer of the graph, by queue")
                         .Register(*r)),
      busy_seconds(prometheus::BuildCounter()
                       .Name("takt_applescript_busy_seconds_total")
                       .Help("Seconds the AppleScript lane spent running scripts; over wall time, its utilisation")
                       .Register(*r)),
      wait_seconds(prometheus::BuildHistogram()
                       .Name("takt_wait_seconds")
                       .Help("Time a request waited in its lane before running, by lane and cost class")
                       .Register(*r)),
      service_seconds(prometheus::BuildHistogram()
                          .Name("takt_service_seconds")
                          .Help("Time a request took to run once started, by lane and cost class")
                          .Register(*r)),
      rejections(prometheus::BuildCounter()
                     .Name("takt_rejections_total")
                     .Help("Requests answered 'overloaded, retry later', by the bound that was full")
                     .Register(*r)),
      coalesced(prometheus::BuildCounter()
                    .Name("takt_coalesced_total")
                    .Help("Reads answered by an identical read already in flight instead of running again")
                    .Register(*r)),
      batched(prometheus::BuildCounter()
                  .Name("takt_batched_operations_total")
                  .Help("Operations that ran in a script together with others (batching)")
                  .Register(*r)),
      batch_size(prometheus::BuildHistogram()
                     .Name("takt_batch_size")
                     .Help("Operations per script run in the AppleScript lane")
                     .Register(*r)),
      cancelled(prometheus::BuildCounter()
                    .Name("takt_cancelled_total")
                    .Help("Requests cancelled by the client, by where they were (waiting, running)")
                    .Register(*r)),
      registry_(std::move(r)) {
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
    exposer_->RegisterCollectable(registry_);
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

std::string Metrics::scrape() const {
  prometheus::TextSerializer s;
  return s.Serialize(registry_->Collect());
}

}  // namespace takt
