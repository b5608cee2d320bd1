// The stage bodies of nodes/, driven directly: no TBB, no graph, no thread but the
// test's. Each test builds a Job as the stage before would hand it over, runs one body,
// and checks what it did to the job and to the services it shares. The database is a
// copy of the real Things 3 database of things.py's test suite (skipped when missing).

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "support/fixture.hpp"
#include "flow/job.hpp"
#include "flow/services.hpp"
#include "metrics/fast_metrics.hpp"
#include "metrics/metrics.hpp"
#include "nodes/stages.hpp"
#include "things/catalog/catalog.hpp"
#include "things/db/db.hpp"
#include "things/script/applescript.hpp"
#include "things/script/ops.hpp"

using namespace takt;
namespace fs = std::filesystem;

namespace {

/// The lines a session sent its client.
struct Capture : Output {
  void send(std::string line, std::function<void()> written) override {
    {
      std::lock_guard lock(mu);
      lines.push_back(std::move(line));
    }
    if (written) written();
  }
  std::mutex mu;
  std::vector<std::string> lines;
};

class Stages : public ::testing::Test {
 protected:
  void SetUp() override {
    TAKT_NEEDS_FIXTURE(THINGS_FIXTURE);
    dir = fs::temp_directory_path() / ("takt-stages-" + std::to_string(::getpid()) + "-" +
                                       ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir);
    fs::copy_file(THINGS_FIXTURE, dir / "main.sqlite");
    if (fs::exists(std::string(THINGS_FIXTURE) + "-wal"))
      fs::copy_file(std::string(THINGS_FIXTURE) + "-wal", dir / "main.sqlite-wal");
    cfg.cache.shared = false;
    cfg.pipeline.slow_queue_capacity = 1;
    backend.kind = "sim";
    backend.database = (dir / "main.sqlite").string();
    backend.dialect = std::make_shared<things::AppleScriptDialect>(&things::local_today);
    db = std::make_unique<things::ThingsDb>(backend.database, 1, &things::local_today);
    services = std::make_unique<Services>(cfg, metrics, *db, backend, admission);
    // The graph declares its edges at assembly; here every hand-over between stages may
    // happen, so all are declared.
    for (std::size_t a = 0; a < kStageCount; ++a)
      for (std::size_t b = 0; b < kStageCount; ++b) services->edges.declare(static_cast<Stage>(a), static_cast<Stage>(b));
    session = std::make_shared<Session>(out);
    session->set_state(Session::State::Ready);
  }
  void TearDown() override {
    services.reset();
    db.reset();
    if (!dir.empty()) fs::remove_all(dir);
  }

  /// A job as the transport admits it: a line from the session, holding an admission slot.
  JobPtr admitted(std::string line) {
    auto job = std::make_shared<Job>();
    job->session = session;
    job->line = std::move(line);
    EXPECT_TRUE(admission.try_acquire());
    job->slot = &admission;
    return job;
  }
  /// The job after parse and classify, as cache_lookup receives it.
  JobPtr classified(const std::string& line) {
    auto job = admitted(line);
    ParseStage{*services}(job);
    ClassifyStage{*services}(job);
    return job;
  }
  static std::string call(int id, const std::string& tool, const std::string& args = "{}") {
    return R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":"tools/call","params":{"name":")" + tool +
           R"(","arguments":)" + args + "}}";
  }

  fs::path dir;
  Config cfg;
  Metrics metrics;
  Admission admission{8};
  Backend backend;
  std::unique_ptr<things::ThingsDb> db;
  std::unique_ptr<Services> services;
  std::shared_ptr<Capture> out = std::make_shared<Capture>();
  std::shared_ptr<Session> session;
};

}  // namespace

TEST_F(Stages, ParseReadsAMessageAndAnswersWhatCannotBeRead) {
  auto ok = admitted(R"({"jsonrpc":"2.0","id":7,"method":"ping"})");
  ParseStage{*services}(ok);
  ASSERT_TRUE(ok->msg);
  EXPECT_FALSE(ok->answered());
  EXPECT_EQ(ok->msg->method, "ping");
  EXPECT_EQ(ok->id(), "7");

  auto bad = admitted(R"({"jsonrpc":"2.0","id":8,"method":)");
  ParseStage{*services}(bad);
  ASSERT_TRUE(bad->error);
  EXPECT_EQ(bad->error->code, mcp::kParseError);

  auto big = admitted("");
  big->oversized = true;
  ParseStage{*services}(big);
  ASSERT_TRUE(big->error);
  EXPECT_EQ(big->error->code, mcp::kInvalidRequest);
  EXPECT_EQ(big->id(), "null");

  auto late = admitted(R"({"jsonrpc":"2.0","id":"x","method":"ping"})");
  late->overloaded = true;  // let in only to be told so (server.on_overload: reject)
  ParseStage{*services}(late);
  ASSERT_TRUE(late->error);
  EXPECT_EQ(late->error->code, mcp::kOverloaded);
  EXPECT_EQ(late->id(), R"("x")");
}

TEST_F(Stages, ClassifyChoosesTheRouteAndRefusesWhatTheLifecycleForbids) {
  auto read = classified(call(1, "get_inbox"));
  EXPECT_FALSE(read->answered());
  EXPECT_EQ(read->lane, Lane::Database);
  EXPECT_FALSE(read->write);
  EXPECT_EQ(read->cache_key, "get_inbox:{}");

  auto write = classified(call(2, "add_todo", R"({"title":"t"})"));
  EXPECT_EQ(write->lane, Lane::AppleScript);
  EXPECT_TRUE(write->write);
  EXPECT_TRUE(write->cache_key.empty());

  auto status = classified(call(3, "queue_status"));
  EXPECT_EQ(status->lane, Lane::InProcess);

  auto unknown = classified(R"({"jsonrpc":"2.0","id":4,"method":"no/such"})");
  ASSERT_TRUE(unknown->error);
  EXPECT_EQ(unknown->error->code, mcp::kMethodNotFound);

  auto bad_args = classified(call(5, "add_todo", R"({"title":7})"));
  EXPECT_TRUE(bad_args->tool_failed);

  session->set_state(Session::State::New);
  auto early = classified(call(6, "get_inbox"));
  ASSERT_TRUE(early->error);
  EXPECT_EQ(early->error->code, mcp::kInvalidRequest);
}

TEST_F(Stages, ACacheMissGoesToTheDatabaseAndTheStoredAnswerIsTheNextHit) {
  std::vector<JobPtr> released;
  auto first = classified(call(1, "get_inbox"));
  EXPECT_EQ(CacheLookupStage{*services}(first, released), Destination::Database);
  EXPECT_TRUE(first->tracked);  // it waits now: a cancellation can find it

  // An identical read while the first is in flight follows it instead of running.
  auto follower = classified(call(2, "get_inbox"));
  EXPECT_EQ(CacheLookupStage{*services}(follower, released), Destination::Parked);

  DbReadStage{*services}(first);
  ASSERT_TRUE(first->result);
  EXPECT_FALSE(first->tool_failed);
  EXPECT_NE(first->result->find(R"("items")"), std::string::npos);

  const auto answered = CacheStoreStage{*services}(first);
  ASSERT_EQ(answered.size(), 2u);  // the read and the one that followed it
  EXPECT_EQ(answered[0], first);
  EXPECT_EQ(answered[1], follower);
  EXPECT_EQ(&*follower->result, &*first->result);  // the same answer, not a copy

  auto again = classified(call(3, "get_inbox"));
  EXPECT_EQ(CacheLookupStage{*services}(again, released), Destination::Answered);
  EXPECT_EQ(&*again->result, &*first->result);
  EXPECT_TRUE(released.empty());
}

TEST_F(Stages, CacheLookupRoutesProtocolAndStatusInProcessAndDropsCancelledWork) {
  std::vector<JobPtr> released;
  auto ping = classified(R"({"jsonrpc":"2.0","id":1,"method":"ping"})");
  EXPECT_EQ(CacheLookupStage{*services}(ping, released), Destination::InProcess);
  auto status = classified(call(2, "queue_status"));
  EXPECT_EQ(CacheLookupStage{*services}(status, released), Destination::InProcess);

  auto write = classified(call(3, "add_todo", R"({"title":"t"})"));
  EXPECT_TRUE(session->cancel("3") == false);  // not yet tracked: remembered for later
  EXPECT_EQ(CacheLookupStage{*services}(write, released), Destination::Answered);  // cancelled: never runs
  EXPECT_TRUE(write->cancelled.load());
}

TEST_F(Stages, FastAnswersProtocolMethodsAndStatusTools) {
  auto ping = classified(R"({"jsonrpc":"2.0","id":1,"method":"ping"})");
  FastStage{*services}(ping);
  EXPECT_TRUE(ping->result == "{}");

  auto status = classified(call(2, "queue_status"));
  FastStage{*services}(status);
  ASSERT_TRUE(status->result);
  EXPECT_NE(status->result->find("slow_queue_capacity"), std::string::npos);
}

TEST_F(Stages, WritePriorityQueuesUntilTheLaneIsFullThenSaysOverloaded) {
  std::vector<JobPtr> released;
  auto first = classified(call(1, "add_todo", R"({"title":"a"})"));
  EXPECT_TRUE(WritePriorityStage{*services}(first, released));
  EXPECT_EQ(services->leveling.size(), 1u);
  auto second = classified(call(2, "add_todo", R"({"title":"b"})"));  // slow_queue_capacity is 1
  EXPECT_FALSE(WritePriorityStage{*services}(second, released));
  ASSERT_TRUE(second->error);
  EXPECT_EQ(second->error->code, mcp::kOverloaded);
  EXPECT_EQ(services->leveling.size(), 1u);
}

TEST_F(Stages, SerializeWritesTheReplyAndEgressSendsItAndFreesTheSlot) {
  auto ping = classified(R"({"jsonrpc":"2.0","id":9,"method":"ping"})");
  FastStage{*services}(ping);
  SerializeStage{*services}(ping);
  EXPECT_EQ(ping->wire, R"({"jsonrpc":"2.0","id":9,"result":{}})");
  EXPECT_EQ(admission.in_flight(), 1u);
  EgressStage{*services}(ping);
  EXPECT_EQ(admission.in_flight(), 0u);
  ASSERT_EQ(out->lines.size(), 1u);
  EXPECT_EQ(out->lines[0], R"({"jsonrpc":"2.0","id":9,"result":{}})");

  // A notification gets no reply, and still frees its slot.
  auto note = classified(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  FastStage{*services}(note);
  SerializeStage{*services}(note);
  EXPECT_TRUE(note->wire.empty());
  EgressStage{*services}(note);
  EXPECT_EQ(admission.in_flight(), 0u);
  EXPECT_EQ(out->lines.size(), 1u);
}

// A stage that names its parts runs on those parts alone: no Services, no database, no
// backend behind it.
TEST_F(Stages, ParseCacheStoreAndEgressRunOnTheirPartsAlone) {
  Config small;
  small.server.max_message_bytes = 64;
  Metrics own_metrics;
  EdgeCounters edges(own_metrics.fast().counters("takt_test_edges_total", "edges of this test"));
  for (std::size_t a = 0; a < kStageCount; ++a)
    for (std::size_t b = 0; b < kStageCount; ++b) edges.declare(static_cast<Stage>(a), static_cast<Stage>(b));
  LaneMetrics lane_metrics(own_metrics);
  ResponseCache cache(4);
  InFlightReads inflight;
  Admission slots(1);

  auto big = std::make_shared<Job>();
  big->session = session;
  big->oversized = true;
  ParseStage(ParseStage::Uses{edges, small, lane_metrics})(big);
  ASSERT_TRUE(big->error);
  EXPECT_NE(big->error->message.find("longer than 64 bytes"), std::string::npos);

  auto read = std::make_shared<Job>();
  read->session = session;
  read->cache_key = "get_inbox:{}";
  read->result = std::string(R"({"items":[]})");
  read->tool = things::find_tool("get_inbox");
  const auto out_jobs = CacheStoreStage(CacheStoreStage::Uses{edges, small, cache, inflight})(read);
  ASSERT_EQ(out_jobs.size(), 1u);
  EXPECT_EQ(cache.size(), 1u);

  ASSERT_TRUE(slots.try_acquire());
  read->slot = &slots;
  read->wire = "reply";
  EgressStage(EgressStage::Uses{edges, slots, lane_metrics})(read);
  EXPECT_EQ(slots.in_flight(), 0u);
  EXPECT_EQ(out->lines.back(), "reply");
}

// The AppleScript lane's body: it takes the batch the leveling queue picks, renders it in
// the backend's dialect, runs it once (here through a runner that only records the
// script, as on a Mac where no Things answers), and answers every job it took.
TEST_F(Stages, TheLaneRunsTheQueuedBatchAsOneScriptAndAnswersEveryJob) {
  int runs = 0;
  std::string script;
  services->backend.run = [&](const things::ScriptCommand&, const std::string& text, Millis,
                              const std::function<bool()>&) {
    ++runs;
    script = text;
    things::ScriptOutput out;
    out.out = "takt-error -1728 Things3 got an error: Can\xE2\x80\x99t get project id \"P\".\n";
    return out;
  };
  std::vector<JobPtr> released;
  auto write = classified(call(1, "add_todo", R"({"title":"from the lane"})"));
  ASSERT_TRUE(WritePriorityStage{*services}(write, released));
  const auto batch = run_next_batch(*services);
  ASSERT_EQ(batch.size(), 1u);
  EXPECT_EQ(batch[0], write);
  EXPECT_EQ(runs, 1);
  EXPECT_NE(script.find("from the lane"), std::string::npos) << script;
  EXPECT_TRUE(write->answered());
  EXPECT_TRUE(write->tool_failed);  // Things refused it, and the reply says so
  EXPECT_NE(write->result->find("no such item"), std::string::npos) << *write->result;
  EXPECT_EQ(services->leveling.size(), 0u);
  EXPECT_TRUE(run_next_batch(*services).empty());  // nothing left: nothing runs
  EXPECT_EQ(runs, 1);
}
