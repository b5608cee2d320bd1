// Graph-level tests: the real Pipeline (every stage, every edge) with a transport that
// captures replies, over a things-sim database of its own.

#include <gtest/gtest.h>

#include <condition_variable>
#include <thread>

#include "mcp/json.hpp"
#include "pipeline/pipeline.hpp"
#include "support/takt_process.hpp"

using namespace takt;
using namespace takt::test;

namespace {

/// Collects every line the graph sends back, and lets a test wait for a count.
class Capture final : public Output {
 public:
  void send(std::string line) override {
    {
      std::lock_guard lock(mu_);
      lines_.push_back(std::move(line));
    }
    cv_.notify_all();
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

/// A Pipeline over things-sim with the given per-script latency.
struct Harness {
  explicit Harness(const std::string& latency_ms) {
    cfg.backend.script_timeout = Millis{10000};
    const auto db_path = dir.file("things.sqlite");
    auto init = things::run_script({THINGS_SIM_BINARY, {"--db", db_path, "--init"}}, "", Millis{10000});
    EXPECT_EQ(init.exit_code, 0) << init.err;
    backend.kind = "sim";
    backend.label = "things-sim";
    backend.database = db_path;
    backend.command = {THINGS_SIM_BINARY, {"--db", db_path, "--latency-ms", latency_ms}};
    backend.dialect = std::make_shared<things::SimDialect>();
    db = std::make_unique<things::ThingsDb>(db_path, 2, &things::local_today);
    services = std::make_unique<Services>(cfg, metrics, *db, backend, admission);
    pipeline = std::make_unique<Pipeline>(*services);
    session = std::make_shared<Session>(capture);
    pipeline->submit(session, request(0, "initialize", R"({"protocolVersion":"2025-11-25"})"), false);
    capture->wait_for(1);
    pipeline->submit(session, R"({"jsonrpc":"2.0","method":"notifications/initialized"})", false);
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
