#pragma once
/// The bodies of the graph's nodes: each adapts a stage body (nodes/) to its TBB node,
/// guarded (anything a stage throws becomes an internal error on its job: an escaping
/// exception would cancel the whole graph) and timed (StageTimers). Internal to
/// pipeline.cpp, which builds the graph from them. Every body is noexcept, which also lets
/// TBB run lightweight nodes inline (it checks).

#include <oneapi/tbb/flow_graph.h>
#include <spdlog/spdlog.h>

#include <tuple>
#include <vector>

#include "flow/job.hpp"
#include "nodes/stages.hpp"
#include "pipeline/script_lane.hpp"
#include "pipeline/stage_timers.hpp"

namespace takt {

namespace tf = tbb::flow;

// Stages whose bodies are short and never block are `lightweight`: TBB runs the body on
// the thread that puts the message instead of spawning a task. A cache hit or a protocol
// answer then goes from parse to egress on the transport's own thread with no hand-off;
// the stages that block (db_read, the AppleScript lane) still run elsewhere.
using JobNode = tf::function_node<JobPtr, JobPtr, tf::lightweight>;
using BlockingJobNode = tf::function_node<JobPtr, JobPtr>;
using RouteNode = tf::multifunction_node<JobPtr, std::tuple<JobPtr, JobPtr, JobPtr, JobPtr>, tf::lightweight>;
using EnqueueNode = tf::multifunction_node<JobPtr, std::tuple<JobPtr, JobPtr>, tf::lightweight>;
using FanOutNode = tf::multifunction_node<JobPtr, std::tuple<JobPtr>, tf::lightweight>;
using ScriptDoneNode = tf::multifunction_node<Batch, std::tuple<JobPtr, tf::continue_msg>, tf::lightweight>;
using EgressNode = tf::function_node<JobPtr, tf::continue_msg, tf::lightweight>;

/// Runs `body` as stage `id` on `job`, from `start` (the job's mark, or now for a stage
/// whose input waited in a buffer): anything it throws becomes an internal error on the
/// job. Returns when the stage ended, for the jobs it puts on.
template <class Body>
fast::Ticks run_stage(StageTimers& timers, Stage id, const JobPtr& job, fast::Ticks start, Body&& body) noexcept {
  try {
    body();
  } catch (const std::exception& e) {
    spdlog::error("{} failed on request {}: {}", stage_name(id), job->id(), e.what());
    job->result.reset();
    job->fail(mcp::kInternalError, std::string("Internal error in ") + stage_name(id) + ": " + e.what());
  }
  return timers.done(id, start);
}

/// Puts every job of `jobs` to `port`, each marked as leaving at `end`.
template <class Port>
void put_all(Port& port, std::vector<JobPtr>& jobs, fast::Ticks end) {
  for (auto& j : jobs) {
    j->mark = end;
    port.try_put(j);
  }
}

/// A one-in, one-out stage (parse, classify, fast, db_read, serialize). A `Buffered`
/// stage's input waits in its node's queue, so it reads the clock when it starts.
template <class Stage_, Stage Id, bool Buffered = false>
struct Pass {
  Stage_ stage;
  StageTimers* timers;
  JobPtr operator()(const JobPtr& job) const noexcept {
    job->mark = run_stage(*timers, Id, job, Buffered ? fast::now() : job->mark, [&] { stage(job); });
    return job;
  }
};

/// cache_lookup: ports 0 answered, 1 in-process, 2 database, 3 AppleScript lane; a parked
/// job goes nowhere until cache_store releases it with the read it follows.
struct CacheLookupBody {
  CacheLookupStage stage;
  StageTimers* timers;
  void operator()(const JobPtr& job, RouteNode::output_ports_type& out) const noexcept {
    std::vector<JobPtr> released;
    Destination route = Destination::Answered;
    const auto end = run_stage(*timers, Stage::CacheLookup, job, job->mark, [&] { route = stage(job, released); });
    if (route != Destination::Parked) job->mark = end;  // a parked job belongs to the read it follows
    put_all(std::get<0>(out), released, end);
    switch (route) {
      case Destination::Answered: std::get<0>(out).try_put(job); break;
      case Destination::InProcess: std::get<1>(out).try_put(job); break;
      case Destination::Database: std::get<2>(out).try_put(job); break;
      case Destination::AppleScript: std::get<3>(out).try_put(job); break;
      case Destination::Parked: break;
    }
  }
};

/// write_priority: port 0 a ticket for the lane (the job itself is the lane's now),
/// port 1 a job answered "overloaded" with the reads that followed it.
struct WritePriorityBody {
  WritePriorityStage stage;
  StageTimers* timers;
  void operator()(const JobPtr& job, EnqueueNode::output_ports_type& out) const noexcept {
    std::vector<JobPtr> released;
    bool queued = false;
    const auto end = run_stage(*timers, Stage::WritePriority, job, job->mark, [&] { queued = stage(job, released); });
    if (queued) {
      std::get<0>(out).try_put(job);
    } else {
      job->mark = end;
      std::get<1>(out).try_put(job);
    }
    put_all(std::get<1>(out), released, end);
  }
};

/// script_done: the batch's jobs go on to cache_store (port 0), and the lane's door opens
/// for the next ticket (port 1).
struct ScriptDoneBody {
  void operator()(const Batch& batch, ScriptDoneNode::output_ports_type& out) const noexcept {
    const auto back = fast::now();  // back in the graph: cache_store starts here
    for (const auto& job : *batch) {
      job->mark = back;
      std::get<0>(out).try_put(job);
    }
    std::get<1>(out).try_put(tf::continue_msg{});
  }
};

/// cache_store: the read and the followers it releases, all to serialize.
struct CacheStoreBody {
  CacheStoreStage stage;
  StageTimers* timers;
  void operator()(const JobPtr& job, FanOutNode::output_ports_type& out) const noexcept {
    std::vector<JobPtr> jobs{job};
    const auto end = run_stage(*timers, Stage::CacheStore, job, job->mark, [&] { jobs = stage(job); });
    put_all(std::get<0>(out), jobs, end);
  }
};

/// egress: the last stage; a tools/call that gets a reply is timed from its admission.
struct EgressBody {
  EgressStage stage;
  StageTimers* timers;
  tf::continue_msg operator()(const JobPtr& job) const noexcept {
    const auto* tool = job->wire.empty() ? nullptr : job->tool;
    const auto end = run_stage(*timers, Stage::Egress, job, job->mark, [&] { stage(job); });
    if (tool) timers->replied(*tool, job->admitted_ticks, end);
    return {};
  }
};

}  // namespace takt
