// Graph-level tests: the real Pipeline (every stage, every edge) with a transport that
// captures replies, over a things-sim database of its own.

#include <gtest/gtest.h>

#include <condition_variable>
#include <thread>
#include <random>
#include <set>
#include <sstream>
#include <spdlog/spdlog.h>

#include "base/json.hpp"
#include "pipeline/pipeline.hpp"
#include "things/script/applescript.hpp"
#include "support/probe_dialect.hpp"
#include "support/takt_process.hpp"

using namespace takt;
using namespace takt::test;

namespace {

/// Collects every line the graph sends back, and lets a test wait for a count.
class Capture final : public Output {
 public:
  void send(std::string line, std::function<void()> written) override {
    {
      std::lock_guard lock(mu_);
      lines_.push_back(std::move(line));
    }
    cv_.notify_all();
    if (written) written();
  }
  std::vector<std::string> wait_for(std::size_t n, std::chrono::seconds timeout = 30s) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return lines_.size() >= n; });
    return lines_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> lines_;
};

std::string request(int id, const std::string& method, const std::string& params = "{}") {
  return R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":")" + method + R"(","params":)" + params + "}";
}

/// The AppleScript takt sends to Things, with the URL scheme's token from `db_path`.
std::shared_ptr<const things::Dialect> applescript_dialect(const std::string& db_path) {
  auto settings = std::make_shared<things::ThingsDb>(db_path, 1, &things::local_today);
  return std::make_shared<things::AppleScriptDialect>(&things::local_today, [settings] { return settings->auth_token(); });
}

/// A Pipeline over things-sim with the given per-script latency; `tune` adjusts the
/// config, `runner` replaces the process runner (a controllable Things) and `dialect`
/// the script language (things-sim's by default).
struct Harness {
  explicit Harness(const std::string& latency_ms, const std::function<void(Config&)>& tune = {},
                   ScriptRunner runner = {}, std::shared_ptr<const things::Dialect> dialect = {}) {
    cfg.backend.script_timeout = Millis{10000};
    cfg.cache.dir = dir.file("cache");  // the shared cache stays in the test's directory
    if (tune) tune(cfg);
    const auto db_path = dir.file("things.sqlite");
    auto init = things::run_script({THINGS_SIM_BINARY, {"--db", db_path, "--init"}}, "", Millis{10000});
    EXPECT_EQ(init.exit_code, 0) << init.err;
    backend.kind = "sim";
    backend.label = "things-sim";
    backend.database = db_path;
    backend.command = {THINGS_SIM_BINARY, {"--db", db_path, "--latency-ms", latency_ms, "-"}};
    // A fake Things runs no script: its tests look at the lane's order, in the probe dialect.
    if (dialect) backend.dialect = std::move(dialect);
    else if (runner) backend.dialect = std::make_shared<test::ProbeDialect>();
    else backend.dialect = applescript_dialect(db_path);
    if (runner) backend.run = std::move(runner);
    db = std::make_unique<things::ThingsDb>(db_path, 2, &things::local_today);
    services = std::make_unique<Services>(cfg, metrics, *db, backend, admission);
    pipeline = std::make_unique<Pipeline>(*services);
    session = std::make_shared<Session>(capture);
    pipeline->submit(session, request(0, "initialize", R"({"protocolVersion":"2025-11-25"})"), false);
    capture->wait_for(1);
    pipeline->submit(session, R"({"jsonrpc":"2.0","method":"notifications/initialized"})", false);
  }
  void call(int id, const std::string& tool, const std::string& args = "{}", const std::string& meta = "") {
    pipeline->submit(session,
                     request(id, "tools/call", R"({"name":")" + tool + R"(","arguments":)" + args + meta + "}"), false);
  }

  TempDir dir;
  Config cfg;
  Metrics metrics;
  Admission admission{256};
  Backend backend;
  std::unique_ptr<things::ThingsDb> db;
  std::unique_ptr<Services> services;
  std::unique_ptr<Pipeline> pipeline;
  std::shared_ptr<Capture> capture = std::make_shared<Capture>();
  std::shared_ptr<Session> session;
};

int id_of(const std::string& line) {
  auto d = parse_json(line);
  return d.HasMember("id") && d["id"].IsInt() ? d["id"].GetInt() : -1;
}

}  // namespace

TEST(Graph, EveryMessageIsAnsweredAndEdgesBalance) {
  Harness h("0");
  constexpr int kPerThread = 1500;
  std::vector<std::thread> clients;
  for (int c = 0; c < 2; ++c) {
    clients.emplace_back([&, c] {
      for (int i = 0; i < kPerThread; ++i) {
        const int id = 1000 + c * kPerThread + i;
        switch (i % 5) {
          case 0: h.pipeline->submit(h.session, request(id, "tools/call", R"({"name":"get_inbox","arguments":{}})"), false); break;
          case 1: h.pipeline->submit(h.session, request(id, "tools/list"), false); break;
          case 2: h.pipeline->submit(h.session, "not json " + std::to_string(id), false); break;
          case 3: h.pipeline->submit(h.session, request(id, "tools/call", R"({"name":"queue_status","arguments":{}})"), false); break;
          default: h.pipeline->submit(h.session, request(id, "ping"), false); break;
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  const std::size_t expected = 1 + 2 * kPerThread;
  auto lines = h.capture->wait_for(expected);
  EXPECT_EQ(lines.size(), expected);
  h.pipeline->drain();
  const auto& e = h.services->edges;
  const double in = e.value(Stage::Ingress, Stage::Parse);
  EXPECT_EQ(in, 2.0 + 2 * kPerThread);  // initialize and initialized too
  EXPECT_EQ(e.value(Stage::Parse, Stage::Classify), in);
  EXPECT_EQ(e.value(Stage::Classify, Stage::CacheLookup), in);
  const double routed = e.value(Stage::CacheLookup, Stage::Serialize) + e.value(Stage::CacheLookup, Stage::Fast) +
                        e.value(Stage::CacheLookup, Stage::DbRead) + e.value(Stage::CacheLookup, Stage::WritePriority);
  EXPECT_EQ(routed, in);
  const double into_serialize = e.value(Stage::CacheLookup, Stage::Serialize) + e.value(Stage::Fast, Stage::Serialize) +
                                e.value(Stage::CacheStore, Stage::Serialize) + e.value(Stage::AppleScript, Stage::Serialize);
  EXPECT_EQ(into_serialize, in);
  EXPECT_EQ(e.value(Stage::Serialize, Stage::Egress), in);
  EXPECT_GT(e.value(Stage::CacheLookup, Stage::DbRead), 0);
  EXPECT_EQ(h.admission.in_flight(), 0u);
}

TEST(Graph, NothingAnswerableWaitsBehindAScript) {
  Harness h("400");
  for (int i = 0; i < 2; ++i)
    h.pipeline->submit(h.session, request(1 + i, "tools/call", R"({"name":"add_todo","arguments":{"title":"slow"}})"), false);
  constexpr int kFast = 300;
  for (int i = 0; i < kFast; ++i) {
    const int id = 100 + i;
    const char* params = i % 3 == 0   ? R"({"name":"get_today","arguments":{}})"
                         : i % 3 == 1 ? R"({"name":"health_check","arguments":{}})"
                                      : R"({"name":"queue_status","arguments":{}})";
    h.pipeline->submit(h.session, request(id, "tools/call", params), false);
  }
  auto lines = h.capture->wait_for(1 + kFast + 2);
  ASSERT_EQ(lines.size(), 1u + kFast + 2);
  // Every read and status answer came before the first script finished.
  int fast_seen = 0;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const int id = id_of(lines[i]);
    if (id >= 100) ++fast_seen;
    if (id == 1 || id == 2) {
      EXPECT_EQ(fast_seen, kFast) << "a script's reply came before all fast replies";
      break;
    }
  }
  h.pipeline->drain();
}

TEST(Graph, BackpressureBlocksTheReaderWhenFull) {
  Harness h("600");
  Admission tight(2);  // a pipeline of its own, admitting two messages at a time
  Services s(h.cfg, h.metrics, *h.db, h.backend, tight);
  Pipeline p(s);
  auto session = std::make_shared<Session>(h.capture);
  session->set_state(Session::State::Ready);
  std::atomic<int> submitted{0};
  std::thread reader([&] {
    for (int i = 0; i < 4; ++i) {
      p.submit(session, request(500 + i, "tools/call", R"({"name":"add_todo","arguments":{"title":"bp"}})"), false);
      ++submitted;
    }
  });
  for (int i = 0; i < 500 && submitted.load() < 2; ++i) std::this_thread::sleep_for(10ms);
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(submitted.load(), 2);  // the third waits: two are in flight, each script taking 600 ms
  reader.join();
  EXPECT_EQ(submitted.load(), 4);
  p.drain();
  EXPECT_EQ(tight.in_flight(), 0u);
}

namespace {

/// A stand-in for Things that the test controls: it records every script's operations,
/// counts scripts running at once, can hold scripts at a gate, and answers like things-sim.
class FakeThings {
 public:
  ScriptRunner runner() {
    return [this](const things::ScriptCommand&, const std::string& script, Millis, const std::function<bool()>& abandon) {
      return run(script, abandon);
    };
  }
  void close_gate() {
    std::lock_guard lock(mu_);
    gate_open_ = false;
  }
  void open_gate() {
    {
      std::lock_guard lock(mu_);
      gate_open_ = true;
    }
    cv_.notify_all();
  }
  /// Waits until `n` scripts have started.
  void wait_started(std::size_t n) {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, 10s, [&] { return scripts_.size() >= n; });
  }
  std::vector<std::vector<std::string>> scripts() {
    std::lock_guard lock(mu_);
    return scripts_;
  }
  int max_running() const { return max_running_.load(); }
  std::chrono::microseconds work{0};

 private:
  things::ScriptOutput run(const std::string& script, const std::function<bool()>& abandon) {
    const int now = ++running_;
    for (int seen = max_running_.load(); now > seen && !max_running_.compare_exchange_weak(seen, now);) {
    }
    // The lines of test::ProbeDialect: `read TOOL ARGS`, `write NAME TITLE`; or the script
    // that reads takt's mirror of Things (reads through AppleScript), answered by an empty
    // Things.
    std::vector<std::string> ops;
    std::string results;
    std::istringstream lines(script);
    if (script == things::mirror_script()) {
      ops.push_back("read:mirror");
      results = "takt-mirror 1\t20261205.0\nend\n";
      lines.setstate(std::ios::eofbit);
    }
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("read ", 0) == 0) {
        const std::string rest = line.substr(5);
        const auto space = rest.find(' ');
        ops.push_back("read:" + rest.substr(0, space) + ":" + rest.substr(space + 1));
        results += R"(ok-read {"items":[],"count":0,"total":0})" "\n";
      } else {
        const std::string rest = line.substr(6);
        const auto space = rest.find(' ');
        ops.push_back("write:" + rest.substr(space + 1));
        results += "ok fake\n";
      }
    }
    things::ScriptOutput out;
    {
      std::unique_lock lock(mu_);
      scripts_.push_back(ops);
      cv_.notify_all();
      while (!gate_open_) {
        if (abandon && abandon()) {
          out.abandoned = true;
          break;
        }
        cv_.wait_for(lock, 5ms);
      }
    }
    if (work.count() > 0) std::this_thread::sleep_for(work);
    out.out = results;
    --running_;
    return out;
  }

  std::mutex mu_;
  std::condition_variable cv_;
  bool gate_open_ = true;
  std::vector<std::vector<std::string>> scripts_;
  std::atomic<int> running_{0}, max_running_{0};
};

void reads_through_lane(Config& c) {
  c.tools.reads_via = ReadsVia::AppleScript;
  c.tools.mirror_max_age = Millis{0};  // every read runs its script
  c.cache.enabled = false;
  c.lane.batch_max = 1;
}

std::string result_of(const std::vector<std::string>& lines, int id) {
  for (const auto& l : lines)
    if (id_of(l) == id) return l;
  return "";
}

}  // namespace

/// takt_applescript_busy_seconds_total as a scrape shows it.
double scraped_busy(const Harness& h) {
  const auto page = h.metrics.scrape();
  const std::string name = "\ntakt_applescript_busy_seconds_total ";
  const auto at = page.find(name);
  EXPECT_NE(at, std::string::npos) << page;
  return at == std::string::npos ? -1 : std::stod(page.substr(at + name.size()));
}

TEST(Lane, TheBusyCounterCountsTheRunningScriptAtEveryScrape) {
  FakeThings things;
  Harness h("0", reads_through_lane, things.runner());
  spdlog::set_level(spdlog::level::off);
  EXPECT_EQ(scraped_busy(h), 0.0);
  things.close_gate();
  h.call(1, "get_inbox", R"({"limit":1})");  // runs, held at the gate
  things.wait_started(1);
  std::this_thread::sleep_for(200ms);
  // Utilisation over a window that ends while a script runs must count that script: a
  // counter bumped only at its end would still read 0 here.
  const double during = scraped_busy(h);
  EXPECT_GE(during, 0.15);
  std::this_thread::sleep_for(100ms);
  EXPECT_GE(scraped_busy(h), during + 0.05);
  things.open_gate();
  h.capture->wait_for(2);
  h.pipeline->drain();
  const double after = scraped_busy(h);
  EXPECT_GE(after, during + 0.05);
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(scraped_busy(h), after);  // idle: it stands still
}

TEST(Lane, AWriteArrivingBehindReadsRunsRightAfterTheRunningScript) {
  FakeThings things;
  Harness h("0", reads_through_lane, things.runner());
  spdlog::set_level(spdlog::level::off);
  things.close_gate();
  h.call(1, "get_inbox", R"({"limit":1})");  // starts running, held at the gate
  things.wait_started(1);
  for (int i = 0; i < 100; ++i) h.call(10 + i, "get_inbox", R"({"limit":)" + std::to_string(2 + i) + "}");
  h.call(500, "add_todo", R"({"title":"urgent"})");
  // Every request is queued once queue_status, sent after them, is answered.
  h.call(600, "queue_status");
  auto lines = h.capture->wait_for(2);
  things.open_gate();
  lines = h.capture->wait_for(1 + 102 + 1);
  auto scripts = things.scripts();
  ASSERT_GE(scripts.size(), 2u);
  EXPECT_EQ(scripts[1], std::vector<std::string>{"write:urgent"});
  h.pipeline->drain();
}

TEST(Lane, NoReadWaitsBehindMoreWritesThanConfigured) {
  FakeThings things;
  Harness h("0", [](Config& c) { reads_through_lane(c); c.lane.max_writes_passing_a_read = 3; }, things.runner());
  spdlog::set_level(spdlog::level::off);
  things.close_gate();
  h.call(1, "add_todo", R"({"title":"first"})");
  things.wait_started(1);
  h.call(2, "get_today");
  h.call(600, "queue_status");  // once answered, the read is queued before the writes below
  h.capture->wait_for(2);
  for (int i = 0; i < 20; ++i) h.call(10 + i, "add_todo", R"({"title":"w)" + std::to_string(i) + R"("})");
  h.call(601, "queue_status");
  h.capture->wait_for(3);
  things.open_gate();
  h.capture->wait_for(1 + 1 + 1 + 20 + 2);  // initialize, the running write, the read, 20 writes, 2 x queue_status
  auto scripts = things.scripts();
  std::size_t read_at = 0;
  for (std::size_t i = 0; i < scripts.size(); ++i)
    if (scripts[i][0].rfind("read:", 0) == 0) read_at = i;
  EXPECT_EQ(read_at, 4u) << "the read ran after the running write and exactly 3 more";
  h.pipeline->drain();
}

TEST(Lane, ACancellationThatOvertakesItsRequestStillStopsItBeforeTheLane) {
  // Requests are entered into the session's requests in flight only once they leave the
  // reader's thread (cache_lookup), not at classify: a cancellation that came first must
  // still find them there.
  FakeThings things;
  Harness h("0", reads_through_lane, things.runner());
  spdlog::set_level(spdlog::level::off);
  h.pipeline->submit(h.session, R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":5}})", false);
  h.call(5, "add_todo", R"({"title":"cancelled before it came"})");
  h.call(6, "add_todo", R"({"title":"kept"})");
  auto lines = h.capture->wait_for(2);
  h.pipeline->drain();
  lines = h.capture->wait_for(2);
  EXPECT_EQ(result_of(lines, 5), "");
  EXPECT_NE(result_of(lines, 6), "");
  for (const auto& script : things.scripts())
    for (const auto& op : script) EXPECT_NE(op, "write:cancelled before it came");
}

TEST(Lane, ACancelledWaitingRequestNeverRuns) {
  FakeThings things;
  Harness h("0", reads_through_lane, things.runner());
  spdlog::set_level(spdlog::level::off);
  things.close_gate();
  h.call(1, "add_todo", R"({"title":"running"})");
  things.wait_started(1);
  h.call(2, "add_todo", R"({"title":"cancelled write"})");
  h.call(3, "get_today");
  h.pipeline->submit(h.session, R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2}})", false);
  h.pipeline->submit(h.session, R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":3}})", false);
  h.call(600, "queue_status");
  h.capture->wait_for(2);
  things.open_gate();
  h.call(700, "ping");
  auto lines = h.capture->wait_for(3);
  h.pipeline->drain();
  lines = h.capture->wait_for(3);
  for (const auto& script : things.scripts())
    for (const auto& op : script) {
      EXPECT_NE(op, "write:cancelled write");
      EXPECT_EQ(op.rfind("read:", 0), std::string::npos);
    }
  EXPECT_EQ(result_of(lines, 2), "");
  EXPECT_EQ(result_of(lines, 3), "");
  EXPECT_NE(result_of(lines, 1), "");
}

TEST(Lane, ARunningReadIsAbandonedWhenCancelled) {
  FakeThings things;
  Harness h("0", reads_through_lane, things.runner());
  spdlog::set_level(spdlog::level::off);
  things.close_gate();
  h.call(1, "get_inbox");
  things.wait_started(1);
  h.pipeline->submit(h.session, R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}})", false);
  h.call(2, "add_todo", R"({"title":"after"})");  // runs once the abandoned read frees the lane
  things.wait_started(2);
  things.open_gate();
  auto lines = h.capture->wait_for(2);
  h.pipeline->drain();
  EXPECT_EQ(result_of(h.capture->wait_for(2), 1), "");
  EXPECT_NE(result_of(lines, 2), "");
  EXPECT_EQ(h.metrics.cancelled.Add({{"where", "running"}}).Value(), 1);
}

TEST(Lane, IdenticalReadsInFlightShareOneScript) {
  FakeThings things;
  Harness h("0", reads_through_lane, things.runner());
  spdlog::set_level(spdlog::level::off);
  things.close_gate();
  h.call(1, "add_todo", R"({"title":"hold the lane"})");
  things.wait_started(1);
  for (int i = 0; i < 5; ++i) h.call(10 + i, "get_today", R"({"limit":5})");
  h.call(600, "queue_status");
  h.capture->wait_for(2);
  things.open_gate();
  auto lines = h.capture->wait_for(1 + 1 + 1 + 5);
  h.pipeline->drain();
  int reads = 0;
  for (const auto& script : things.scripts())
    for (const auto& op : script) reads += op.rfind("read:", 0) == 0;
  EXPECT_EQ(reads, 1);
  for (int i = 0; i < 5; ++i) EXPECT_NE(result_of(lines, 10 + i).find("structuredContent"), std::string::npos);
  EXPECT_EQ(h.metrics.coalesced.Add({}).Value(), 4);
}

TEST(Lane, QueuedWritesRunAsBatches) {
  FakeThings things;
  Harness h("0", [](Config& c) { c.lane.batch_max = 4; }, things.runner());
  spdlog::set_level(spdlog::level::off);
  things.close_gate();
  h.call(1, "add_todo", R"({"title":"w0"})");
  things.wait_started(1);
  for (int i = 1; i < 10; ++i) h.call(1 + i, "add_todo", R"({"title":"w)" + std::to_string(i) + R"("})");
  h.call(600, "queue_status");
  h.capture->wait_for(2);
  things.open_gate();
  auto lines = h.capture->wait_for(1 + 1 + 10);
  h.pipeline->drain();
  auto scripts = things.scripts();
  ASSERT_EQ(scripts.size(), 4u);
  EXPECT_EQ(scripts[1].size(), 4u);
  EXPECT_EQ(scripts[2].size(), 4u);
  EXPECT_EQ(scripts[3].size(), 1u);
  for (int i = 0; i < 10; ++i) EXPECT_NE(result_of(lines, 1 + i), "") << i;  // each its own answer
}

TEST(Lane, TheBreakerOpensWhenThingsFailsEveryOperationOfScriptsThatRan) {
  // On a Mac each operation catches its own error, so osascript exits 0 even when Things
  // is not running: the breaker must still count those scripts as failures of Things.
  std::atomic<int> runs{0};
  ScriptRunner not_running = [&](const things::ScriptCommand&, const std::string&, Millis, const std::function<bool()>&) {
    ++runs;
    things::ScriptOutput out;
    out.started = true;
    out.out = "takt-error -600 Things3 got an error: Application isn't running.\n";
    return out;
  };
  Harness h("0", [](Config& c) { c.backend.breaker_failures = 2; c.backend.breaker_cooldown = Millis{60000}; },
            not_running, std::make_shared<things::AppleScriptDialect>([] { return things::Date{2025, 6, 15}; }));
  spdlog::set_level(spdlog::level::off);
  for (int i = 0; i < 3; ++i) {
    h.call(10 + i, "add_todo", R"({"title":"x"})");
    h.capture->wait_for(static_cast<std::size_t>(2 + i));
  }
  auto lines = h.capture->wait_for(4);
  h.pipeline->drain();
  EXPECT_EQ(runs.load(), 2);  // the third never reached Things
  EXPECT_NE(result_of(lines, 10).find("not running"), std::string::npos) << result_of(lines, 10);
  EXPECT_NE(result_of(lines, 12).find("circuit breaker open"), std::string::npos) << result_of(lines, 12);
}

TEST(Lane, ALaneThatThrowsStillAnswersEveryJobItTook) {
  // Whatever goes wrong around a script (here the runner throws, as the machine-wide lock
  // does when its directory was removed), each job taken off the queue gets an answer.
  ScriptRunner broken = [](const things::ScriptCommand&, const std::string&, Millis, const std::function<bool()>&)
      -> things::ScriptOutput { throw std::runtime_error("lock directory is gone"); };
  Harness h("0", [](Config& c) { c.lane.batch_max = 4; }, broken);
  spdlog::set_level(spdlog::level::off);
  for (int i = 0; i < 6; ++i) h.call(20 + i, "add_todo", R"({"title":"t)" + std::to_string(i) + R"("})");
  auto lines = h.capture->wait_for(1 + 6, 20s);
  h.pipeline->drain();
  for (int i = 0; i < 6; ++i) {
    const auto line = result_of(lines, 20 + i);
    EXPECT_NE(line.find("lock directory is gone"), std::string::npos) << i << ": " << line;
    EXPECT_NE(line.find("may or may not"), std::string::npos) << line;
  }
  EXPECT_FALSE(h.services->lane.busy.running());
}

TEST(Lane, AFullQueueRefusesWithOverloaded) {
  FakeThings things;
  Harness h("0", [](Config& c) { c.pipeline.slow_queue_capacity = 3; c.lane.batch_max = 1; }, things.runner());
  spdlog::set_level(spdlog::level::off);
  things.close_gate();
  h.call(1, "add_todo", R"({"title":"running"})");
  things.wait_started(1);
  for (int i = 0; i < 6; ++i) h.call(10 + i, "add_todo", R"({"title":"q)" + std::to_string(i) + R"("})");
  auto lines = h.capture->wait_for(1 + 3);
  int overloaded = 0;
  for (const auto& l : lines) overloaded += l.find("-32000") != std::string::npos;
  EXPECT_EQ(overloaded, 3);
  things.open_gate();
  h.capture->wait_for(1 + 7);
  h.pipeline->drain();
}

TEST(Lane, WaitingRequestsHearTheirPlaceInTheQueue) {
  FakeThings things;
  Harness h("0", [](Config& c) { c.lane.batch_max = 1; }, things.runner());
  spdlog::set_level(spdlog::level::off);
  things.close_gate();
  for (int i = 0; i < 4; ++i) h.call(1 + i, "add_todo", R"({"title":"w)" + std::to_string(i) + R"("})");
  h.call(9, "add_todo", R"({"title":"last"})", R"(,"_meta":{"progressToken":"p"})");
  things.wait_started(1);
  h.call(600, "queue_status");
  h.capture->wait_for(3);
  things.open_gate();
  auto lines = h.capture->wait_for(1 + 1 + 5 + 6);
  h.pipeline->drain();
  lines = h.capture->wait_for(1);
  std::vector<double> progress;
  bool answered = false;
  for (const auto& l : lines) {
    if (id_of(l) == 9) answered = true;
    if (l.find(R"("progressToken":"p")") == std::string::npos) continue;
    EXPECT_FALSE(answered) << "progress after the response";
    progress.push_back(parse_json(l)["params"]["progress"].GetDouble());
  }
  ASSERT_GE(progress.size(), 4u);  // queued, moving up as the three ahead run, running
  EXPECT_TRUE(std::is_sorted(progress.begin(), progress.end()));
  EXPECT_EQ(std::adjacent_find(progress.begin(), progress.end()), progress.end());
}

// One script at a time over 100k randomized mixed operations (also run under TSan).
TEST(Lane, OneScriptAtATimeOverAHundredThousandMixedOperations) {
  FakeThings things;
  Harness h("0",
            [](Config& c) {
              c.tools.reads_via = ReadsVia::AppleScript;
              // The mirror is read again after each write only (a max age of 0 read it for
              // every batch of reads: 2x the time, most of it SQLite building empty mirrors,
              // past the sanitizer builds' timeout).
              c.tools.mirror_max_age = Millis{3600000};
              c.cache.ttl = Millis{1};
              c.lane.batch_max = 7;
              c.server.max_in_flight = 512;
              c.pipeline.slow_queue_capacity = 100000;
            },
            things.runner());
  spdlog::set_level(spdlog::level::off);
  std::mt19937 rng(2026);
  constexpr int kOps = 100000;
  const char* tools[] = {"get_inbox", "get_today", "get_projects", "add_todo", "queue_status", "health_check"};
  int expected = 1;  // initialize
  std::thread canceller;
  for (int i = 0; i < kOps; ++i) {
    const int id = 10 + i;
    const char* tool = tools[rng() % 6];
    if (std::string(tool) == "add_todo") h.call(id, tool, R"({"title":"t)" + std::to_string(i) + R"("})");
    else if (std::string(tool) == "health_check") h.pipeline->submit(h.session, request(id, "ping"), false);
    else h.call(id, tool, R"({"limit":)" + std::to_string(1 + rng() % 50) + "}");
    ++expected;
    if (rng() % 50 == 0) {
      h.pipeline->submit(h.session, R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":)" +
                                        std::to_string(id) + "}}", false);
    }
  }
  h.pipeline->drain();
  auto lines = h.capture->wait_for(1);
  EXPECT_EQ(things.max_running(), 1);
  EXPECT_LE(lines.size(), static_cast<std::size_t>(expected));
  EXPECT_GT(lines.size(), static_cast<std::size_t>(expected * 9 / 10));
  std::set<int> ids;
  for (const auto& l : lines) {
    const int id = id_of(l);
    if (id >= 0) {
      EXPECT_TRUE(ids.insert(id).second) << "answered twice: " << id;
    }
  }
  EXPECT_EQ(h.admission.in_flight(), 0u);
  EXPECT_EQ(h.services->leveling.size(), 0u);
}
