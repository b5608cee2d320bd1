#include <spdlog/spdlog.h>

#include "nodes/stages.hpp"
#include "things/catalog/resources.hpp"
#include "things/catalog/tools.hpp"

namespace takt {

void run_protocol_read(Job& job, things::ThingsDb& db) {
  const auto& read = *job.protocol_read;
  try {
    job.result = read.run(db);
  } catch (const things::NotFound& e) {
    job.fail(read.not_found_code, (read.not_found_code == things::kResourceNotFound ? "Resource not found: " : "Invalid params: ") +
                                      std::string(e.what()));
  } catch (const things::DbError& e) {
    spdlog::warn("{} failed: {}", job.msg->method, e.what());
    job.fail(mcp::kInternalError, std::string("Internal error: ") + e.what());
  } catch (const std::invalid_argument& e) {
    job.fail(mcp::kInvalidParams, std::string("Invalid params: ") + e.what());
  }
}

void DbReadStage::operator()(const JobPtr& job) const {
  s.edges.enter(*job, Stage::DbRead);
  s.lane.db_waiting.fetch_sub(1);
  s.lane_metrics.depth_database.Decrement();
  const auto start = Clock::now();
  const auto cls = static_cast<int>(job->cost);
  s.lane_metrics.wait[1][cls].Observe(std::chrono::duration<double>(start - job->queued_at).count());
  if (job->cancelled.load(std::memory_order_acquire) && s.inflight.try_abandon(job->cache_key)) {
    s.lane_metrics.cancelled_waiting.Increment();
    return;  // nobody is waiting for this read any more
  }
  job->started_at = start;
  if (job->protocol_read) {
    run_protocol_read(*job, s.db);
  } else {
    try {
      job->result = things::tool_result(things::run_read(*job->tool, *job->arguments, s.db));
    } catch (const things::NotFound& e) {
      job->tool_fail(things::tool_error(e.what()));
    } catch (const things::DbError& e) {
      spdlog::warn("{} failed: {}", job->tool->name, e.what());
      // The database may have become unreadable: with tools.reads_via: auto the next reads
      // go through AppleScript.
      const bool switched = s.config.tools.reads_via == ReadsVia::Auto && !s.db_access.check(s.db);
      job->tool_fail(things::tool_error(std::string(e.what()) +
                                        (switched ? " takt now reads Things through AppleScript: ask again." : "")));
    }
  }
  s.lane_metrics.service[1][cls].Observe(std::chrono::duration<double>(Clock::now() - start).count());
}

}  // namespace takt
