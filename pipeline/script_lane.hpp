#pragma once
/// The AppleScript lane's own thread: for each ticket the graph's async_node hands it, it
/// runs the batch the leveling queue chooses (blocking, nodes/applescript.cpp), and puts
/// the jobs back into the graph through the gateway. One thread, so one script at a time,
/// whatever else happens; no TBB worker ever waits for Things. submit() is thread-safe.

#include <oneapi/tbb/concurrent_queue.h>
#include <oneapi/tbb/flow_graph.h>

#include <memory>
#include <thread>
#include <vector>

#include "flow/job.hpp"
#include "flow/services.hpp"
#include "pipeline/stage_timers.hpp"

namespace takt {

/// The jobs of one script, as they come back from the lane.
using Batch = std::shared_ptr<std::vector<JobPtr>>;
using ScriptGateway = tbb::flow::async_node<JobPtr, Batch>;

class ScriptLane {
 public:
  ScriptLane(Services& s, StageTimers& timers);
  ~ScriptLane();  ///< finishes the batch running, then joins the thread
  ScriptLane(const ScriptLane&) = delete;
  ScriptLane& operator=(const ScriptLane&) = delete;

  /// Hands the lane one ticket: it will run the next batch and put it through `gateway`.
  void submit(ScriptGateway::gateway_type& gateway);

 private:
  void loop();

  Services& s_;
  StageTimers& timers_;
  tbb::concurrent_bounded_queue<ScriptGateway::gateway_type*> queue_;
  std::thread thread_;
};

}  // namespace takt
