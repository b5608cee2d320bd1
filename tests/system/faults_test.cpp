// Many takt processes on one things-sim database, and faults injected through things-sim
// (failures, crashes, "not running" windows, slow starts) and by killing takt: no two
// scripts ever overlap, every acknowledged write is in the database exactly once, no
// write is duplicated by a retry, the circuit breaker opens and closes, and a takt killed
// mid-script wedges no one. Real binaries throughout; no timing is asserted tightly.
//
// The caches are off here: cross-process invalidation of the shared cache is another
// piece of work (the reads after a write in another process go to the database).

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <set>

#include "base/json.hpp"
#include "support/takt_process.hpp"

using namespace takt;
using namespace takt::test;

namespace {

using Clock = std::chrono::steady_clock;

/// The shared things-sim database and the lock directory every takt of a test uses.
struct World {
  TempDir dir;
  std::string db() const { return dir.file("things.sqlite"); }
  std::string locks() const { return dir.file("locks"); }
  long long stat(const char* key) const {
    std::string out;
    run(std::string(THINGS_SIM_BINARY) + " --db " + db() + " --stats", &out);
    return parse_json(out)[key].GetInt64();
  }
  long long count(const std::string& title) const {
    return std::stoll(sql_value(db(), "SELECT count(*) FROM TMTask WHERE title = '" + title + "'"));
  }
  /// takt's configuration on this world; `backend` lines are indented by two spaces,
  /// `extra` holds whole sections.
  std::string config(const std::string& latency, const std::string& backend = "", const std::string& extra = "") const {
    return "backend:\n  database: " + db() + "\n  lock_dir: " + locks() + "\n  sim_per_op: 0ms\n  sim_latency: " +
           latency + "\n  script_timeout: 20s\n" + backend +
           "metrics:\n  listen: 127.0.0.1:0\ncache:\n  enabled: false\n" + extra;
  }
};

/// Sets an environment variable for the processes started while it lives (takt passes it
/// on to things-sim, which reads its fault options from the environment).
class Env {
 public:
  Env(const char* name, const std::string& value) : name_(name) { setenv(name, value.c_str(), 1); }
  ~Env() { unsetenv(name_); }

 private:
  const char* name_;
};

/// A takt process with its own config directory.
struct Server {
  explicit Server(const std::string& config) : takt(dir, config) { takt.handshake(); }
  TempDir dir;
  Takt takt;
};

std::string request(int id, const std::string& tool, const std::string& args) {
  return R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":"tools/call","params":{"name":")" + tool +
         R"(","arguments":)" + args + "}}";
}

std::string add_todo(int id, const std::string& title) { return request(id, "add_todo", R"({"title":")" + title + "\"}"); }

bool is_error(const rapidjson::Document& r) { return !r.HasMember("result") || r["result"]["isError"].GetBool(); }
std::string text(const rapidjson::Document& r) {
  return r.HasMember("result") ? r["result"]["content"][0]["text"].GetString() : json::dump(r);
}

/// Waits until `pred` holds (polling), at most `limit`.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds limit = 10s) {
  const auto end = Clock::now() + limit;
  while (Clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return pred();
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string sims_running(const World& w) {
  std::string out;
  run("pgrep -f '[t]hings-sim --db " + w.db() + " --latency' || true", &out);
  return out;
}

}  // namespace

TEST(ManyTakts, FourProcessesDrivenHardNeverOverlapAndEveryAcknowledgedWriteLandsOnce) {
  World w;
  constexpr int kTakts = 4, kWrites = 30;
  std::vector<std::unique_ptr<Server>> takts;
  // Small batches: many scripts, so the processes contend for the lock all the time.
  for (int k = 0; k < kTakts; ++k)
    takts.push_back(std::make_unique<Server>(w.config("2ms..8ms", "", "lane:\n  batch_max: 2\n")));
  // Everything at once: each process gets its writes with reads in between, unanswered.
  for (int i = 0; i < kWrites; ++i)
    for (int k = 0; k < kTakts; ++k) {
      auto& t = takts[k]->takt;
      t.process().send(add_todo(1000 + i, "p" + std::to_string(k) + " w" + std::to_string(i)));
      if (i % 3 == 0) t.process().send(request(5000 + i, "get_inbox", R"({"limit":3,"compact":true})"));
    }
  std::map<std::string, std::string> acknowledged;  // title -> id
  for (int k = 0; k < kTakts; ++k)
    for (int i = 0; i < kWrites; ++i) {
      auto& t = takts[k]->takt;
      auto r = t.await(std::to_string(1000 + i), 60s);
      ASSERT_FALSE(is_error(r)) << text(r);
      acknowledged["p" + std::to_string(k) + " w" + std::to_string(i)] =
          r["result"]["structuredContent"]["id"].GetString();
      if (i % 3 == 0) {
        EXPECT_FALSE(is_error(t.await(std::to_string(5000 + i), 60s)));
      }
    }
  // A write acknowledged by one process is seen by a read in every other.
  for (int k = 0; k < kTakts; ++k) {
    const auto title = "p" + std::to_string(k) + " w" + std::to_string(kWrites - 1);
    for (int j = 0; j < kTakts; ++j) {
      auto r = takts[j]->takt.tool(9000 + k, "search", R"({"query":")" + title + "\"}");
      ASSERT_FALSE(is_error(r)) << text(r);
      EXPECT_EQ(r["result"]["structuredContent"]["count"].GetInt(), 1) << title << " from takt " << j;
    }
  }
  int duplicates = 0, lost = 0;
  for (const auto& [title, id] : acknowledged) {
    const auto n = w.count(title);
    duplicates += n > 1;
    lost += n == 0;
    EXPECT_EQ(sql_value(w.db(), "SELECT uuid FROM TMTask WHERE title = '" + title + "'"), id);
  }
  EXPECT_EQ(acknowledged.size(), static_cast<std::size_t>(kTakts * kWrites));
  EXPECT_EQ(duplicates, 0);
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(w.stat("overlaps"), 0);
  std::cout << "[ figures  ] " << kTakts << " takts, " << acknowledged.size() << " writes acknowledged in "
            << w.stat("calls") << " scripts: overlaps " << w.stat("overlaps") << ", duplicates " << duplicates
            << ", lost " << lost << "\n";
  for (auto& s : takts) {
    s->takt.process().close_stdin();
    EXPECT_EQ(s->takt.process().wait(), 0) << s->takt.process().stderr_text();
  }
}

TEST(ManyTakts, InjectedFailuresAndCrashesAreRetriedWithoutEverDuplicatingAWrite) {
  World w;
  constexpr int kTakts = 3, kWrites = 24;
  // About a third of the scripts fail in a way a retry may follow (the read-back shows the
  // write did not happen), so 8 tries left a batch refused about once in a hundred runs
  // (0.35^8 per batch, ~36 batches). 16 tries make that ~1e-6; the backoff stays under 1 s.
  const std::string retry = "  sim_fail_rate: 0.25\n  retry:\n    attempts: 16\n    base_delay: 5ms\n    max_delay: 40ms\n"
                            "  breaker:\n    failures: 1000\n";
  std::vector<std::unique_ptr<Server>> takts;
  {
    // A quarter of the calls time out, and about one in six crashes (SIGKILL): before the
    // ops, inside their transaction, or after the commit with no result.
    Env crash("THINGS_SIM_CRASH_RATE", "0.15");
    for (int k = 0; k < kTakts; ++k)
      takts.push_back(std::make_unique<Server>(w.config("2ms..6ms", retry, "lane:\n  batch_max: 2\n")));
  }
  for (int i = 0; i < kWrites; ++i)
    for (int k = 0; k < kTakts; ++k)
      takts[k]->takt.process().send(add_todo(100 + i, "f" + std::to_string(k) + " w" + std::to_string(i)));
  int acknowledged = 0, refused = 0, duplicates = 0, lost = 0, applied_but_refused = 0;
  for (int k = 0; k < kTakts; ++k)
    for (int i = 0; i < kWrites; ++i) {
      const auto title = "f" + std::to_string(k) + " w" + std::to_string(i);
      auto r = takts[k]->takt.await(std::to_string(100 + i), 60s);
      const auto n = w.count(title);
      duplicates += n > 1;
      if (is_error(r)) {
        ++refused;
        applied_but_refused += n != 0;  // a write reported as not done must not be there
        ADD_FAILURE() << title << ": " << text(r);
      } else {
        ++acknowledged;
        lost += n == 0;
        EXPECT_EQ(sql_value(w.db(), "SELECT uuid FROM TMTask WHERE title = '" + title + "'"),
                  r["result"]["structuredContent"]["id"].GetString());
      }
    }
  EXPECT_EQ(duplicates, 0);
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(applied_but_refused, 0);
  EXPECT_EQ(w.stat("overlaps"), 0);
  EXPECT_GT(w.stat("failures"), 0) << "no fault was injected: the test proves nothing";
  std::cout << "[ figures  ] " << kTakts << " takts, " << w.stat("calls") << " scripts, " << w.stat("failures")
            << " injected failures and crashes: acknowledged " << acknowledged << ", refused " << refused
            << ", duplicates " << duplicates << ", lost " << lost << ", overlaps " << w.stat("overlaps") << "\n";
}

TEST(Retry, AWriteCarriedOutByAScriptThatCrashedIsFoundByReadingBackAndNotWrittenTwice) {
  World w;
  std::unique_ptr<Server> s;
  {
    // Every call crashes: before the ops or inside their transaction (nothing applied,
    // so takt tries again), or after the commit (applied, no result: takt must find it
    // in the database instead of writing it again).
    Env crash("THINGS_SIM_CRASH_RATE", "1");
    s = std::make_unique<Server>(w.config("1ms", "  retry:\n    attempts: 60\n    base_delay: 1ms\n    max_delay: 4ms\n"
                                                 "  breaker:\n    failures: 1000\n"));
  }
  for (int i = 0; i < 4; ++i) {
    const auto title = "crashed " + std::to_string(i);
    auto r = s->takt.tool(10 + i, "add_todo", R"({"title":")" + title + R"("})");
    ASSERT_FALSE(is_error(r)) << text(r);
    EXPECT_EQ(w.count(title), 1);
    EXPECT_EQ(sql_value(w.db(), "SELECT uuid FROM TMTask WHERE title = '" + title + "'"),
              r["result"]["structuredContent"]["id"].GetString());
  }
  EXPECT_EQ(w.stat("failures"), w.stat("calls"));
  EXPECT_NE(s->takt.process().stderr_text().find("but the database shows"), std::string::npos);
}

TEST(Breaker, OpensAfterRepeatedFailuresFailsFastAndClosesWhenThingsAnswersAgain) {
  World w;
  const auto down = w.dir.file("things-is-down");
  std::unique_ptr<Server> s;
  {
    Env env("THINGS_SIM_DOWN_FILE", down);
    s = std::make_unique<Server>(w.config("1ms", "  retry:\n    attempts: 1\n  breaker:\n    failures: 3\n"
                                                    "    cooldown: 1500ms\n"));
  }
  auto& t = s->takt;
  std::ofstream(down) << "";
  // Three scripts fail ("not running"): the third opens the breaker.
  const auto first_failure = Clock::now();
  for (int i = 0; i < 3; ++i) {
    auto r = t.tool(10 + i, "add_todo", R"({"title":"while down"})");
    ASSERT_TRUE(is_error(r));
    EXPECT_NE(text(r).find("is not running"), std::string::npos) << text(r);
    EXPECT_NE(text(r).find("not applied"), std::string::npos) << text(r);
  }
  const double to_open = seconds_since(first_failure);
  auto health = t.tool(20, "health_check");
  const auto& breaker = health["result"]["structuredContent"]["breaker"];
  EXPECT_STREQ(breaker["state"].GetString(), "open");
  EXPECT_NE(std::string(breaker["reason"].GetString()).find("(-600)"), std::string::npos);
  EXPECT_STREQ(health["result"]["structuredContent"]["status"].GetString(), "degraded");
  // Open: a request that needs a script fails at once, without a script.
  const auto calls = w.stat("calls");
  const auto asked = Clock::now();
  auto fast = t.tool(21, "add_todo", R"({"title":"refused"})");
  const double fail_fast = seconds_since(asked);
  ASSERT_TRUE(is_error(fast));
  EXPECT_NE(text(fast).find("circuit breaker open"), std::string::npos) << text(fast);
  EXPECT_EQ(w.stat("calls"), calls);
  // What needs no script goes on: database reads, status tools, protocol methods.
  EXPECT_FALSE(is_error(t.tool(22, "get_inbox", R"({"limit":1})")));
  EXPECT_FALSE(is_error(t.tool(23, "queue_status")));
  EXPECT_TRUE(t.call(24, "ping").HasMember("result"));
  // After the cool-down one probe runs; Things is still down: open again.
  std::this_thread::sleep_for(1600ms);
  auto probe = t.tool(25, "add_todo", R"({"title":"probe while down"})");
  ASSERT_TRUE(is_error(probe));
  EXPECT_NE(text(probe).find("is not running"), std::string::npos) << text(probe);
  EXPECT_EQ(w.stat("calls"), calls + 1);
  auto again = t.tool(26, "health_check");
  EXPECT_STREQ(again["result"]["structuredContent"]["breaker"]["state"].GetString(), "open");
  EXPECT_EQ(again["result"]["structuredContent"]["breaker"]["opened"].GetInt(), 2);
  // Things is back: the next probe after the cool-down works and closes the breaker.
  std::filesystem::remove(down);
  const auto back = Clock::now();
  rapidjson::Document ok;
  int id = 30;
  ASSERT_TRUE(eventually([&] {
    ok = t.tool(id++, "add_todo", R"({"title":"after the outage"})");
    return !is_error(ok);
  }));
  const double to_close = seconds_since(back);
  auto closed = t.tool(40, "health_check");
  EXPECT_STREQ(closed["result"]["structuredContent"]["breaker"]["state"].GetString(), "closed");
  EXPECT_STREQ(closed["result"]["structuredContent"]["status"].GetString(), "ok");
  EXPECT_EQ(w.count("after the outage"), 1);
  EXPECT_EQ(w.count("while down") + w.count("refused") + w.count("probe while down"), 0);
  std::cout << "[ figures  ] breaker: opened " << to_open << " s after the first failure (3 scripts), failed fast in "
            << fail_fast << " s while open, closed " << to_close
            << " s after Things came back (cool-down 1.5 s, counted from the failed probe)\n";
}

TEST(Retry, NotRunningWhileThingsStartsIsRetriedUntilItAnswersOnce) {
  World w;
  const auto down = w.dir.file("starting");
  std::unique_ptr<Server> s;
  {
    Env window("THINGS_SIM_DOWN_FILE", down);
    Env launch("THINGS_SIM_LAUNCH_MS", "300");  // the first call after the window is slow
    s = std::make_unique<Server>(
        w.config("1ms", "  retry:\n    attempts: 30\n    base_delay: 50ms\n    max_delay: 200ms\n"
                           "  breaker:\n    failures: 100\n"));
  }
  std::ofstream(down) << "";
  s->takt.process().send(add_todo(1, "once Things runs"));
  ASSERT_TRUE(eventually([&] { return w.stat("failures") >= 2; }));
  std::filesystem::remove(down);  // Things has started
  auto r = s->takt.await("1", 30s);
  ASSERT_FALSE(is_error(r)) << text(r);
  EXPECT_EQ(w.count("once Things runs"), 1);
  EXPECT_NE(s->takt.process().stderr_text().find("trying again"), std::string::npos);
}

TEST(KillNine, ATaktKilledMidScriptLeavesNoLockNoScriptAndNoHalfBatch) {
  World w;
  // A's scripts take 3 s; B's are quick. B's write waits for the lock A holds.
  Server a(w.config("3000ms"));
  Server b(w.config("5ms"));
  for (int i = 0; i < 5; ++i) a.takt.process().send(add_todo(100 + i, "batch of A " + std::to_string(i)));
  ASSERT_TRUE(eventually([&] {
    auto q = a.takt.tool(1, "queue_status");
    return q["result"]["structuredContent"]["script_running"].GetBool();
  }));
  b.takt.process().send(add_todo(7, "written by B"));
  std::this_thread::sleep_for(100ms);
  const auto killed = Clock::now();
  a.takt.process().signal(SIGKILL);
  EXPECT_EQ(a.takt.process().wait(), 128 + SIGKILL);
  // B proceeds: the kernel dropped A's lock, and A's script died with A.
  auto r = b.takt.await("7", 20s);
  const double b_waited = seconds_since(killed);
  ASSERT_FALSE(is_error(r)) << text(r);
  EXPECT_EQ(w.count("written by B"), 1);
  EXPECT_EQ(sims_running(w), "") << "A's script outlived A";
  EXPECT_EQ(w.stat("overlaps"), 0);
  // A's batch is all or nothing (here nothing: its script was killed before applying it).
  EXPECT_EQ(std::stoll(sql_value(w.db(), "SELECT count(*) FROM TMTask WHERE title LIKE 'batch of A %'")), 0);
  EXPECT_EQ(sql_value(w.db(), "PRAGMA integrity_check"), "ok");
  // A new takt starts on the same lock and database and works.
  Server c(w.config("5ms"));
  EXPECT_FALSE(is_error(c.takt.tool(2, "add_todo", R"({"title":"written by C"})")));
  EXPECT_EQ(w.stat("overlaps"), 0);
  std::cout << "[ figures  ] kill -9 of a takt mid-script: the other takt's write was answered " << b_waited
            << " s later\n";
}

TEST(Shutdown, SigtermWhileThingsIsDownReportsEveryAcceptedWriteAsNotDone) {
  World w;
  const auto down = w.dir.file("down");
  std::ofstream(down) << "";
  std::unique_ptr<Server> s;
  {
    Env env("THINGS_SIM_DOWN_FILE", down);
    s = std::make_unique<Server>(
        w.config("20ms", "  retry:\n    attempts: 3\n    base_delay: 20ms\n  breaker:\n    failures: 100\n"));
  }
  auto& t = s->takt;
  for (int i = 0; i < 4; ++i) t.process().send(add_todo(10 + i, "accepted " + std::to_string(i)));
  EXPECT_TRUE(t.call(1, "ping").HasMember("result"));  // lines are admitted in order
  t.process().signal(SIGTERM);
  for (int i = 0; i < 4; ++i) {
    auto r = t.await(std::to_string(10 + i), 30s);
    ASSERT_TRUE(is_error(r));
    EXPECT_NE(text(r).find("not applied"), std::string::npos) << text(r);
  }
  EXPECT_EQ(t.process().wait(), 0);
  EXPECT_EQ(std::stoll(sql_value(w.db(), "SELECT count(*) FROM TMTask WHERE title LIKE 'accepted %'")), 0);
}
