// Tests of things-sim's own machinery, through the real binary: the schema, initialisation
// and demo data, options, overlaps, latency and injected faults. The scripts are AppleScript,
// as takt sends them (osascript's output: the result on stdout, `execution error: ... (N)`
// on stderr and exit 1); what the scripts do to Things is tested in things_model_test.cpp
// and applescript_e2e_test.cpp.
#include <set>

#include "harness.hpp"
#include "support/fixture.hpp"

namespace {

using namespace takt::sim_test;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

// ---------------------------------------------------------------------------------------
// Initialisation

TEST_F(SimTest, InitCreatesTheThingsSchemaInWalMode) {
  init();
  auto d = db();
  for (const char* table : {"Meta", "TMArea", "TMTag", "TMContact", "TMMetaItem", "BSSyncronyMetadata", "TMSettings",
                            "TMTaskTag", "TMAreaTag", "TMChecklistItem", "TMCommand", "TMTombstone", "TMTask",
                            "ThingsTouch_ExtensionCommandStore_Meta", "ThingsTouch_ExtensionCommandStore_Commands",
                            "TaktSim"}) {
    EXPECT_EQ(d.integer("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?1", {table}), 1)
        << table;
  }
  EXPECT_EQ(d.integer("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'index_%'"), 10);
  EXPECT_EQ(d.text("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(d.text("SELECT value FROM Meta WHERE key = 'databaseVersion'"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
            "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
            "<plist version=\"1.0\">\n<integer>24</integer>\n</plist>\n");
  EXPECT_TRUE(is_things_uuid(d.text("SELECT uriSchemeAuthenticationToken FROM TMSettings")));
  // Things' settings row has a fixed uuid; readers such as things.py look the token up by it.
  EXPECT_EQ(d.text("SELECT uuid FROM TMSettings"), "RhAzEf6qDxCD5PmnZVtBZR");
  EXPECT_EQ(stats(), "{\"calls\":0,\"overlaps\":0,\"failures\":0}\n");
}

TEST_F(SimTest, SchemaIsIdenticalToARealThingsDatabase) {
  const fs::path fixture = TAKT_SIM_FIXTURE_DB;
  TAKT_NEEDS_FIXTURE(fixture);
  const fs::path copy = dir_ / "fixture.sqlite";
  fs::copy_file(fixture, copy);
  if (fs::exists(fixture.string() + "-wal")) fs::copy_file(fixture.string() + "-wal", copy.string() + "-wal");
  init();
  const std::string query =
      "SELECT type, name, tbl_name, COALESCE(sql, '') FROM sqlite_master "
      "WHERE name NOT IN ('TaktSim', 'sqlite_autoindex_TaktSim_1') ORDER BY name";
  Db real(copy);
  EXPECT_EQ(db().rows(query), real.rows(query));
}

TEST_F(SimTest, InitIsIdempotent) {
  init();
  const std::string token = db().text("SELECT uriSchemeAuthenticationToken FROM TMSettings");
  const std::string before = fingerprint();
  init();
  EXPECT_EQ(db().text("SELECT uriSchemeAuthenticationToken FROM TMSettings"), token);
  EXPECT_EQ(fingerprint(), before);
}

TEST_F(SimTest, SeedFillsEveryList) {
  init();
  auto d = db();
  EXPECT_EQ(d.integer("SELECT COUNT(*)" + list_base + " AND t.start = 0"), 4);  // Inbox
  const auto today_titles = d.rows("SELECT t.title" + list_base + today_condition() + " ORDER BY t.title");
  ASSERT_EQ(today_titles.size(), 5u);
  EXPECT_EQ(d.integer("SELECT COUNT(*)" + list_base + today_condition() + " AND t.startBucket = 1"), 1);
  const std::string today = std::to_string(packed(local_today()));
  EXPECT_EQ(d.integer("SELECT COUNT(*)" + list_base + " AND t.start = 2 AND t.startDate > " + today), 2);
  EXPECT_EQ(d.rows("SELECT t.startDate" + list_base + " AND t.start = 2 AND t.startDate > " + today +
                   " ORDER BY t.startDate"),
            (std::vector<std::vector<std::string>>{{std::to_string(packed(today_plus(3)))},
                                                   {std::to_string(packed(today_plus(10)))}}));
  EXPECT_EQ(d.integer("SELECT COUNT(*)" + list_base + " AND t.start = 2 AND t.startDate IS NULL"), 2);  // Someday
  EXPECT_GE(d.integer("SELECT COUNT(*)" + list_base + " AND t.start = 1 AND t.startDate IS NULL"), 3);  // Anytime
  EXPECT_EQ(d.integer("SELECT COUNT(*)" + list_base + " AND t.deadline = " + std::to_string(packed(today_plus(1)))),
            1);
  EXPECT_EQ(d.integer("SELECT COUNT(*)" + list_base + " AND t.deadline < " + today), 1);
  // Logbook: 3 completed within the last week, 1 canceled.
  EXPECT_EQ(d.integer("SELECT COUNT(*) FROM TMTask WHERE status = 3 AND stopDate > strftime('%s','now') - 7 * 86400"),
            3);
  EXPECT_EQ(d.integer("SELECT COUNT(*) FROM TMTask WHERE status = 2"), 1);
  EXPECT_EQ(d.integer("SELECT COUNT(*) FROM TMTask WHERE trashed = 1"), 1);
  // Containers, tags, checklists.
  EXPECT_EQ(d.integer("SELECT COUNT(*) FROM TMArea"), 2);
  EXPECT_EQ(d.integer("SELECT COUNT(*) FROM TMTask WHERE type = 1"), 3);
  EXPECT_EQ(d.integer("SELECT MAX(n) FROM (SELECT COUNT(*) AS n FROM TMTask WHERE type = 2 GROUP BY project)"), 2);
  EXPECT_EQ(d.text("SELECT GROUP_CONCAT(title) FROM (SELECT title FROM TMTag ORDER BY title)"),
            "Errand,Home,Important,Work");
  EXPECT_GE(d.integer("SELECT COUNT(*) FROM TMTaskTag"), 4);
  EXPECT_GE(d.integer("SELECT COUNT(*) FROM TMChecklistItem"), 2);
  EXPECT_EQ(d.integer("SELECT COUNT(*) FROM TMTask t WHERE checklistItemsCount = "
                      "(SELECT COUNT(*) FROM TMChecklistItem c WHERE c.task = t.uuid) AND checklistItemsCount > 0"),
            1);
  EXPECT_EQ(d.integer("SELECT untrashedLeafActionsCount FROM TMTask WHERE title = 'Website relaunch'"), 5);
  EXPECT_EQ(d.integer("SELECT openUntrashedLeafActionsCount FROM TMTask WHERE title = 'Website relaunch'"), 4);
}

TEST_F(SimTest, SeedHasARepeatingTemplateAndTodaysInstance) {
  init();
  auto d = db();
  const auto templ = d.rows("SELECT uuid, title FROM TMTask WHERE rt1_recurrenceRule IS NOT NULL");
  ASSERT_EQ(templ.size(), 1u);
  EXPECT_NE(d.text("SELECT CAST(rt1_recurrenceRule AS TEXT) FROM TMTask WHERE uuid = ?1", {templ[0][0]})
                .find("<plist version=\"1.0\">"),
            std::string::npos);
  const auto instance = d.rows("SELECT start, startDate, title FROM TMTask WHERE rt1_repeatingTemplate = ?1",
                               {templ[0][0]});
  ASSERT_EQ(instance.size(), 1u);
  EXPECT_EQ(instance[0][0], "1");
  EXPECT_EQ(instance[0][1], std::to_string(packed(local_today())));
  EXPECT_EQ(instance[0][2], templ[0][1]);
}

TEST_F(SimTest, ScriptOnAMissingDatabaseInitialisesItFirst) {
  const Outcome outcome = script(add_todo_script("First"));
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.err, "");
  EXPECT_EQ(outcome.out, "to do id \"" + uuid_of("First") + "\" of application \"Things3\"\n");
  EXPECT_TRUE(is_things_uuid(uuid_of("First")));
  auto d = db();
  EXPECT_EQ(d.integer("SELECT COUNT(*) FROM Meta WHERE key = 'databaseVersion'"), 1);
  EXPECT_GT(d.integer("SELECT COUNT(*) FROM TMTask"), 20);
  EXPECT_EQ(stats(), "{\"calls\":1,\"overlaps\":0,\"failures\":0}\n");
}

TEST_F(SimTest, StatsOfAMissingDatabaseAreZeroAndCreateNothing) {
  EXPECT_EQ(stats(), "{\"calls\":0,\"overlaps\":0,\"failures\":0}\n");
  EXPECT_FALSE(fs::exists(db_path_));
}

// ---------------------------------------------------------------------------------------
// Bad options

TEST_F(SimTest, BadOptionsExitTwo) {
  for (const auto& args : std::vector<std::vector<std::string>>{{"--bogus"},
                                                                {"--latency-ms", "5:1"},
                                                                {"--latency-ms", "abc"},
                                                                {"--latency-ms"},
                                                                {"--per-op-ms", "-1"},
                                                                {"--fail-rate", "1.5"},
                                                                {"--hang-rate", "x"},
                                                                {"--seed", "-3"},
                                                                {"--init", "--stats"},
                                                                {"extra"}}) {
    const Outcome outcome = sim(args);
    EXPECT_EQ(outcome.exit_code, 2) << args[0];
    EXPECT_NE(outcome.err.find("things-sim: "), std::string::npos);
  }
  const Outcome no_db = SimProcess(dir_, {"--init"}, "", {}).wait();
  EXPECT_EQ(no_db.exit_code, 2);
  EXPECT_NE(no_db.err.find("--db"), std::string::npos);
  const Outcome help = SimProcess(dir_, {"--help"}, "", {}).wait();
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Usage: things-sim --db PATH"), std::string::npos);
  EXPECT_FALSE(fs::exists(db_path_));
}

TEST_F(SimTest, EnvironmentSuppliesOptionsAndCommandLineWins) {
  init();
  const std::string count = "tell application \"Things3\" to count to dos of list id \"TMInboxListSource\"";
  const Outcome failed = sim({"--latency-ms=0"}, count, {"THINGS_SIM_FAIL_RATE=1"});
  EXPECT_EQ(failed.exit_code, 1);
  EXPECT_EQ(failed.err, "execution error: Things3 got an error: AppleEvent timed out. (-1712)\n");
  const Outcome overridden = sim({"--latency-ms=0", "--fail-rate", "0"}, count, {"THINGS_SIM_FAIL_RATE=1"});
  EXPECT_EQ(overridden.exit_code, 0) << overridden.err;
  EXPECT_EQ(overridden.out, "4\n");
  EXPECT_EQ(sim({}, count, {"THINGS_SIM_LATENCY_MS=0", "THINGS_SIM_HANG_RATE=0"}).out, "4\n");
  const Outcome bad = sim({"--latency-ms", "0"}, count, {"THINGS_SIM_PER_OP_MS=fast"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_TRUE(bad.out.empty());
  EXPECT_NE(bad.err.find("THINGS_SIM_PER_OP_MS"), std::string::npos);
}

// ---------------------------------------------------------------------------------------
// Overlaps, latency, injected faults

TEST_F(SimTest, TwoConcurrentCallsGiveExactlyOneOverlap) {
  init();
  SimProcess first = start({"--latency-ms", "300"}, add_todo_script("concurrent"));
  SimProcess second = start({"--latency-ms", "300"}, add_todo_script("concurrent"));
  const Outcome a = first.wait();
  const Outcome b = second.wait();
  std::vector<int> codes = {a.exit_code, b.exit_code};
  std::sort(codes.begin(), codes.end());
  EXPECT_EQ(codes, (std::vector<int>{0, 3})) << a.err << b.err;
  const Outcome& loser = a.exit_code == 3 ? a : b;
  const Outcome& winner = a.exit_code == 3 ? b : a;
  EXPECT_EQ(loser.err, "things-sim: OVERLAP: another script is running against " + db_path_.string() + "\n");
  EXPECT_TRUE(loser.out.empty());
  EXPECT_EQ(winner.out, "to do id \"" + uuid_of("concurrent") + "\" of application \"Things3\"\n");
  EXPECT_EQ(stats(), "{\"calls\":1,\"overlaps\":1,\"failures\":0}\n");
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTask WHERE title = 'concurrent'"), 1);
}

TEST_F(SimTest, ConcurrentFirstCallsOnAMissingDatabase) {
  SimProcess first = start({"--latency-ms", "300"}, add_todo_script("first"));
  SimProcess second = start({"--latency-ms", "300"}, add_todo_script("first"));
  std::vector<int> codes = {first.wait().exit_code, second.wait().exit_code};
  std::sort(codes.begin(), codes.end());
  EXPECT_EQ(codes, (std::vector<int>{0, 3}));
  EXPECT_EQ(stats(), "{\"calls\":1,\"overlaps\":1,\"failures\":0}\n");
  // One database, seeded once.
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTask WHERE title = 'Weekly review'"), 2);
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTask WHERE title = 'first'"), 1);
}

TEST_F(SimTest, SequentialCallsNeverOverlap) {
  init();
  for (int i = 0; i < 20; ++i) {
    const Outcome outcome = script(add_todo_script("seq " + std::to_string(i)));
    ASSERT_EQ(outcome.exit_code, 0) << i << ": " << outcome.err;
  }
  EXPECT_EQ(stats(), "{\"calls\":20,\"overlaps\":0,\"failures\":0}\n");
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTask WHERE title LIKE 'seq %'"), 20);
  struct stat info{};
  ASSERT_EQ(::stat((db_path_.string() + ".sim-lock").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST_F(SimTest, AHundredOperationsRunAsOneCallUnderOneLock) {
  init();
  // One script of a hundred Apple events, each in its own try as takt writes them.
  std::string adds = "tell application \"Things3\"\nset made to {}\n";
  for (int i = 0; i < 100; ++i) {
    adds += "try\nset end of made to id of (make new to do with properties {name:\"batch " + std::to_string(i) +
            "\"} at beginning of list id \"TMInboxListSource\")\nend try\n";
  }
  adds += "set AppleScript's text item delimiters to linefeed\nreturn made as text\nend tell\n";
  const Outcome added = script(adds);
  ASSERT_EQ(added.exit_code, 0) << added.err;
  std::vector<std::string> ids;
  std::istringstream lines(added.out);
  for (std::string line; std::getline(lines, line);) ids.push_back(line);
  ASSERT_EQ(ids.size(), 100u);
  for (const std::string& id : ids) EXPECT_TRUE(is_things_uuid(id)) << id;

  std::string updates = "tell application \"Things3\"\n";
  for (int i = 0; i < 100; ++i) {
    const std::string todo = "to do id \"" + ids[static_cast<std::size_t>(i)] + "\"";
    updates += "try\nset name of " + todo + " to \"updated " + std::to_string(i) + "\"\n";
    updates += i % 2 == 0 ? "move " + todo + " to list id \"TMTodayListSource\"\n"
                          : "move " + todo + " to list id \"TMSomedayListSource\"\n";
    updates += "set tag names of " + todo + " to \"Batch\"\nend try\n";
  }
  updates += "end tell\n";
  // --per-op-ms applies to each Apple event: 300 events at 1 ms cost at least 300 ms.
  const Outcome updated = script(updates, {"--per-op-ms", "1:1"});
  ASSERT_EQ(updated.exit_code, 0) << updated.err;
  EXPECT_EQ(updated.err, "");
  EXPECT_GE(updated.elapsed, 300ms);
  auto d = db();
  EXPECT_EQ(d.integer("SELECT COUNT(*) FROM TMTask WHERE title LIKE 'updated %'"), 100);
  EXPECT_EQ(d.integer("SELECT COUNT(*) FROM TMTask WHERE title LIKE 'updated %' AND start = 1 AND startDate = " +
                      std::to_string(packed(local_today()))),
            50);
  EXPECT_EQ(d.integer("SELECT COUNT(*) FROM TMTask WHERE title LIKE 'updated %' AND start = 2 AND startDate IS NULL"),
            50);
  EXPECT_EQ(d.integer("SELECT COUNT(*) FROM TMTaskTag l JOIN TMTag g ON g.uuid = l.tags WHERE g.title = 'Batch'"),
            100);
  EXPECT_EQ(d.integer("SELECT COUNT(*) FROM TMTag WHERE title = 'Batch'"), 1);
  // Two scripts, two calls: each took the lock once, and nothing overlapped.
  EXPECT_EQ(stats(), "{\"calls\":2,\"overlaps\":0,\"failures\":0}\n");
}

TEST_F(SimTest, InjectedFailureChangesNothingAndIsCounted) {
  init();
  const std::string before = fingerprint();
  const Outcome outcome = script(add_todo_script("doomed"), {"--fail-rate", "1"});
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_EQ(outcome.err, "execution error: Things3 got an error: AppleEvent timed out. (-1712)\n");
  EXPECT_TRUE(outcome.out.empty());
  EXPECT_EQ(fingerprint(), before);
  EXPECT_EQ(stats(), "{\"calls\":1,\"overlaps\":0,\"failures\":1}\n");
}

TEST_F(SimTest, LatencyIsRespected) {
  init();
  EXPECT_GE(sim({"--latency-ms", "100"}, add_todo_script("slow")).elapsed, 100ms);
  // Two Apple events at 60 ms each.
  const std::string two_events = add_todo_script("a") + "\n" + add_todo_script("b");
  const Outcome per_op = sim({"--latency-ms", "0", "--per-op-ms", "60:60"}, two_events);
  EXPECT_EQ(per_op.exit_code, 0) << per_op.err;
  EXPECT_GE(per_op.elapsed, 120ms);
  const Outcome ranged = sim({"--latency-ms", "50:90", "--seed", "7"}, add_todo_script("ranged"));
  EXPECT_EQ(ranged.exit_code, 0) << ranged.err;
  EXPECT_GE(ranged.elapsed, 50ms);
}

TEST_F(SimTest, AHungCallKilledByTheServerLeavesNoLockBehind) {
  init();
  SimProcess hung = start({"--latency-ms", "0", "--hang-rate", "1"}, add_todo_script("hang"));
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(hung.running());
  // While it hangs, another call is an overlap.
  const std::string count = "tell application \"Things3\" to count to dos of list id \"TMInboxListSource\"";
  EXPECT_EQ(script(count).exit_code, 3);
  hung.kill_now();
  EXPECT_EQ(hung.wait().exit_code, 128 + SIGKILL);
  const Outcome after = script(count);
  EXPECT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(after.out, "4\n");
  EXPECT_EQ(stats(), "{\"calls\":2,\"overlaps\":1,\"failures\":0}\n");
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTask WHERE title = 'hang'"), 0);
}

TEST_F(SimTest, NotRunningWindowFailsEveryCallAndTheFirstCallAfterItPaysTheLaunch) {
  init();
  const std::string down = (dir_ / "down").string();
  std::ofstream(down) << "";
  const std::string before = fingerprint();
  const std::string one_op = add_todo_script("while down");
  const std::vector<std::string> args{"--latency-ms", "0", "--down-file", down, "--launch-ms", "300"};
  for (int i = 0; i < 2; ++i) {
    const Outcome outcome = sim(args, one_op);
    EXPECT_EQ(outcome.exit_code, 1);
    EXPECT_EQ(outcome.err, "execution error: Things3 got an error: Application isn\xE2\x80\x99t running. (-600)\n");
    EXPECT_TRUE(outcome.out.empty());
  }
  EXPECT_EQ(fingerprint(), before);
  fs::remove(down);
  const Outcome first = sim(args, one_op);  // Things starts: this call pays the launch
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_GE(first.elapsed, 300ms);
  const Outcome second = sim(args, add_todo_script("after"));
  EXPECT_EQ(second.exit_code, 0) << second.err;
  EXPECT_LT(second.elapsed, first.elapsed);
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTask WHERE title = 'while down'"), 1);
  EXPECT_EQ(stats(), "{\"calls\":4,\"overlaps\":0,\"failures\":2}\n");
  // The environment names the window too (as takt's tests use it).
  std::ofstream(down) << "";
  EXPECT_EQ(sim({"--latency-ms", "0"}, one_op, {"THINGS_SIM_DOWN_FILE=" + down}).exit_code, 1);
}

TEST_F(SimTest, AnInjectedCrashKillsTheCallAndCommitsAllOrNothing) {
  init();
  // Every call crashes, at one of three points drawn from the seed: before the script or
  // inside its transaction (nothing applied), or after the commit (all applied, no output).
  std::set<long long> counts;
  for (int seed = 0; seed < 16; ++seed) {
    const std::string title = "crash " + std::to_string(seed);
    const Outcome outcome = sim({"--latency-ms", "0", "--crash-rate", "1", "--seed", std::to_string(seed)},
                                add_todo_script(title + "a") + "\n" + add_todo_script(title + "b"));
    EXPECT_EQ(outcome.exit_code, 128 + SIGKILL);
    EXPECT_TRUE(outcome.out.empty());
    EXPECT_NE(outcome.err.find("things-sim: injected crash"), std::string::npos) << outcome.err;
    const auto n = db().integer("SELECT COUNT(*) FROM TMTask WHERE title LIKE '" + title + "_'");
    EXPECT_TRUE(n == 0 || n == 2) << title << ": " << n << " of 2 to-dos made";
    counts.insert(n);
  }
  EXPECT_EQ(counts, (std::set<long long>{0, 2})) << "both outcomes should occur over 16 seeds";
  // The lock died with the process, and the database is whole.
  EXPECT_EQ(script(add_todo_script("after the crashes")).exit_code, 0);
  EXPECT_EQ(db().text("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(stats(), "{\"calls\":17,\"overlaps\":0,\"failures\":16}\n");
}

}  // namespace
