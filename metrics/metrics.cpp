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
      queue_depth(prometheus::BuildGauge()
                      .Name("takt_queue_depth")
                      .Help("Jobs waiting in a buffer of the graph, by queue")
                      .Register(*r)),
      in_flight(prometheus::BuildGauge()
                    .Name("takt_requests_in_flight")
                    .Help("Messages admitted into the graph and not yet answered")
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
