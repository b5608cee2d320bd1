#include "pipeline/pipeline.hpp"

#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>

#include "pipeline/node_bodies.hpp"
#include "pipeline/script_lane.hpp"
#include "pipeline/stage_timers.hpp"

namespace takt {

namespace tf = tbb::flow;

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
    g = std::make_unique<tf::graph>();  // made inside the arena, so it runs there
    auto& G = *g;
    auto* T = &timers;
    const auto all = tf::unlimited;
    parse = std::make_unique<JobNode>(G, all, Pass<ParseStage, Stage::Parse>{{s}, T});
    classify = std::make_unique<JobNode>(G, all, Pass<ClassifyStage, Stage::Classify>{{s}, T});
    cache_lookup = std::make_unique<RouteNode>(G, all, CacheLookupBody{{s}, T});
    fast = std::make_unique<JobNode>(G, all, Pass<FastStage, Stage::Fast>{{s}, T});
    db_read = std::make_unique<BlockingJobNode>(G, s.config.pipeline.db_readers,
                                                Pass<DbReadStage, Stage::DbRead, true>{{s}, T});
    write_priority = std::make_unique<EnqueueNode>(G, all, WritePriorityBody{{s}, T});
    tickets = std::make_unique<tf::queue_node<JobPtr>>(G);
    lane_door = std::make_unique<tf::limiter_node<JobPtr>>(G, 1);  // exactly one script at a time
    applescript = std::make_unique<ScriptGateway>(
        G, all, [this](const JobPtr&, ScriptGateway::gateway_type& gw) { lane.submit(gw); });
    script_done = std::make_unique<ScriptDoneNode>(G, all, ScriptDoneBody{});
    cache_store = std::make_unique<FanOutNode>(G, all, CacheStoreBody{{s}, T});
    serialize = std::make_unique<JobNode>(G, all, Pass<SerializeStage, Stage::Serialize>{{s}, T});
    egress = std::make_unique<EgressNode>(G, all, EgressBody{{s}, T});

    // Each edge once: link() makes it and declares its counter (takt_edge_messages_total).
    auto& e = s.edges;
    using tf::output_port;
    e.declare(Stage::Ingress, Stage::Parse);  // the transport's try_put
    link(e, Stage::Parse, *parse, Stage::Classify, *classify);
    link(e, Stage::Classify, *classify, Stage::CacheLookup, *cache_lookup);
    link(e, Stage::CacheLookup, output_port<0>(*cache_lookup), Stage::Serialize, *serialize);
    link(e, Stage::CacheLookup, output_port<1>(*cache_lookup), Stage::Fast, *fast);
    link(e, Stage::CacheLookup, output_port<2>(*cache_lookup), Stage::DbRead, *db_read);
    link(e, Stage::CacheLookup, output_port<3>(*cache_lookup), Stage::WritePriority, *write_priority);
    link(e, Stage::Fast, *fast, Stage::Serialize, *serialize);
    link(e, Stage::DbRead, *db_read, Stage::CacheStore, *cache_store);
    link(e, Stage::WritePriority, output_port<1>(*write_priority), Stage::Serialize, *serialize);
    // Inside the lane: tickets (one per queued job) -> door (one at a time) -> gateway to
    // the lane's thread -> done, which reopens the door. The leveling queue, not the
    // ticket, decides which job runs: counted write_priority -> applescript as it does.
    link(e, Stage::WritePriority, output_port<0>(*write_priority), Stage::AppleScript, *tickets);
    tf::make_edge(*tickets, *lane_door);
    tf::make_edge(*lane_door, *applescript);
    tf::make_edge(*applescript, *script_done);
    tf::make_edge(output_port<1>(*script_done), lane_door->decrementer());
    link(e, Stage::AppleScript, output_port<0>(*script_done), Stage::CacheStore, *cache_store);
    link(e, Stage::CacheStore, output_port<0>(*cache_store), Stage::Serialize, *serialize);
    e.declare(Stage::CacheLookup, Stage::Serialize);  // followers released by cache_store (coalesced)
    link(e, Stage::Serialize, *serialize, Stage::Egress, *egress);
  }

  template <class From, class To>
  static void link(EdgeCounters& e, Stage a, From& from, Stage b, To& to) {
    tf::make_edge(from, to);
    e.declare(a, b);
  }

  tbb::global_control control;
  tbb::task_arena arena;
  StageTimers timers;
  ScriptLane lane;  // outlives the graph's nodes (declared before them, destroyed after)
  std::unique_ptr<tf::graph> g;
  std::unique_ptr<JobNode> parse, classify, fast, serialize;
  std::unique_ptr<BlockingJobNode> db_read;
  std::unique_ptr<RouteNode> cache_lookup;
  std::unique_ptr<EnqueueNode> write_priority;
  std::unique_ptr<tf::queue_node<JobPtr>> tickets;
  std::unique_ptr<tf::limiter_node<JobPtr>> lane_door;
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
  enter(session, std::move(line), oversized, slot);
  return true;
}

Pipeline::Admit Pipeline::try_submit(const std::shared_ptr<Session>& session, std::string& line) {
  if (graph_->draining.load()) return Admit::Closed;
  Admission* slot = &services_.admission;
  if (!slot->try_acquire()) {
    if (services_.config.server.on_overload != OverloadPolicy::Reject || !overflow_.try_acquire()) return Admit::Full;
    slot = &overflow_;
  }
  enter(session, std::move(line), false, slot);
  return Admit::Admitted;
}

void Pipeline::enter(const std::shared_ptr<Session>& session, std::string line, bool oversized, Admission* slot) {
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
}

void Pipeline::drain() {
  if (graph_->draining.exchange(true)) return;
  graph_->g->release_wait();
  graph_->arena.execute([&] { graph_->g->wait_for_all(); });
  services_.admission.close();
  overflow_.close();
}

}  // namespace takt
