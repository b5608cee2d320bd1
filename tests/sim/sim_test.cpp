// Tests of things-sim, the osascript + Things 3 stand-in: initialisation, add_todo,
// malformed scripts, options, overlaps, latency and faults. The write ops added for takt's
// tools are tested in write_ops_test.cpp.
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
  const auto results = ok_script(R"({"ops":[{"op":"add_todo","title":"First"}]})");
  ASSERT_EQ(results.size(), 1u);
  EXPECT_TRUE(results[0].ok);
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
// add_todo

TEST_F(SimTest, AddTodoPlacesItemsLikeThings) {
  init();
  const std::string project = uuid_of("Plan summer trip");
  const std::string future = iso(today_plus(5));
  const std::string past = iso(today_plus(-3));
  const auto results = ok_script(R"({"ops":[)"
                                 R"({"op":"add_todo","title":"inbox"},)"
                                 R"({"op":"add_todo","title":"today","when":"today"},)"
                                 R"({"op":"add_todo","title":"evening","when":"evening"},)"
                                 R"({"op":"add_todo","title":"anytime","when":"anytime"},)"
                                 R"({"op":"add_todo","title":"someday","when":"someday"},)"
                                 R"({"op":"add_todo","title":"future","when":")" +
                                 future +
                                 R"("},)"
                                 R"({"op":"add_todo","title":"past","when":")" +
                                 past +
                                 R"("},)"
                                 R"({"op":"add_todo","title":"in project","project":")" +
                                 project +
                                 R"("},)"
                                 R"({"op":"add_todo","title":"tomorrow","when":"tomorrow"},)"
                                 R"({"op":"add_todo","title":"bad date","when":"2025-02-30"}]})");
  ASSERT_EQ(results.size(), 10u);
  for (std::size_t i = 0; i + 1 < results.size(); ++i) {
    ASSERT_TRUE(results[i].ok) << i << ": " << results[i].error;
    EXPECT_TRUE(is_things_uuid(results[i].id)) << results[i].id;
  }
  EXPECT_FALSE(results[9].ok);
  EXPECT_NE(results[9].error.find("2025-02-30"), std::string::npos);

  const std::string today = std::to_string(packed(local_today()));
  const std::map<std::string, std::vector<std::string>> expected = {
      {"inbox", {"0", "<null>", "0"}},
      {"today", {"1", today, "0"}},
      {"evening", {"1", today, "1"}},
      {"anytime", {"1", "<null>", "0"}},
      {"someday", {"2", "<null>", "0"}},
      {"future", {"2", std::to_string(packed(today_plus(5))), "0"}},
      {"past", {"1", std::to_string(packed(today_plus(-3))), "0"}},
      {"in project", {"1", "<null>", "0"}},
      {"tomorrow", {"2", std::to_string(packed(today_plus(1))), "0"}},
  };
  auto d = db();
  for (std::size_t i = 0; i + 1 < results.size(); ++i) {
    const auto row = d.rows("SELECT title, start, startDate, startBucket FROM TMTask WHERE uuid = ?1", {results[i].id});
    ASSERT_EQ(row.size(), 1u);
    const std::vector<std::string> got(row[0].begin() + 1, row[0].end());
    EXPECT_EQ(got, expected.at(row[0][0])) << row[0][0];
  }
  const auto fresh = d.rows(
      "SELECT type, status, trashed, leavesTombstone, typeof(creationDate), creationDate = userModificationDate, "
      "ABS(creationDate - strftime('%s','now')) < 60 FROM TMTask WHERE uuid = ?1",
      {results[0].id});
  EXPECT_EQ(fresh[0], (std::vector<std::string>{"0", "0", "0", "0", "real", "1", "1"}));
  // New items go on top: each one's index is below everything before it.
  EXPECT_EQ(d.integer(R"(SELECT "index" FROM TMTask WHERE uuid = ?1)", {results[0].id}) - 1,
            d.integer(R"(SELECT "index" FROM TMTask WHERE uuid = ?1)", {results[1].id}));
  EXPECT_EQ(d.integer(R"(SELECT MIN("index") FROM TMTask)"),
            d.integer(R"(SELECT "index" FROM TMTask WHERE uuid = ?1)", {results[8].id}));
  EXPECT_NE(d.integer("SELECT todayIndex FROM TMTask WHERE uuid = ?1", {results[1].id}), 0);
  EXPECT_EQ(d.text("SELECT project FROM TMTask WHERE uuid = ?1", {results[7].id}), project);
  EXPECT_EQ(d.integer("SELECT untrashedLeafActionsCount FROM TMTask WHERE uuid = ?1", {project}), 2);
}

TEST_F(SimTest, AddTodoCreatesAndLinksTags) {
  init();
  const long long tags_before = db().integer("SELECT COUNT(*) FROM TMTag");
  const auto results =
      ok_script(R"({"ops":[{"op":"add_todo","title":"tagged","tags":["errand","Brand New","brand new"]}]})");
  ASSERT_TRUE(results[0].ok) << results[0].error;
  auto d = db();
  EXPECT_EQ(d.integer("SELECT COUNT(*) FROM TMTag"), tags_before + 1);
  EXPECT_EQ(d.integer("SELECT COUNT(*) FROM TMTag WHERE title = 'Brand New'"), 1);
  const auto linked = d.rows(
      "SELECT g.title FROM TMTaskTag l JOIN TMTag g ON g.uuid = l.tags WHERE l.tasks = ?1 ORDER BY g.title",
      {results[0].id});
  EXPECT_EQ(linked, (std::vector<std::vector<std::string>>{{"Brand New"}, {"Errand"}}));
}

TEST_F(SimTest, AddTodoWithNotesDeadlineAndChecklist) {
  init();
  const auto results = ok_script(
      R"({"ops":[{"op":"add_todo","title":"Trip \"prep\"","notes":"line 1\nline 2 ✓","deadline":"2031-05-04",)"
      R"("checklist":["passport","tickets"]}]})");
  ASSERT_TRUE(results[0].ok) << results[0].error;
  auto d = db();
  const auto row = d.rows("SELECT title, notes, deadline, checklistItemsCount, openChecklistItemsCount "
                          "FROM TMTask WHERE uuid = ?1",
                          {results[0].id});
  EXPECT_EQ(row[0], (std::vector<std::string>{"Trip \"prep\"", "line 1\nline 2 ✓",
                                              std::to_string((2031LL << 16) | (5 << 12) | (4 << 7)), "2", "2"}));
  EXPECT_EQ(d.rows(R"(SELECT title, status FROM TMChecklistItem WHERE task = ?1 ORDER BY "index")", {results[0].id}),
            (std::vector<std::vector<std::string>>{{"passport", "0"}, {"tickets", "0"}}));
}

TEST_F(SimTest, AddTodoUnderHeadingOrInArea) {
  init();
  const std::string heading = db().text("SELECT uuid FROM TMTask WHERE type = 2 AND title = 'Design'");
  const std::string project = uuid_of("Website relaunch");
  const std::string other_project = uuid_of("Plan summer trip");
  const std::string area = db().text("SELECT uuid FROM TMArea WHERE title = 'Personal'");
  const auto results = ok_script(R"({"ops":[)"
                                 R"({"op":"add_todo","title":"under heading","heading":")" + heading + R"("},)"
                                 R"({"op":"add_todo","title":"in area","area":")" + area + R"("},)"
                                 R"({"op":"add_todo","title":"mismatch","heading":")" + heading +
                                 R"(","project":")" + other_project + R"("},)"
                                 R"({"op":"add_todo","title":"both","area":")" + area +
                                 R"(","project":")" + project + R"("}]})");
  ASSERT_TRUE(results[0].ok && results[1].ok) << results[0].error << results[1].error;
  EXPECT_FALSE(results[2].ok);
  EXPECT_FALSE(results[3].ok);
  auto d = db();
  // Under a heading, project stays NULL: the heading's project is the to-do's project.
  EXPECT_EQ(d.rows("SELECT project, heading, area, start FROM TMTask WHERE uuid = ?1", {results[0].id})[0],
            (std::vector<std::string>{"<null>", heading, "<null>", "1"}));
  EXPECT_EQ(d.rows("SELECT project, area, start FROM TMTask WHERE uuid = ?1", {results[1].id})[0],
            (std::vector<std::string>{"<null>", area, "1"}));
  EXPECT_EQ(d.integer("SELECT untrashedLeafActionsCount FROM TMTask WHERE uuid = ?1", {project}), 6);
  EXPECT_EQ(d.integer("SELECT COUNT(*) FROM TMTask WHERE title IN ('mismatch', 'both')"), 0);
}

TEST_F(SimTest, UnknownProjectFailsOnlyThatOp) {
  init();
  const long long before = db().integer("SELECT COUNT(*) FROM TMTask");
  const auto results = ok_script(R"({"ops":[{"op":"add_todo","title":"one"},)"
                                 R"({"op":"add_todo","title":"lost","project":"NoSuchProject0000000000",)"
                                 R"("tags":["ShouldNotExist"],"checklist":["x"]},)"
                                 R"({"op":"add_todo","title":"three"},)"
                                 R"({"op":"add_todo","title":""}]})");
  ASSERT_EQ(results.size(), 4u);
  EXPECT_TRUE(results[0].ok);
  EXPECT_FALSE(results[1].ok);
  EXPECT_NE(results[1].error.find("NoSuchProject0000000000"), std::string::npos) << results[1].error;
  EXPECT_TRUE(results[2].ok);
  EXPECT_FALSE(results[3].ok);  // empty title
  auto d = db();
  EXPECT_EQ(d.integer("SELECT COUNT(*) FROM TMTask"), before + 2);
  EXPECT_EQ(d.integer("SELECT COUNT(*) FROM TMTask WHERE title = 'lost'"), 0);
  EXPECT_EQ(d.integer("SELECT COUNT(*) FROM TMTag WHERE title = 'ShouldNotExist'"), 0);
  EXPECT_EQ(d.integer("SELECT COUNT(*) FROM TMChecklistItem WHERE title = 'x'"), 0);
}

// ---------------------------------------------------------------------------------------
// Other ops

TEST_F(SimTest, CompleteCancelTrashAndUpdate) {
  init();
  const std::string a = uuid_of("Call the plumber");
  const std::string b = uuid_of("Write a novel");
  const std::string c = uuid_of("Renew passport");
  const std::string e = uuid_of("Dentist appointment");
  const auto results = ok_script(R"({"ops":[)"
                                 R"({"op":"complete","id":")" + a + R"("},)"
                                 R"({"op":"cancel","id":")" + b + R"("},)"
                                 R"({"op":"trash","id":")" + c + R"("},)"
                                 R"({"op":"update_todo","id":")" + e + R"(","title":"Dentist at 9","notes":"bring card"},)"
                                 R"({"op":"update_todo","id":")" + e + R"(","title":""},)"
                                 R"({"op":"complete","id":"Nope"}]})");
  ASSERT_EQ(results.size(), 6u);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(results[i].ok) << i << ": " << results[i].error;
  EXPECT_EQ(results[0].id, a);
  EXPECT_FALSE(results[4].ok);
  EXPECT_FALSE(results[5].ok);
  EXPECT_NE(results[5].error.find("Nope"), std::string::npos);
  auto d = db();
  EXPECT_EQ(d.rows("SELECT status, ABS(stopDate - strftime('%s','now')) < 60 FROM TMTask WHERE uuid = ?1", {a})[0],
            (std::vector<std::string>{"3", "1"}));
  EXPECT_EQ(d.text("SELECT status FROM TMTask WHERE uuid = ?1", {b}), "2");
  EXPECT_EQ(d.text("SELECT trashed FROM TMTask WHERE uuid = ?1", {c}), "1");
  EXPECT_EQ(d.rows("SELECT title, notes, userModificationDate > creationDate FROM TMTask WHERE uuid = ?1", {e})[0],
            (std::vector<std::string>{"Dentist at 9", "bring card", "1"}));
}

TEST_F(SimTest, AddProjectAndCompleteIt) {
  init();
  const std::string area = db().text("SELECT uuid FROM TMArea WHERE title = 'Work'");
  const auto made = ok_script(R"({"ops":[{"op":"add_project","title":"Hiring","notes":"two roles","area":")" + area +
                              R"("},{"op":"add_project","title":"Later","when":"someday"},)"
                              R"({"op":"add_project","title":"Lost","area":"NoSuchArea"}]})");
  ASSERT_TRUE(made[0].ok && made[1].ok) << made[0].error << made[1].error;
  EXPECT_FALSE(made[2].ok);
  auto d = db();
  EXPECT_EQ(d.rows("SELECT type, area, start, notes FROM TMTask WHERE uuid = ?1", {made[0].id})[0],
            (std::vector<std::string>{"1", area, "1", "two roles"}));
  EXPECT_EQ(d.text("SELECT start FROM TMTask WHERE uuid = ?1", {made[1].id}), "2");

  const auto added = ok_script(R"({"ops":[{"op":"add_todo","title":"Post the ad","project":")" + made[0].id + R"("}]})");
  ASSERT_TRUE(added[0].ok) << added[0].error;
  EXPECT_EQ(db().integer("SELECT openUntrashedLeafActionsCount FROM TMTask WHERE uuid = ?1", {made[0].id}), 1);
  ok_script(R"({"ops":[{"op":"complete","id":")" + made[0].id + R"("}]})");
  EXPECT_EQ(db().text("SELECT status FROM TMTask WHERE uuid = ?1", {added[0].id}), "3");
  EXPECT_EQ(db().integer("SELECT openUntrashedLeafActionsCount FROM TMTask WHERE uuid = ?1", {made[0].id}), 0);
}

// ---------------------------------------------------------------------------------------
// Malformed scripts and bad options

TEST_F(SimTest, MalformedScriptsExitTwoAndChangeNothing) {
  init();
  const std::string before = fingerprint();
  // Only a script starting with "{" is the JSON dialect; anything else is AppleScript
  // (applescript_e2e_test.cpp covers "", "not json" and "[1,2]" there).
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"ops":[{"op":"add_todo","title":"x"}]} trailing)", "JSON"},
      {R"({"ops":{}})", "ops"},
      {R"({"ops":[],"extra":1})", "extra"},
      {R"({"ops":["add_todo"]})", "op 0"},
      {R"({"ops":[{"title":"x"}]})", "\"op\""},
      {R"({"ops":[{"op":"fly"}]})", "fly"},
      {R"({"ops":[{"op":"add_todo","title":"ok"},{"op":"add_todo","title":5}]})", "title"},
      {R"({"ops":[{"op":"add_todo"}]})", "title"},
      {R"({"ops":[{"op":"add_todo","title":"x","tags":"Home"}]})", "tags"},
      {R"({"ops":[{"op":"add_todo","title":"x","tags":[1]}]})", "tags"},
      {R"({"ops":[{"op":"add_todo","title":"x","dedline":"2030-01-01"}]})", "dedline"},
      {R"({"ops":[{"op":"complete"}]})", "id"},
      {"{\"ops\":[{\"op\":\"add_todo\",\"title\":\"\xff\xfe\"}]}", "JSON"},
  };
  expect_malformed(cases);
  EXPECT_EQ(fingerprint(), before);
}

TEST_F(SimTest, NullMeansAbsentForOptionalFields) {
  init();
  const auto results = ok_script(R"({"ops":[{"op":"add_todo","title":"n","notes":null,"when":null,"tags":null}]})");
  ASSERT_TRUE(results[0].ok) << results[0].error;
  EXPECT_EQ(db().rows("SELECT notes, start FROM TMTask WHERE uuid = ?1", {results[0].id})[0],
            (std::vector<std::string>{"", "0"}));
}

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
  const std::string json = R"({"ops":[]})";
  EXPECT_EQ(sim({"--latency-ms=0"}, json, {"THINGS_SIM_FAIL_RATE=1"}).exit_code, 1);
  EXPECT_EQ(sim({"--latency-ms=0", "--fail-rate", "0"}, json, {"THINGS_SIM_FAIL_RATE=1"}).exit_code, 0);
  EXPECT_EQ(sim({}, json, {"THINGS_SIM_LATENCY_MS=0", "THINGS_SIM_HANG_RATE=0"}).exit_code, 0);
  const Outcome bad = sim({"--latency-ms", "0"}, json, {"THINGS_SIM_PER_OP_MS=fast"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("THINGS_SIM_PER_OP_MS"), std::string::npos);
}

// ---------------------------------------------------------------------------------------
// Overlaps, latency, injected faults

TEST_F(SimTest, TwoConcurrentCallsGiveExactlyOneOverlap) {
  init();
  const std::string json = R"({"ops":[{"op":"add_todo","title":"concurrent"}]})";
  SimProcess first = start({"--latency-ms", "300"}, json);
  SimProcess second = start({"--latency-ms", "300"}, json);
  const Outcome a = first.wait();
  const Outcome b = second.wait();
  std::vector<int> codes = {a.exit_code, b.exit_code};
  std::sort(codes.begin(), codes.end());
  EXPECT_EQ(codes, (std::vector<int>{0, 3})) << a.err << b.err;
  const Outcome& loser = a.exit_code == 3 ? a : b;
  EXPECT_EQ(loser.err, "things-sim: OVERLAP: another script is running against " + db_path_.string() + "\n");
  EXPECT_TRUE(loser.out.empty());
  EXPECT_EQ(stats(), "{\"calls\":1,\"overlaps\":1,\"failures\":0}\n");
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTask WHERE title = 'concurrent'"), 1);
}

TEST_F(SimTest, ConcurrentFirstCallsOnAMissingDatabase) {
  const std::string json = R"({"ops":[{"op":"add_todo","title":"first"}]})";
  SimProcess first = start({"--latency-ms", "300"}, json);
  SimProcess second = start({"--latency-ms", "300"}, json);
  std::vector<int> codes = {first.wait().exit_code, second.wait().exit_code};
  std::sort(codes.begin(), codes.end());
  EXPECT_EQ(codes, (std::vector<int>{0, 3}));
  EXPECT_EQ(stats(), "{\"calls\":1,\"overlaps\":1,\"failures\":0}\n");
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTask WHERE title = 'Weekly review'"), 2);
}

TEST_F(SimTest, SequentialCallsNeverOverlap) {
  init();
  for (int i = 0; i < 20; ++i) {
    const Outcome outcome = script(R"({"ops":[{"op":"add_todo","title":"seq )" + std::to_string(i) + R"("}]})");
    ASSERT_EQ(outcome.exit_code, 0) << i << ": " << outcome.err;
  }
  EXPECT_EQ(stats(), "{\"calls\":20,\"overlaps\":0,\"failures\":0}\n");
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTask WHERE title LIKE 'seq %'"), 20);
  struct stat info{};
  ASSERT_EQ(::stat((db_path_.string() + ".sim-lock").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST_F(SimTest, InjectedFailureChangesNothingAndIsCounted) {
  init();
  const std::string before = fingerprint();
  const Outcome outcome = script(R"({"ops":[{"op":"add_todo","title":"doomed"}]})", {"--fail-rate", "1"});
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_EQ(outcome.err, "things-sim: Things3 got an error: AppleEvent timed out. (-1712)\n");
  EXPECT_TRUE(outcome.out.empty());
  EXPECT_EQ(fingerprint(), before);
  EXPECT_EQ(stats(), "{\"calls\":1,\"overlaps\":0,\"failures\":1}\n");
}

TEST_F(SimTest, LatencyIsRespected) {
  init();
  const std::string one_op = R"({"ops":[{"op":"add_todo","title":"slow"}]})";
  EXPECT_GE(sim({"--latency-ms", "100"}, one_op).elapsed, 100ms);
  const std::string two_ops = R"({"ops":[{"op":"add_todo","title":"a"},{"op":"add_todo","title":"b"}]})";
  const Outcome per_op = sim({"--latency-ms", "0", "--per-op-ms", "60:60"}, two_ops);
  EXPECT_EQ(per_op.exit_code, 0);
  EXPECT_GE(per_op.elapsed, 120ms);
  const Outcome ranged = sim({"--latency-ms", "50:90", "--seed", "7"}, one_op);
  EXPECT_EQ(ranged.exit_code, 0);
  EXPECT_GE(ranged.elapsed, 50ms);
}

TEST_F(SimTest, AHungCallKilledByTheServerLeavesNoLockBehind) {
  init();
  SimProcess hung = start({"--latency-ms", "0", "--hang-rate", "1"}, R"({"ops":[{"op":"add_todo","title":"hang"}]})");
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(hung.running());
  // While it hangs, another call is an overlap.
  EXPECT_EQ(script(R"({"ops":[]})").exit_code, 3);
  hung.kill_now();
  EXPECT_EQ(hung.wait().exit_code, 128 + SIGKILL);
  EXPECT_EQ(script(R"({"ops":[]})").exit_code, 0);
  EXPECT_EQ(stats(), "{\"calls\":2,\"overlaps\":1,\"failures\":0}\n");
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTask WHERE title = 'hang'"), 0);
}

TEST_F(SimTest, NotRunningWindowFailsEveryCallAndTheFirstCallAfterItPaysTheLaunch) {
  init();
  const std::string down = (dir_ / "down").string();
  std::ofstream(down) << "";
  const std::string before = fingerprint();
  const std::string one_op = R"({"ops":[{"op":"add_todo","title":"while down"}]})";
  const std::vector<std::string> args{"--latency-ms", "0", "--down-file", down, "--launch-ms", "300"};
  for (int i = 0; i < 2; ++i) {
    const Outcome outcome = sim(args, one_op);
    EXPECT_EQ(outcome.exit_code, 1);
    EXPECT_EQ(outcome.err, "things-sim: Things3 got an error: Application isn't running. (-600)\n");
    EXPECT_TRUE(outcome.out.empty());
  }
  EXPECT_EQ(fingerprint(), before);
  fs::remove(down);
  const Outcome first = sim(args, one_op);  // Things starts: this call pays the launch
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_GE(first.elapsed, 300ms);
  const Outcome second = sim(args, R"({"ops":[{"op":"add_todo","title":"after"}]})");
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
  // Every call crashes, at one of three points drawn from the seed: before the ops or
  // inside their transaction (nothing applied), or after the commit (all applied, no result).
  std::set<long long> counts;
  for (int seed = 0; seed < 12; ++seed) {
    const std::string title = "crash " + std::to_string(seed);
    const Outcome outcome = sim({"--latency-ms", "0", "--crash-rate", "1", "--seed", std::to_string(seed)},
                                R"({"ops":[{"op":"add_todo","title":")" + title + R"(a"},{"op":"add_todo","title":")" +
                                    title + R"(b"}]})");
    EXPECT_EQ(outcome.exit_code, 128 + SIGKILL);
    EXPECT_TRUE(outcome.out.empty());
    EXPECT_NE(outcome.err.find("things-sim: injected crash"), std::string::npos) << outcome.err;
    const auto n = db().integer("SELECT COUNT(*) FROM TMTask WHERE title LIKE '" + title + "_'");
    EXPECT_TRUE(n == 0 || n == 2) << title << ": " << n << " of 2 ops applied";
    counts.insert(n);
  }
  EXPECT_EQ(counts, (std::set<long long>{0, 2})) << "both outcomes should occur over 12 seeds";
  // The lock died with the process, and the database is whole.
  EXPECT_EQ(script(R"({"ops":[{"op":"add_todo","title":"after the crashes"}]})").exit_code, 0);
  EXPECT_EQ(db().text("PRAGMA integrity_check"), "ok");
  EXPECT_EQ(stats(), "{\"calls\":13,\"overlaps\":0,\"failures\":12}\n");
}

}  // namespace
