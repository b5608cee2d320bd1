#include "pipeline/pipeline.hpp"

#include <oneapi/tbb/concurrent_queue.h>
#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#include <spdlog/spdlog.h>

#include <thread>

#include "nodes/stages.hpp"
#include "things/catalog.hpp"

namespace takt {

namespace flow = tbb::flow;

// Stages whose bodies are short and never block are `lightweight`: TBB runs the body on
// the thread that puts the message instead of spawning a task. A cache hit or a protocol
// answer then goes from parse to egress on the transport's own thread with no hand-off;
// the stages that block (db_read, the AppleScript lane) still run elsewhere.
using Batch = std::shared_ptr<std::vector<JobPtr>>;
using JobNode = flow::function_node<JobPtr, JobPtr, flow::lightweight>;
using BlockingJobNode = flow::function_node<JobPtr, JobPtr>;
using RouteNode = flow::multifunction_node<JobPtr, std::tuple<JobPtr, JobPtr, JobPtr, JobPtr>, flow::lightweight>;
using EnqueueNode = flow::multifunction_node<JobPtr, std::tuple<JobPtr, JobPtr>, flow::lightweight>;
using FanOutNode = flow::multifunction_node<JobPtr, std::tuple<JobPtr>, flow::lightweight>;
using ScriptGateway = flow::async_node<JobPtr, Batch>;
using ScriptDoneNode = flow::multifunction_node<Batch, std::tuple<JobPtr, flow::continue_msg>, flow::lightweight>;
using EgressNode = flow::function_node<JobPtr, flow::continue_msg, flow::lightweight>;

/// Runs a stage body and turns anything it throws into an internal error on the job:
/// errors are data, nothing escapes a node (an escaping exception would cancel the whole
/// graph). Being noexcept also lets TBB run lightweight nodes inline (it checks).
template <class Body>
void guarded(const JobPtr& job, Stage stage, Body&& body) noexcept {
  try {
    body();
  } catch (const std::exception& e) {
    spdlog::error("{} failed on request {}: {}", stage_name(stage), job->id(), e.what());
    job->result.reset();
    job->fail(mcp::kInternalError, std::string("Internal error in ") + stage_name(stage) + ": " + e.what());
  }
}

/// Stage timing: per stage a latency histogram (takt_stage_duration_seconds) whose sum is
/// also its busy time (takt_stage_busy_seconds_total), and per tool the time from
/// admission to reply (takt_tool_duration_seconds). One clock read per stage boundary:
/// a stage that the one before puts to on the same thread (the lightweight chain) starts
/// when that one ended, which the job carries in `mark`; a stage whose input waits in a
/// buffer (db_read; the lane) reads the clock when it starts. A stage sets `mark` only on
/// jobs it still owns when it ends (not on a job it handed to the lane or parked).
class StageTimers {
 public:
  explicit StageTimers(Metrics& m) {
    for (std::size_t i = 1; i < kStageCount; ++i) {  // every stage but ingress (the transport)
      const prometheus::Labels labels{{"stage", stage_name(static_cast<Stage>(i))}};
      stages_[i] = &m.stage_seconds.Add(labels);
      m.stage_busy.alias(labels, stages_[i]->sum_cell(), fast::seconds_per_tick());
    }
    for (const auto& tool : things::tool_catalog()) tools_.push_back(&m.tool_seconds.Add({{"tool", tool.name}}));
  }
  /// Records a run of `stage` that began at `start` (0: unknown, not recorded); returns now.
  fast::Ticks done(Stage stage, fast::Ticks start) noexcept {
    const auto now = fast::now();
    if (start) stages_[static_cast<std::size_t>(stage)]->observe(fast::elapsed(start, now));
    return now;
  }
  /// Records a tools/call answered at `now`.
  void replied(const things::ToolSpec& tool, fast::Ticks admitted, fast::Ticks now) noexcept {
    tools_[static_cast<std::size_t>(&tool - things::tool_catalog().data())]->observe(fast::elapsed(admitted, now));
  }

 private:
  std::array<fast::Histogram*, kStageCount> stages_{};
  std::vector<fast::Histogram*> tools_;  ///< by index in things::tool_catalog()
};

/// A node body for a function_node stage, guarded and timed. A `Buffered` stage's input
/// waits in its node's queue, so it reads the clock when it starts.
template <class Body, Stage Id, bool Buffered = false>
struct Guarded {
  Body stage;
  StageTimers* timers;
  JobPtr operator()(const JobPtr& job) const noexcept {
    const fast::Ticks start = Buffered ? fast::now() : job->mark;
    guarded(job, Id, [&] { stage(job); });
    job->mark = timers->done(Id, start);
    return job;
  }
};

/// The AppleScript lane's own thread: for each ticket the async_node hands it, it runs
/// the batch the leveling queue chooses (blocking), and puts the jobs back into the graph
/// through the gateway. One thread, so one script at a time, whatever else happens.
class ScriptLane {
 public:
  ScriptLane(Services& s, StageTimers& timers) : s_(s), timers_(timers), thread_([this] { loop(); }) {}
  ~ScriptLane() {
    queue_.push(nullptr);
    thread_.join();
  }
  void submit(ScriptGateway::gateway_type& gateway) {
    gateway.reserve_wait();  // the graph is not idle while a script runs
    queue_.push(&gateway);
  }

 private:
  void loop() {
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

  Services& s_;
  StageTimers& timers_;
  tbb::concurrent_bounded_queue<ScriptGateway::gateway_type*> queue_;
  std::thread thread_;
};

struct Pipeline::Graph {
  explicit Graph(Services& s)
      : control(tbb::global_control::max_allowed_parallelism, s.config.pipeline.threads + 1),
        // No slot kept for an outside thread: transports never enter the arena (their
        // stages are lightweight), so every slot is a worker for db_read and the lane.
        arena(static_cast<int>(s.config.pipeline.threads), 0),
        timers(s.metrics),
        lane(s, timers) {
    arena.execute([&] { assemble(s); });
  }

  /// The whole graph: every node, and every edge, in one screen.
  void assemble(Services& s) {
    g = std::make_unique<flow::graph>();  // made inside the arena, so it runs there
    auto& G = *g;
    auto* T = &timers;
    parse = std::make_unique<JobNode>(G, flow::unlimited, Guarded<ParseStage, Stage::Parse>{{s}, T});
    classify = std::make_unique<JobNode>(G, flow::unlimited, Guarded<ClassifyStage, Stage::Classify>{{s}, T});
    cache_lookup = std::make_unique<RouteNode>(G, flow::unlimited, [&s, T](const JobPtr& job, RouteNode::output_ports_type& out) noexcept {
      const auto start = job->mark;
      std::vector<JobPtr> released;
      Route route = Route::Answered;
      guarded(job, Stage::CacheLookup, [&] { route = CacheLookupStage{s}(job, released); });
      const auto end = T->done(Stage::CacheLookup, start);
      if (route != Route::Parked) job->mark = end;  // a parked job belongs to the read it follows
      for (auto& r : released) {
        r->mark = end;
        std::get<0>(out).try_put(r);
      }
      switch (route) {
        case Route::Answered: std::get<0>(out).try_put(job); break;
        case Route::InProcess: std::get<1>(out).try_put(job); break;
        case Route::Database: std::get<2>(out).try_put(job); break;
        case Route::AppleScript: std::get<3>(out).try_put(job); break;
        case Route::Parked: break;  // cache_store answers it with the read it follows
      }
    });
    fast = std::make_unique<JobNode>(G, flow::unlimited, Guarded<FastStage, Stage::Fast>{{s}, T});
    db_read = std::make_unique<BlockingJobNode>(G, s.config.pipeline.db_readers,
                                                Guarded<DbReadStage, Stage::DbRead, true>{{s}, T});
    write_priority = std::make_unique<EnqueueNode>(G, flow::unlimited, [&s, T](const JobPtr& job, EnqueueNode::output_ports_type& out) noexcept {
      const auto start = job->mark;
      std::vector<JobPtr> released;
      bool queued = false;
      guarded(job, Stage::WritePriority, [&] { queued = WritePriorityStage{s}(job, released); });
      const auto end = T->done(Stage::WritePriority, start);
      if (queued) {
        std::get<0>(out).try_put(job);  // the ticket; the job itself is the lane's now
      } else {
        job->mark = end;
        std::get<1>(out).try_put(job);
      }
      for (auto& r : released) {
        r->mark = end;
        std::get<1>(out).try_put(r);
      }
    });
    tickets = std::make_unique<flow::queue_node<JobPtr>>(G);
    lane_door = std::make_unique<flow::limiter_node<JobPtr>>(G, 1);  // exactly one script at a time
    applescript = std::make_unique<ScriptGateway>(
        G, flow::unlimited, [this](const JobPtr&, ScriptGateway::gateway_type& gw) { lane.submit(gw); });
    script_done = std::make_unique<ScriptDoneNode>(G, flow::unlimited, [](const Batch& batch, ScriptDoneNode::output_ports_type& out) noexcept {
      const auto back = fast::now();  // back in the graph: cache_store starts here
      for (const auto& job : *batch) {
        job->mark = back;
        std::get<0>(out).try_put(job);
      }
      std::get<1>(out).try_put(flow::continue_msg{});  // frees the lane for the next ticket
    });
    cache_store = std::make_unique<FanOutNode>(G, flow::unlimited, [&s, T](const JobPtr& job, FanOutNode::output_ports_type& out) noexcept {
      const auto start = job->mark;
      std::vector<JobPtr> jobs{job};
      guarded(job, Stage::CacheStore, [&] { jobs = CacheStoreStage{s}(job); });
      const auto end = T->done(Stage::CacheStore, start);
      for (auto& j : jobs) {  // the read and the followers it released
        j->mark = end;
        std::get<0>(out).try_put(j);
      }
    });
    serialize = std::make_unique<JobNode>(G, flow::unlimited, Guarded<SerializeStage, Stage::Serialize>{{s}, T});
    egress = std::make_unique<EgressNode>(G, flow::unlimited, [&s, T](const JobPtr& job) noexcept {
      const auto start = job->mark;
      const auto* tool = job->wire.empty() ? nullptr : job->tool;  // a tools/call that gets a reply
      guarded(job, Stage::Egress, [&] { EgressStage{s}(job); });
      const auto end = T->done(Stage::Egress, start);
      if (tool) T->replied(*tool, job->admitted_ticks, end);
      return flow::continue_msg{};
    });

    auto& e = s.edges;
    e.declare(Stage::Ingress, Stage::Parse);  // the transport's try_put
    link(e, *parse, *classify, Stage::Parse, Stage::Classify);
    link(e, *classify, *cache_lookup, Stage::Classify, Stage::CacheLookup);
    link(e, flow::output_port<0>(*cache_lookup), *serialize, Stage::CacheLookup, Stage::Serialize);
    link(e, flow::output_port<1>(*cache_lookup), *fast, Stage::CacheLookup, Stage::Fast);
    link(e, flow::output_port<2>(*cache_lookup), *db_read, Stage::CacheLookup, Stage::DbRead);
    link(e, flow::output_port<3>(*cache_lookup), *write_priority, Stage::CacheLookup, Stage::WritePriority);
    link(e, *fast, *serialize, Stage::Fast, Stage::Serialize);
    link(e, *db_read, *cache_store, Stage::DbRead, Stage::CacheStore);
    link(e, flow::output_port<1>(*write_priority), *serialize, Stage::WritePriority, Stage::Serialize);
    // Inside the lane: tickets (one per queued job) -> door (one at a time) -> gateway to
    // the lane's thread -> done, which reopens the door. The leveling queue, not the
    // ticket, decides which job runs: counted write_priority -> applescript as it does.
    flow::make_edge(flow::output_port<0>(*write_priority), *tickets);
    flow::make_edge(*tickets, *lane_door);
    flow::make_edge(*lane_door, *applescript);
    e.declare(Stage::WritePriority, Stage::AppleScript);
    flow::make_edge(*applescript, *script_done);
    flow::make_edge(flow::output_port<1>(*script_done), lane_door->decrementer());
    link(e, flow::output_port<0>(*script_done), *cache_store, Stage::AppleScript, Stage::CacheStore);
    link(e, flow::output_port<0>(*cache_store), *serialize, Stage::CacheStore, Stage::Serialize);
    e.declare(Stage::CacheLookup, Stage::Serialize);  // followers released by cache_store (coalesced)
    link(e, *serialize, *egress, Stage::Serialize, Stage::Egress);
  }

  template <class From, class To>
  static void link(EdgeCounters& e, From& from, To& to, Stage a, Stage b) {
    flow::make_edge(from, to);
    e.declare(a, b);
  }

  tbb::global_control control;
  tbb::task_arena arena;
  StageTimers timers;
  ScriptLane lane;  // outlives the graph's nodes (declared before them, destroyed after)
  std::unique_ptr<flow::graph> g;
  std::unique_ptr<JobNode> parse, classify, fast, serialize;
  std::unique_ptr<BlockingJobNode> db_read;
  std::unique_ptr<RouteNode> cache_lookup;
  std::unique_ptr<EnqueueNode> write_priority;
  std::unique_ptr<flow::queue_node<JobPtr>> tickets;
  std::unique_ptr<flow::limiter_node<JobPtr>> lane_door;
  std::unique_ptr<ScriptGateway> applescript;
  std::unique_ptr<ScriptDoneNode> script_done;
  std::unique_ptr<FanOutNode> cache_store;
  std::unique_ptr<EgressNode> egress;
  std::atomic<std::uint64_t> seq{0};
  std::atomic<bool> draining{false};
};

Pipeline::Pipeline(Services& services)
    : services_(services),
      overflow_(std::max<std::size_t>(16, services.config.server.max_in_flight / 4)),
      graph_(std::make_unique<Graph>(services)) {
  // Held until drain(): wait_for_all() must not return while transports may still submit.
  graph_->g->reserve_wait();
  register_buffer_metrics();
}

/// The buffers whose depth is not counted on the way (admission, the rejection budget,
/// the cache) are read at scrape time; their bounds are set once.
void Pipeline::register_buffer_metrics() {
  auto& m = services_.metrics;
  const auto& cfg = services_.config;
  m.queue_capacity.Add({{"queue", "overflow"}}).Set(static_cast<double>(overflow_.capacity()));
  m.queue_capacity.Add({{"queue", "cache"}}).Set(static_cast<double>(cfg.cache.max_entries));
  const auto depth = [&](const char* queue, fast::FastRegistry::Callback read) {
    scraped_.push_back(m.fast().callback("takt_queue_depth", "", prometheus::MetricType::Gauge, {{"queue", queue}},
                                         std::move(read)));
  };
  depth("admission", [this] { return static_cast<double>(services_.admission.in_flight()); });
  depth("overflow", [this] { return static_cast<double>(overflow_.in_flight()); });
  depth("cache", [this] { return static_cast<double>(services_.cache.size()); });
  scraped_.push_back(m.fast().callback(
      "takt_applescript_busy_seconds_total",
      "Seconds the AppleScript lane spent running scripts, the running one included; over wall time, its "
      "utilisation",
      prometheus::MetricType::Counter, {}, [this] { return services_.lane.busy.seconds(); }));
  scraped_.push_back(m.fast().callback("takt_cache_evictions_total",
                                       "Cache entries evicted to stay within cache.max_entries (oldest first)",
                                       prometheus::MetricType::Counter, {},
                                       [this] { return static_cast<double>(services_.cache.evictions()); }));
}

Pipeline::~Pipeline() { drain(); }

bool Pipeline::submit(const std::shared_ptr<Session>& session, std::string line, bool oversized,
                      const std::function<void(bool)>& around_wait) {
  if (graph_->draining.load()) return false;
  Admission* slot = &services_.admission;
  if (services_.config.server.on_overload == OverloadPolicy::Reject) {
    if (!slot->try_acquire()) {
      slot = &overflow_;
      if (!slot->acquire(around_wait)) return false;
    }
  } else if (!slot->acquire(around_wait)) {
    return false;
  }
  auto job = std::make_shared<Job>();
  job->seq = graph_->seq.fetch_add(1);
  job->session = session;
  job->line = std::move(line);
  job->oversized = oversized;
  job->overloaded = slot == &overflow_;
  job->slot = slot;
  job->admitted_ticks = job->mark = fast::now();
  if (slot == &services_.admission) services_.lane_metrics.in_flight->Increment();
  // No arena.execute here: parse and the stages after it are lightweight and run on this
  // thread; what has to run elsewhere (db_read, the lane) is spawned into the graph's own
  // arena by TBB. Entering the arena per message would wake its workers every time.
  graph_->parse->try_put(job);
  return true;
}

void Pipeline::drain() {
  if (graph_->draining.exchange(true)) return;
  graph_->g->release_wait();
  graph_->arena.execute([&] { graph_->g->wait_for_all(); });
  services_.admission.close();
  overflow_.close();
}

}  // namespace takt
