// A Mac where the AI client has no Full Disk Access: takt cannot read Things' database, and
// Things answers AppleScript as usual. Here takt's backend.database is a path it cannot
// open (a directory), while things-sim, started through a wrapper, acts on a real database
// elsewhere. With tools.reads_via: auto (the default) every read goes through takt's mirror
// of Things and every write is confirmed through it; health_check says so.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include "base/json.hpp"
#include "support/takt_process.hpp"

using namespace takt;
using namespace takt::test;

namespace {

std::string text_of(const rapidjson::Value& v) { return json::dump(v); }

std::string content_text(const rapidjson::Document& r) {
  std::string text;
  if (r.HasMember("result") && r["result"].HasMember("content"))
    for (const auto& c : r["result"]["content"].GetArray()) text += c["text"].GetString();
  return text;
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

class NoDiskAccess : public ::testing::Test {
 protected:
  NoDiskAccess() {
    std::filesystem::create_directories(dir.file("Things Database.thingsdatabase/main.sqlite"));
    // things-sim on the real database, whatever database takt names. While the file
    // crash-after-write exists, the next script that makes a to-do is carried out and then
    // dies by SIGKILL before printing its result (the file goes): Things did the write,
    // osascript never said so. While break-read-back exists, the next such script's first
    // Apple event of the read-back after the writes fails (-1712), as a busy Things does.
    dir.write("things-sim.sh",
              "#!/bin/bash\nargs=()\nwhile [ $# -gt 0 ]; do\n  if [ \"$1\" = --db ]; then args+=(--db '" + real() +
                  "'); shift 2; else args+=(\"$1\"); shift; fi\ndone\n"
                  "crash='" + dir.file("crash-after-write") + "'\n"
                  "break='" + dir.file("break-read-back") + "'\n"
                  "if { [ -e \"$crash\" ] || [ -e \"$break\" ]; } && [ \"${args[-1]}\" = - ]; then\n"
                  "  script=$(cat)\n"
                  "  if [ -e \"$break\" ] && [[ \"$script\" == *'make new to do'* ]]; then\n"
                  "    rm -f \"$break\"\n"
                  "    script=${script/set todoProps to properties of every to do/error number -1712}\n"
                  "  fi\n"
                  "  if [ -e \"$crash\" ] && [[ \"$script\" == *'make new to do'* ]]; then\n"
                  "    rm -f \"$crash\"\n"
                  "    '" + THINGS_SIM_BINARY + "' \"${args[@]}\" <<< \"$script\" >/dev/null\n"
                  "    kill -9 $$\n"
                  "  fi\n"
                  "  exec '" + THINGS_SIM_BINARY + "' \"${args[@]}\" <<< \"$script\"\n"
                  "fi\n"
                  "exec '" + THINGS_SIM_BINARY + "' \"${args[@]}\"\n");
    std::filesystem::permissions(dir.file("things-sim.sh"), std::filesystem::perms::owner_all);
  }
  std::string real() const { return dir.file("things.sqlite"); }
  std::string config(const std::string& tools = "", const std::string& backend = "") const {
    return "backend:\n  database: " + dir.file("Things Database.thingsdatabase/main.sqlite") +
           "\n  sim_path: " + dir.file("things-sim.sh") + "\n  lock_dir: " + dir.file("locks") +
           "\n  sim_per_op: 0ms\n  sim_latency: 1ms..5ms\n  script_timeout: 20s\n" + backend +
           "metrics:\n  enabled: false\ncache:\n  enabled: false\n  watch: 0s\nrelay:\n  join: false\n" + tools;
  }
  long long count(const std::string& title) const {
    return std::stoll(sql_value(real(), "SELECT count(*) FROM TMTask WHERE title = '" + title + "'"));
  }
  long long calls() const {
    std::string out;
    run(std::string(THINGS_SIM_BINARY) + " --db " + real() + " --stats", &out);
    return parse_json(out)["calls"].GetInt64();
  }
  TempDir dir;
};

const rapidjson::Value& structured(const rapidjson::Document& r) {
  EXPECT_TRUE(r.HasMember("result")) << text_of(r);
  EXPECT_FALSE(r["result"]["isError"].GetBool()) << text_of(r);
  return r["result"]["structuredContent"];
}

}  // namespace

TEST_F(NoDiskAccess, ReadsAndWritesGoThroughAppleScript) {
  Takt t(dir, config());
  t.handshake();
  auto health = t.tool(1, "health_check");
  const auto& h = health["result"]["structuredContent"];
  EXPECT_FALSE(h["database_readable"].GetBool()) << text_of(health);
  EXPECT_STREQ(h["reads_via"].GetString(), "applescript");
  EXPECT_STREQ(h["status"].GetString(), "degraded");
  ASSERT_EQ(h["notes"].Size(), 1u) << text_of(health);
  EXPECT_TRUE(contains(h["notes"][0].GetString(), "Full Disk Access")) << text_of(health);

  // Resources too: read from the mirror while the database cannot be read.
  auto listed = t.call(20, "resources/list");
  ASSERT_TRUE(listed.HasMember("result")) << text_of(listed);
  const std::string uri = listed["result"]["resources"][0]["uri"].GetString();
  auto resource = t.call(21, "resources/read", R"({"uri":")" + uri + R"("})");
  ASSERT_TRUE(resource.HasMember("result")) << text_of(resource);
  EXPECT_TRUE(contains(resource["result"]["contents"][0]["text"].GetString(), "\"items\"")) << text_of(resource);

  auto inbox = t.tool(2, "get_inbox");
  EXPECT_EQ(structured(inbox)["total"].GetInt64(), 4);
  EXPECT_TRUE(contains(content_text(inbox), "as takt cannot read Things' database")) << text_of(inbox);

  // A write: one script, which reads Things back after it to confirm it.
  const long long before = calls();
  auto added = t.tool(3, "add_todo",
                      R"({"title":"confirmed without the database","when":"today","deadline":"2031-05-06",)"
                      R"("tags":["Errand"],"notes":"line one\nline two"})");
  const std::string id = structured(added)["id"].GetString();
  EXPECT_TRUE(contains(content_text(added), "confirmed through Things' AppleScript")) << text_of(added);
  EXPECT_FALSE(added["result"]["structuredContent"].HasMember("unconfirmed")) << text_of(added);
  EXPECT_EQ(calls() - before, 1);
  EXPECT_EQ(sql_value(real(), "SELECT title FROM TMTask WHERE uuid = '" + id + "'"), "confirmed without the database");

  // Reads right after use the mirror the confirmation read: no script of their own.
  const long long after_write = calls();
  auto today = t.tool(4, "get_today", R"({"limit":500})");
  EXPECT_TRUE(contains(text_of(structured(today)), id)) << text_of(today);
  EXPECT_EQ(calls(), after_write);

  // Bulk tools look their ids up in the mirror; completing shows in the Logbook.
  auto done = t.tool(5, "complete", R"({"ids":[")" + id + R"("]})");
  EXPECT_EQ(structured(done)["count"].GetInt64(), 1) << text_of(done);
  EXPECT_TRUE(contains(text_of(structured(t.tool(6, "get_logbook", R"({"limit":5})"))), id));

  // The checks made before a write are made against the mirror at hand: a project's id
  // given to update_todo is refused before anything runs (AppleScript's `to do id` would
  // find the project and rename it).
  const std::string project = structured(t.tool(8, "get_projects"))["items"][0]["id"].GetString();
  const std::string project_title = sql_value(real(), "SELECT title FROM TMTask WHERE uuid = '" + project + "'");
  const long long before_refusal = calls();
  auto refused = t.tool(9, "update_todo", R"({"id":")" + project + R"(","title":"renamed by mistake"})");
  EXPECT_TRUE(refused["result"]["isError"].GetBool()) << text_of(refused);
  EXPECT_TRUE(contains(content_text(refused), "is a project; use update_project")) << text_of(refused);
  EXPECT_EQ(calls(), before_refusal);
  EXPECT_EQ(sql_value(real(), "SELECT title FROM TMTask WHERE uuid = '" + project + "'"), project_title);

  // Something that did not happen is still said: an id Things does not have.
  auto ghost = t.tool(7, "update_todo", R"({"id":"GhostIdGhostIdGhostId0","title":"x"})");
  EXPECT_TRUE(ghost["result"]["isError"].GetBool()) << text_of(ghost);
}

// When the read-back inside the writes' script fails (Things did not answer one of its Apple
// events), the writes' own lines still stand, and one more script reads Things back.
TEST_F(NoDiskAccess, AFailedReadBackInTheScriptIsReadAgainOnItsOwn) {
  Takt t(dir, config());
  t.handshake();
  dir.write("break-read-back", "");
  const long long before = calls();
  auto r = t.tool(1, "add_todo", R"({"title":"read back on its own"})");
  EXPECT_FALSE(r["result"]["isError"].GetBool()) << text_of(r);
  EXPECT_TRUE(contains(content_text(r), "confirmed through Things' AppleScript")) << text_of(r);
  EXPECT_FALSE(std::filesystem::exists(dir.file("break-read-back"))) << "the read-back did not fail: proves nothing";
  EXPECT_EQ(calls() - before, 2);
  EXPECT_EQ(count("read back on its own"), 1);
  EXPECT_TRUE(contains(t.process().stderr_text(), "read-back through AppleScript failed")) << t.process().stderr_text();
}

// tools.reads_via: database keeps reads on the database (they fail, saying why), but a
// write is still confirmed: through AppleScript, as the database cannot be read.
TEST_F(NoDiskAccess, ReadsViaDatabaseStaysButWritesAreStillConfirmed) {
  Takt t(dir, config("tools:\n  reads_via: database\n"));
  t.handshake();
  auto health = t.tool(1, "health_check");
  EXPECT_STREQ(health["result"]["structuredContent"]["reads_via"].GetString(), "database") << text_of(health);
  EXPECT_TRUE(contains(health["result"]["structuredContent"]["notes"][0].GetString(), "reads fail")) << text_of(health);
  auto inbox = t.tool(2, "get_inbox");
  EXPECT_TRUE(inbox["result"]["isError"].GetBool()) << text_of(inbox);
  auto added = t.tool(3, "add_todo", R"({"title":"still confirmed"})");
  EXPECT_TRUE(contains(content_text(added), "confirmed through Things' AppleScript")) << text_of(added);
  EXPECT_FALSE(added["result"]["isError"].GetBool()) << text_of(added);
}

// A write script that died after Things carried it out (no result printed): takt reads
// Things back through AppleScript, under the same lock, finds the to-do that was not there
// before, and reports it done with its id instead of writing it a second time.
TEST_F(NoDiskAccess, AWriteWhoseScriptDiedAfterItsCommitIsFoundThroughAppleScript) {
  Takt t(dir, config("tools:\n  mirror_max_age: 1h\n"));
  t.handshake();
  t.tool(1, "get_inbox");  // the mirror before the write
  dir.write("crash-after-write", "");
  auto r = t.tool(2, "add_todo", R"({"title":"done, then the script died"})");
  EXPECT_FALSE(r["result"]["isError"].GetBool()) << text_of(r);
  EXPECT_FALSE(std::filesystem::exists(dir.file("crash-after-write"))) << "the script did not die: proves nothing";
  EXPECT_EQ(count("done, then the script died"), 1);
  EXPECT_EQ(sql_value(real(), "SELECT uuid FROM TMTask WHERE title = 'done, then the script died'"),
            r["result"]["structuredContent"]["id"].GetString());
  EXPECT_TRUE(contains(t.process().stderr_text(), "but Things' AppleScript shows")) << t.process().stderr_text();
}

// Scripts that crash (things-sim killed before its operations, inside their transaction, or
// after the commit with no result) while writes are confirmed through AppleScript: a write
// reported done is there once with the id given; one reported not applied is not there; no
// write is ever made twice. The read-back after a crash reads Things through AppleScript
// under the same lock.
TEST_F(NoDiskAccess, CrashedScriptsAreReadBackThroughAppleScriptAndNothingIsWrittenTwice) {
  constexpr int kWrites = 24;
  std::unique_ptr<Takt> t;
  setenv("THINGS_SIM_CRASH_RATE", "0.25", 1);
  t = std::make_unique<Takt>(dir, config("tools:\n  mirror_max_age: 1h\n",
                                         "  retry:\n    attempts: 40\n    base_delay: 1ms\n    max_delay: 4ms\n"
                                         "  breaker:\n    failures: 1000\n"));
  unsetenv("THINGS_SIM_CRASH_RATE");
  t->handshake();
  int acknowledged = 0, duplicates = 0, lost = 0, not_applied_but_there = 0, unknown = 0;
  for (int i = 0; i < kWrites; ++i) {
    t->tool(100 + i, "get_inbox");  // a mirror before the write, as a client reading first has
    const auto title = "crash " + std::to_string(i);
    auto r = t->tool(10 + i, "add_todo", R"({"title":")" + title + R"("})");
    const auto n = count(title);
    duplicates += n > 1;
    if (r["result"]["isError"].GetBool()) {
      const auto said = content_text(r);
      if (contains(said, "not applied")) not_applied_but_there += n != 0;
      else ++unknown;  // "may or may not have reached Things": both are right
    } else {
      ++acknowledged;
      lost += n == 0;
      EXPECT_EQ(sql_value(real(), "SELECT uuid FROM TMTask WHERE title = '" + title + "'"),
                r["result"]["structuredContent"]["id"].GetString());
    }
  }
  EXPECT_EQ(duplicates, 0);
  EXPECT_EQ(lost, 0);
  EXPECT_EQ(not_applied_but_there, 0);
  EXPECT_GT(acknowledged, kWrites / 2);
  std::string out;
  run(std::string(THINGS_SIM_BINARY) + " --db " + real() + " --stats", &out);
  EXPECT_GT(parse_json(out)["failures"].GetInt64(), 0) << "no crash was injected: the test proves nothing";
  std::cout << "[ figures  ] " << kWrites << " writes: acknowledged " << acknowledged << ", not known " << unknown
            << ", duplicates " << duplicates << "; things-sim: " << out << "\n";
}

// tools.reads_via: applescript chosen on a Mac without Full Disk Access: health_check says
// what goes through AppleScript, without the advice meant for auto.
TEST_F(NoDiskAccess, HealthCheckSaysWhatGoesThroughAppleScriptForEachSetting) {
  Takt t(dir, config("tools:\n  reads_via: applescript\n"));
  t.handshake();
  auto health = t.tool(1, "health_check");
  const auto& h = health["result"]["structuredContent"];
  EXPECT_STREQ(h["reads_via"].GetString(), "applescript") << text_of(health);
  ASSERT_EQ(h["notes"].Size(), 1u) << text_of(health);
  EXPECT_TRUE(contains(h["notes"][0].GetString(), "reads (tools.reads_via: applescript) and write confirmations"))
      << text_of(health);
}
