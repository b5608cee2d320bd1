// End-to-end tests of things-sim as an osascript stand-in: the real binary, run the way
// takt runs osascript, on (a) every golden script of takt's AppleScriptDialect
// (tests/golden/applescript, with the placeholder ids replaced by ids of the demo
// database), checking the rows each one leaves, and (b) AppleScript for Things written
// the way Things' AppleScript guide and other Things servers write it. Also the command
// line (stdin, -e, a file), the output and error formats, fault injection, and the URL
// lag across processes.
#include "harness.hpp"

namespace takt::sim_test {
namespace {

class AppleScriptE2E : public SimTest {
 protected:
  void SetUp() override {
    SimTest::SetUp();
    init();
  }
  // Runs AppleScript on stdin, no latency, URLs landing at once unless told otherwise.
  Outcome osa(const std::string& source, std::vector<std::string> args = {}) {
    args.insert(args.begin(), {"--latency-ms", "0", "--url-lag-ms", "0"});
    return sim(args, source);
  }
  std::string token() { return db().text("SELECT uriSchemeAuthenticationToken FROM TMSettings"); }

  // A golden script with its placeholders replaced.
  std::string golden(const std::string& name, const std::map<std::string, std::string>& ids) {
    std::string text = slurp(fs::path(TAKT_GOLDEN_APPLESCRIPT_DIR) / (name + ".applescript"));
    EXPECT_FALSE(text.empty()) << name;
    auto replace = [&](const std::string& from, const std::string& to) {
      for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
      }
    };
    replace("tok_EN-42", token());
    for (const auto& [placeholder, id] : ids) {
      replace("id \"" + placeholder + "\"", "id \"" + id + "\"");
      replace("id=" + placeholder + "&", "id=" + id + "&");
      replace("heading-id=" + placeholder, "heading-id=" + id);
    }
    return text;
  }
  // Runs a golden script; it must succeed and print one line per operation.
  std::vector<std::string> run_golden(const std::string& name, const std::map<std::string, std::string>& ids = {}) {
    const Outcome outcome = osa(golden(name, ids));
    EXPECT_EQ(outcome.exit_code, 0) << name << ": " << outcome.err;
    EXPECT_EQ(outcome.err, "") << name;
    std::vector<std::string> lines;
    std::istringstream in(outcome.out);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
  static std::string day(int y, int m, int d) { return std::to_string((y << 16) | (m << 12) | (d << 7)); }
  // Things' start for a date: 1 (Today/Anytime) up to today, 2 (Upcoming) after.
  static std::string start_for(int y, int m, int d) {
    return std::stoll(day(y, m, d)) <= packed(local_today()) ? "1" : "2";
  }
};

// ---- the golden scripts

TEST_F(AppleScriptE2E, GoldenAddTodo) {
  const auto out = run_golden("add_todo", {{"ProjectId", uuid_of("Website relaunch")}});
  ASSERT_EQ(out.size(), 1U);
  ASSERT_TRUE(is_things_uuid(out[0])) << out[0];
  EXPECT_EQ(task(out[0], "title, notes, project, deadline, startDate, start, type"),
            (std::vector<std::string>{"Pay \"rent\"", "line one\nline two", uuid_of("Website relaunch"), day(2026, 12, 5),
                                      day(2026, 12, 1), start_for(2026, 12, 1), "0"}));
  EXPECT_EQ(tags_of(out[0]), (std::vector<std::string>{"Home", "Money"}));  // Money did not exist
  expect_counts_consistent();
}

TEST_F(AppleScriptE2E, GoldenAddProject) {
  const auto out = run_golden("add_project", {{"AreaId", area_uuid("Personal")}});
  ASSERT_EQ(out.size(), 1U);
  ASSERT_TRUE(is_things_uuid(out[0])) << out[0];
  EXPECT_EQ(task(out[0], "title, notes, type, area, deadline, start, startDate IS NULL"),
            (std::vector<std::string>{"Move house", "big", "1", area_uuid("Personal"), day(2027, 3, 1), "2", "1"}));
  EXPECT_EQ(tags_of(out[0]), (std::vector<std::string>{"Home"}));
  EXPECT_EQ(db().rows("SELECT title FROM TMTask WHERE project = ?1 ORDER BY title", {out[0]}),
            (std::vector<std::vector<std::string>>{{"Book a van"}, {"Find boxes"}}));
  expect_counts_consistent();
}

TEST_F(AppleScriptE2E, GoldenAddTodoThroughTheUrlScheme) {
  const auto out = run_golden("add_todo_url", {{"HeadingId", uuid_of("Design")}});
  ASSERT_EQ(out.size(), 1U);
  ASSERT_TRUE(is_things_uuid(out[0])) << out[0];
  EXPECT_EQ(task(out[0], "title, heading, project IS NULL, start, startBucket, startDate, reminderTime, checklistItemsCount"),
            (std::vector<std::string>{"Call Mum", uuid_of("Design"), "1", "1", "1", std::to_string(packed(local_today())),
                                      std::to_string((19LL << 26) | (0LL << 20)), "2"}));
  EXPECT_EQ(db().rows("SELECT title FROM TMChecklistItem WHERE task = ?1 ORDER BY \"index\"", {out[0]}),
            (std::vector<std::vector<std::string>>{{"Ask about Sunday"}, {"Birthday / gift?"}}));
}

TEST_F(AppleScriptE2E, GoldenAddTodoWithoutTokenChangesNothing) {
  const std::string before = snapshot();
  const auto out = run_golden("add_todo_url_without_token");
  ASSERT_EQ(out.size(), 1U);
  EXPECT_EQ(out[0].rfind("takt-error 9001 Things URLs are not enabled", 0), 0U) << out[0];
  EXPECT_EQ(snapshot(), before);
}

TEST_F(AppleScriptE2E, GoldenBatch) {
  const std::string a = uuid_of("Renew passport");
  const std::string b = uuid_of("Buy a birthday present for Sam");
  const auto out = run_golden("batch", {{"A", a}, {"B", b}, {"HeadingId", uuid_of("Build")}});
  ASSERT_EQ(out.size(), 3U);
  EXPECT_EQ(out[0], a);
  EXPECT_EQ(out[1], b);
  EXPECT_EQ(task(a, "status")[0], "3");
  EXPECT_EQ(task(b, "trashed")[0], "1");
  EXPECT_EQ(task(out[2], "title, heading")[0], "Call Mum");
  EXPECT_EQ(task(out[2], "heading")[0], uuid_of("Build"));
  // Run again: the trashed one is not trashed twice, the completed stays completed.
  const auto again = run_golden("batch", {{"A", a}, {"B", b}, {"HeadingId", uuid_of("Build")}});
  EXPECT_EQ(again[1], b);
  EXPECT_EQ(task(b, "trashed")[0], "1");
}

TEST_F(AppleScriptE2E, GoldenStatusChanges) {
  const std::string plumber = uuid_of("Call the plumber");
  EXPECT_EQ(run_golden("complete", {{"TodoId", plumber}}), (std::vector<std::string>{plumber}));
  EXPECT_EQ(task(plumber, "status, stopDate IS NOT NULL"), (std::vector<std::string>{"3", "1"}));
  EXPECT_EQ(run_golden("reopen", {{"TodoId", plumber}}), (std::vector<std::string>{plumber}));
  EXPECT_EQ(task(plumber, "status, stopDate IS NULL"), (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(run_golden("cancel", {{"TodoId", plumber}}), (std::vector<std::string>{plumber}));
  EXPECT_EQ(task(plumber, "status")[0], "2");
}

TEST_F(AppleScriptE2E, GoldenTrashAndRestore) {
  const std::string plumber = uuid_of("Call the plumber");
  EXPECT_EQ(run_golden("trash", {{"TodoId", plumber}}), (std::vector<std::string>{plumber}));
  EXPECT_EQ(task(plumber, "trashed")[0], "1");
  EXPECT_EQ(run_golden("restore", {{"TodoId", plumber}}), (std::vector<std::string>{plumber}));
  EXPECT_EQ(task(plumber, "trashed, start, startDate IS NULL"), (std::vector<std::string>{"0", "1", "1"}));
  // Restoring what is not in the Trash changes nothing.
  const std::string before = snapshot();
  EXPECT_EQ(run_golden("restore", {{"TodoId", plumber}}), (std::vector<std::string>{plumber}));
  EXPECT_EQ(snapshot(), before);
}

TEST_F(AppleScriptE2E, GoldenCreateAreaAndTag) {
  const auto area = run_golden("create_area");
  ASSERT_EQ(area.size(), 1U);
  EXPECT_EQ(db().text("SELECT title FROM TMArea WHERE uuid = ?1", {area[0]}), "Health");
  EXPECT_EQ(db().rows("SELECT g.title FROM TMAreaTag l JOIN TMTag g ON g.uuid = l.tags WHERE l.areas = ?1 ORDER BY g.title",
                      {area[0]}),
            (std::vector<std::vector<std::string>>{{"Gym"}, {"Important"}}));
  const auto tag = run_golden("create_tag");
  ASSERT_EQ(tag.size(), 1U);
  EXPECT_EQ(db().rows("SELECT t.title, p.title FROM TMTag t JOIN TMTag p ON p.uuid = t.parent WHERE t.uuid = ?1", {tag[0]}),
            (std::vector<std::vector<std::string>>{{"Deep work", "Work"}}));
}

TEST_F(AppleScriptE2E, GoldenUpdateProject) {
  const std::string project = uuid_of("Website relaunch");
  EXPECT_EQ(run_golden("update_project", {{"ProjectId", project}, {"AreaId", area_uuid("Personal")}}),
            (std::vector<std::string>{project}));
  EXPECT_EQ(task(project, "title, area, deadline, startDate, reminderTime"),
            (std::vector<std::string>{"Move flat", area_uuid("Personal"), day(2027, 1, 1), day(2026, 11, 30),
                                      std::to_string((10LL << 26) | (0LL << 20))}));
  EXPECT_EQ(tags_of(project), (std::vector<std::string>{"Big", "Home"}));
}

TEST_F(AppleScriptE2E, GoldenUpdateTodo) {
  const std::string todo = uuid_of("Reply to Anna's email");
  db().rows("DELETE FROM TMTaskTag WHERE tasks = ?1", {todo});
  db().rows("INSERT INTO TMTaskTag (tasks, tags) SELECT ?1, uuid FROM TMTag WHERE title IN ('Home', 'Important')", {todo});
  db().rows("UPDATE TMTask SET notes = 'old', deadline = 1 WHERE uuid = ?1", {todo});
  EXPECT_EQ(run_golden("update_todo", {{"TodoId", todo}, {"ProjectId", uuid_of("Website relaunch")}}),
            (std::vector<std::string>{todo}));
  EXPECT_EQ(task(todo, "title, notes, project, area IS NULL, startDate, deadline IS NULL"),
            (std::vector<std::string>{"New title", "first\nold\nmore", uuid_of("Website relaunch"), "1", day(2026, 11, 23),
                                      "1"}));
  EXPECT_EQ(tags_of(todo), (std::vector<std::string>{"Errand", "Important"}));
  EXPECT_EQ(db().rows("SELECT title FROM TMChecklistItem WHERE task = ?1", {todo}),
            (std::vector<std::vector<std::string>>{{"one more"}}));
  expect_counts_consistent();
}

TEST_F(AppleScriptE2E, GoldenUpdateTodoToTheInbox) {
  const std::string todo = uuid_of("Water the plants");
  db().rows("INSERT INTO TMTaskTag (tasks, tags) SELECT ?1, uuid FROM TMTag WHERE title = 'Home'", {todo});
  EXPECT_EQ(run_golden("update_todo_list", {{"TodoId", todo}}), (std::vector<std::string>{todo}));
  EXPECT_EQ(task(todo, "notes, start, startDate IS NULL, area IS NULL, project IS NULL"),
            (std::vector<std::string>{"", "0", "1", "1", "1"}));
  EXPECT_TRUE(tags_of(todo).empty());
}

TEST_F(AppleScriptE2E, GoldenScriptsReportAnUnknownIdPerOperation) {
  // Each operation catches its own error: the script succeeds and says which failed.
  const auto out = run_golden("batch", {{"A", "NoSuchTodo"}, {"B", uuid_of("Renew passport")}});
  ASSERT_EQ(out.size(), 3U);
  EXPECT_EQ(out[0], "takt-error -1728 Things3 got an error: Can\xE2\x80\x99t get to do id \"NoSuchTodo\".");
  EXPECT_EQ(task(uuid_of("Renew passport"), "trashed")[0], "1");
}

TEST_F(AppleScriptE2E, GoldenScriptsRunInEveryLanguageOfThings) {
  // takt names the built-in lists by id: a German, Spanish or Russian Things runs the same
  // script (with English names it failed with -1728 on "Trash").
  const auto plumber = uuid_of("Call the plumber");
  for (const char* locale : {"de", "es", "ru", "en"}) {
    SCOPED_TRACE(locale);
    const bool trash = std::string(locale) != "es" && std::string(locale) != "en";
    const Outcome outcome = sim({"--latency-ms", "0", "--url-lag-ms", "0", "--locale", locale},
                                golden(trash ? "trash" : "restore", {{"TodoId", plumber}}));
    EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
    EXPECT_EQ(outcome.out, plumber + "\n");
    EXPECT_EQ(task(plumber, "trashed")[0], trash ? "1" : "0");
  }
}

// ---- AppleScript as Things' guide and other servers write it

TEST_F(AppleScriptE2E, ThingsGuideStyleScripts) {
  // Adding to Today with tags and a deadline, counting, iterating a list.
  Outcome outcome = osa(
      "tell application \"Things3\"\n"
      "  set newToDo to make new to do with properties {name:\"Buy milk\", notes:\"2 litres\"} at beginning of list \"Today\"\n"
      "  set tag names of newToDo to \"Errand\"\n"
      "  set due date of newToDo to (current date) + 3 * days\n"
      "  set todayNames to {}\n"
      "  repeat with aToDo in to dos of list \"Today\"\n"
      "    set end of todayNames to name of aToDo\n"
      "  end repeat\n"
      "  return todayNames contains \"Buy milk\"\n"
      "end tell\n");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out, "true\n");
  EXPECT_EQ(task(uuid_of("Buy milk"), "deadline")[0], std::to_string(packed(today_plus(3))));

  // whose filters, move by name, completing, the Logbook.
  outcome = osa(
      "tell application \"Things3\"\n"
      "  set matches to to dos of list \"Inbox\" whose name contains \"passport\"\n"
      "  repeat with m in matches\n"
      "    set status of m to completed\n"
      "  end repeat\n"
      "  move to do \"Call the plumber\" of list \"Inbox\" to list \"Someday\"\n"
      "  return (count of matches) & (name of every area)\n"
      "end tell\n");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out, "1, Work, Personal\n");
  EXPECT_EQ(task(uuid_of("Renew passport"), "status")[0], "3");
  EXPECT_EQ(task(uuid_of("Call the plumber"), "start")[0], "2");

  // Projects and their to dos, exists, properties.
  outcome = osa(
      "tell application \"Things3\"\n"
      "  set p to make new project with properties {name:\"Holiday\", notes:\"summer\"}\n"
      "  tell p\n"
      "    make new to do with properties {name:\"Book hotel\"}\n"
      "  end tell\n"
      "  set n to count to dos of project \"Holiday\"\n"
      "  if exists project \"Holiday\" then set n to n + 10\n"
      "  return {n, class of p, name of (properties of p)}\n"
      "end tell\n");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out, "11, project, Holiday\n");

  // Clearing the Trash.
  outcome = osa("tell application \"Things3\"\n  delete to do \"Renew passport\" of list \"Logbook\"\n  empty trash\nend tell\n");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTask WHERE title = 'Renew passport'"), 0);
}

TEST_F(AppleScriptE2E, McpServerStyleScripts) {
  // Reading every to do of a list into delimited text, as Things MCP servers do.
  Outcome outcome = osa(
      "tell application \"Things3\"\n"
      "  set output to \"\"\n"
      "  repeat with t in to dos of list \"Inbox\"\n"
      "    set output to output & id of t & \"|\" & name of t & \"|\" & (status of t as text) & linefeed\n"
      "  end repeat\n"
      "  return output\n"
      "end tell\n");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_NE(outcome.out.find("|Call the plumber|open\n"), std::string::npos) << outcome.out;
  // Completing by id, with the error reported as text.
  outcome = osa(
      "on run\n"
      "  tell application \"Things3\"\n"
      "    try\n"
      "      set t to to do id \"nope\"\n"
      "      set status of t to completed\n"
      "      return \"ok\"\n"
      "    on error errMsg\n"
      "      return \"Error: \" & errMsg\n"
      "    end try\n"
      "  end tell\n"
      "end run\n");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out, "Error: Things3 got an error: Can\xE2\x80\x99t get to do id \"nope\".\n");
  // Scheduling for tomorrow with a date built from current date.
  outcome = osa(
      "set tomorrow to (current date) + 1 * days\n"
      "tell application \"Things3\"\n"
      "  set t to first to do of list \"Inbox\"\n"
      "  schedule t for tomorrow\n"
      "  return name of t\n"
      "end tell\n");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(task(uuid_of("Call the plumber"), "start, startDate"),
            (std::vector<std::string>{"2", std::to_string(packed(today_plus(1)))}));
}

// ---- command line and formats

TEST_F(AppleScriptE2E, ScriptFromLinesFileOrStdin) {
  EXPECT_EQ(sim({"--latency-ms", "0", "-e", "set x to 2", "-e", "x * 21"}).out, "42\n");
  const fs::path file = dir_ / "script.applescript";
  std::ofstream(file) << "return \"from file\"\n";
  EXPECT_EQ(sim({"--latency-ms", "0", file.string()}).out, "from file\n");
  EXPECT_EQ(sim({"--latency-ms", "0", "-"}, "return 7").out, "7\n");
  EXPECT_EQ(sim({"--latency-ms", "0", (dir_ / "missing.applescript").string()}).exit_code, 2);
  EXPECT_EQ(sim({"--latency-ms", "0", "--locale", "fr"}, "1").exit_code, 2);
}

TEST_F(AppleScriptE2E, ErrorsAsOsascriptPrintsThem) {
  const std::string before = snapshot();
  Outcome outcome = osa("tell application \"Things3\"\nset name of to do \"Call the plumber\" of list \"Inbox\" to \"x\"\n"
                        "set t to to do id \"gone\"\nend tell");
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_EQ(outcome.out, "");
  EXPECT_EQ(outcome.err, "execution error: Things3 got an error: Can\xE2\x80\x99t get to do id \"gone\". (-1728)\n");
  EXPECT_NE(snapshot(), before);  // the rename before the error stays, as in Things
  const std::string after = snapshot();
  outcome = osa("tell application \"Things3\"\nget name\nend");
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;  // `end` closes the tell
  outcome = osa("tell application \"Things3\"\nmake new to do with properties {name:\"z\"}\nset x to (\nend tell");
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_EQ(outcome.err.rfind("syntax error: ", 0), 0U) << outcome.err;
  EXPECT_EQ(snapshot(), after);  // a script that does not compile changes nothing
  outcome = osa("error \"Custom\" number 9001");
  EXPECT_EQ(outcome.err, "execution error: Custom (9001)\n");
  outcome = osa("not json");
  EXPECT_EQ(outcome.err, "execution error: The variable json is not defined. (-2753)\n");
  outcome = osa("[1,2]");
  EXPECT_EQ(outcome.err.rfind("syntax error: ", 0), 0U);
  outcome = osa("");
  EXPECT_EQ(outcome.exit_code, 0);
  EXPECT_EQ(outcome.out, "");
  // A script in the JSON of takt's former sim dialect is AppleScript like any other, and
  // does not compile.
  outcome = osa(R"({"ops":[{"op":"add_todo","title":"json"}]})");
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_EQ(outcome.out, "");
  EXPECT_EQ(outcome.err.rfind("syntax error: ", 0), 0U) << outcome.err;
  EXPECT_EQ(snapshot(), after);
}

TEST_F(AppleScriptE2E, InjectedFaultsLookLikeOsascript) {
  Outcome outcome = osa("tell application \"Things3\" to make new to do with properties {name:\"f\"}", {"--fail-rate", "1"});
  EXPECT_EQ(outcome.exit_code, 1);
  EXPECT_EQ(outcome.err, "execution error: Things3 got an error: AppleEvent timed out. (-1712)\n");
  const fs::path down = dir_ / "down";
  std::ofstream(down) << "";
  outcome = osa("return 1", {"--down-file", down.string()});
  EXPECT_EQ(outcome.err, "execution error: Things3 got an error: Application isn\xE2\x80\x99t running. (-600)\n");
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTask WHERE title = 'f'"), 0);
  EXPECT_EQ(stats(), "{\"calls\":2,\"overlaps\":0,\"failures\":2}\n");
}

TEST_F(AppleScriptE2E, UrlChangesLandAfterTheLagWithoutAnotherCall) {
  const std::string script = "do shell script \"open -g \" & quoted form of \"things:///add?title=Lagging\"";
  Outcome outcome = sim({"--latency-ms", "0", "--url-lag-ms", "30000"}, script);
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTask WHERE title = 'Lagging'"), 0);
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TaktSimPendingURL"), 1);
  // URLs land in the order they were opened, so this one would hold back the next.
  db().rows("DELETE FROM TaktSimPendingURL");
  // With a short lag, the background applier lands it with no further call.
  outcome = sim({"--latency-ms", "0", "--url-lag-ms", "50"},
                "do shell script \"open -g \" & quoted form of \"things:///add?title=Landing\"");
  ASSERT_EQ(outcome.exit_code, 0) << outcome.err;
  const auto deadline = SteadyClock::now() + 20s;
  while (db().integer("SELECT COUNT(*) FROM TMTask WHERE title = 'Landing'") == 0 && SteadyClock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTask WHERE title = 'Landing'"), 1);
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTask WHERE title = 'Lagging'"), 0);
}

}  // namespace
}  // namespace takt::sim_test
