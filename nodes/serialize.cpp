#include <spdlog/spdlog.h>

#include <utility>

#include "metrics/fast_cells.hpp"
#include "nodes/stages.hpp"
#include "things/catalog/catalog.hpp"

namespace takt {

void SerializeStage::operator()(const JobPtr& job) const {
  s.edges.enter(*job, Stage::Serialize);
  const bool request = job->is_request();
  if (job->tool) s.lane_metrics.count_tool_call(*job->tool, !(job->error || job->tool_failed));
  if (spdlog::should_log(spdlog::level::debug) && job->msg) {
    const auto ms = [](Clock::time_point a, Clock::time_point b) {
      return a == Clock::time_point{} || b == Clock::time_point{} ? 0.0 : std::chrono::duration<double, std::milli>(b - a).count();
    };
    const auto now = Clock::now();
    spdlog::debug("request {} {}{}{} class={} lane={} wait={:.2f}ms service={:.2f}ms total={:.2f}ms{}", job->id(),
                  job->msg->method, job->tool ? " " : "", job->tool ? job->tool->name : "", cost_class_name(job->cost), lane_label(job->lane),
                  ms(job->queued_at, job->started_at), ms(job->started_at, now),
                  static_cast<double>(fast::elapsed(job->admitted_ticks, fast::now())) * fast::seconds_per_tick() * 1000.0,
                  job->cancelled.load() ? " (cancelled)" : "");
  }
  if (!request || job->cancelled.load(std::memory_order_acquire)) return;  // no reply is owed
  if (job->error) {
    job->wire = mcp::make_error(job->id(), *job->error);
  } else if (job->result) {
    job->wire = mcp::make_result(job->id(), *job->result);
  } else {
    job->wire = mcp::make_error(job->id(), {mcp::kInternalError, "Internal error: the request was not answered"});
    spdlog::error("request {} ({}) reached serialize unanswered", job->id(), job->msg ? job->msg->method : "?");
  }
}

}  // namespace takt
