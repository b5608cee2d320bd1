#include "pipeline/script_lane.hpp"

#include <spdlog/spdlog.h>

#include "nodes/stages.hpp"

namespace takt {

ScriptLane::ScriptLane(Services& s, StageTimers& timers) : s_(s), timers_(timers), thread_([this] { loop(); }) {}

ScriptLane::~ScriptLane() {
  queue_.push(nullptr);
  thread_.join();
}

void ScriptLane::submit(ScriptGateway::gateway_type& gateway) {
  gateway.reserve_wait();  // the graph is not idle while a script runs
  queue_.push(&gateway);
}

void ScriptLane::loop() {
  for (;;) {
    ScriptGateway::gateway_type* gateway = nullptr;
    queue_.pop(gateway);
    if (!gateway) return;
    auto batch = std::make_shared<std::vector<JobPtr>>();
    const auto start = fast::now();
    try {
      *batch = run_next_batch(s_);
    } catch (const std::exception& e) {
      spdlog::error("AppleScript lane: {}", e.what());
      for (auto& job : *batch) job->fail(mcp::kInternalError, std::string("Internal error: ") + e.what());
    }
    if (!batch->empty()) timers_.done(Stage::AppleScript, start);  // one batch, one script
    gateway->try_put(batch);
    gateway->release_wait();
  }
}

}  // namespace takt
