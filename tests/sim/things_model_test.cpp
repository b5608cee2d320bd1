// Tests of things-sim's Things 3 object model (sim/model) on temporary databases: the
// classes, properties, elements and commands of Things' AppleScript dictionary, the
// quirks real Things has (each one its own test), and the URL scheme with its lag and
// auth-token. The database is made by the real things-sim (--init, demo data); the
// scripts run in-process through model::run_source.
#include <sqlite3.h>

#include "harness.hpp"
#include "osascript.hpp"
#include "url_scheme.hpp"

namespace takt::sim_test {
namespace {

namespace model = takt::sim::model;

class ModelTest : public SimTest {
 protected:
  void SetUp() override {
    SimTest::SetUp();
    init();
    ASSERT_EQ(sqlite3_open(db_path_.c_str(), &handle_), SQLITE_OK);
    sqlite3_busy_timeout(handle_, 10000);
  }
  void TearDown() override {
    sqlite3_close(handle_);
    SimTest::TearDown();
  }

  // Runs AppleScript; returns stdout without its newline, or "ERR " + stderr.
  std::string as(const std::string& source, const std::string& locale = "en", int lag_ms = 0) {
    model::ModelConfig config;
    config.locale = locale;
    config.url_lag_min_ms = lag_ms;
    config.url_lag_max_ms = lag_ms;
    config.sleep = [](double) {};
    const model::Outcome outcome = model::run_source(handle_, source, config);
    if (outcome.exit_code != 0) return "ERR " + outcome.err.substr(0, outcome.err.size() - 1);
    return outcome.out.empty() ? "" : outcome.out.substr(0, outcome.out.size() - 1);
  }
  std::string tell(const std::string& body, const std::string& locale = "en", int lag_ms = 0) {
    return as("tell application \"Things3\"\n" + body + "\nend tell", locale, lag_ms);
  }
  std::string token() { return db().text("SELECT uriSchemeAuthenticationToken FROM TMSettings"); }
  std::string open(const std::string& url, int lag_ms = 0) {
    return as("do shell script \"open -g \" & quoted form of \"" + url + "\"", "en", lag_ms);
  }

  sqlite3* handle_ = nullptr;
};

TEST_F(ModelTest, ToDoIdOfAProjectYieldsTheProject) {
  const std::string project = uuid_of("Website relaunch");
  EXPECT_EQ(tell("class of to do id \"" + project + "\""), "project");
  EXPECT_EQ(tell("set name of to do id \"" + project + "\" to \"Relaunch\"\nname of project id \"" + project + "\""),
            "Relaunch");
  EXPECT_EQ(task(project, "title")[0], "Relaunch");
  const std::string todo = uuid_of("Call the plumber");
  EXPECT_EQ(tell("class of to do id \"" + todo + "\""), "to do");
  EXPECT_EQ(tell("get project id \"" + todo + "\""),
            "ERR execution error: Things3 got an error: Can\xE2\x80\x99t get project id \"" + todo + "\". (-1728)");
  // A heading is no to do.
  EXPECT_EQ(tell("exists to do id \"" + uuid_of("Design") + "\""), "false");
}

TEST_F(ModelTest, TagNamesCreatesMissingTags) {
  const std::string todo = uuid_of("Call the plumber");
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTag WHERE title = 'Brand new'"), 0);
  EXPECT_EQ(tell("set t to to do id \"" + todo + "\"\nset tag names of t to \"Home,  Brand new\"\ntag names of t"),
            "Home, Brand new");
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTag WHERE title = 'Brand new'"), 1);
  EXPECT_EQ(tags_of(todo), (std::vector<std::string>{"Brand new", "Home"}));
  EXPECT_EQ(tell("set tag names of to do id \"" + todo + "\" to \"\"\ntag names of to do id \"" + todo + "\""), "");
  EXPECT_TRUE(tags_of(todo).empty());
}

TEST_F(ModelTest, ListsByLocalizedNameAndById) {
  EXPECT_EQ(tell("name of every list", "de"), "Eingang, Heute, Jederzeit, Geplant, Irgendwann, Logbuch, Papierkorb");
  EXPECT_EQ(tell("count to dos of list \"Eingang\"", "de"), "4");
  // The English name does not exist on a German Things.
  EXPECT_EQ(tell("count to dos of list \"Inbox\"", "de"),
            "ERR execution error: Things3 got an error: Can\xE2\x80\x99t get list \"Inbox\". (-1728)");
  for (const std::string locale : {"en", "de", "es", "ru"}) {
    EXPECT_EQ(tell("count to dos of list id \"TMInboxListSource\"", locale), "4") << locale;
    if (locale != "en") {
      EXPECT_NE(tell("name of list id \"TMTrashListSource\"", locale), "Trash") << locale;
    }
  }
  EXPECT_EQ(tell("id of list \"Someday\""), "TMSomedayListSource");
  EXPECT_EQ(tell("get list id \"TMNoSuchListSource\"").rfind("ERR", 0), 0U);
}

TEST_F(ModelTest, ListContents) {
  EXPECT_EQ(tell("name of to dos of list \"Inbox\""),
            "Call the plumber, Read article on SQLite WAL mode, Buy a birthday present for Sam, Renew passport");
  EXPECT_EQ(tell("name of to dos of list \"Trash\""), "Start a podcast");
  EXPECT_EQ(tell("count (to dos of list \"Logbook\")"),
            std::to_string(db().integer("SELECT COUNT(*) FROM TMTask WHERE type IN (0, 1) AND trashed = 0 AND status != 0")));
  // Projects are to dos: the Someday list holds the project "Learn Italian".
  EXPECT_NE(tell("name of to dos of list \"Someday\"").find("Learn Italian"), std::string::npos);
  EXPECT_EQ(tell("name of to dos of project \"Website relaunch\" whose name contains \"homepage\""), "Sketch homepage layout");
  EXPECT_EQ(tell("name of projects of area \"Personal\""), "Plan summer trip");
  EXPECT_EQ(tell("name of every tag of to do \"Weekly review\" of list \"Anytime\"").find("ERR"), std::string::npos);
}

// `… of every project` is one specifier Things resolves for every project: a list of lists,
// one per project in the order of `every project`. A list held in a variable is a value:
// its `to dos` are its items of that class (projects are not), as in AppleScript.
TEST_F(ModelTest, ElementsOfEveryContainerAreOneListPerContainer) {
  const std::string names = tell("name of every project");
  EXPECT_EQ(names, "Website relaunch, Plan summer trip, Learn Italian");
  EXPECT_EQ(tell("count (to dos of every project)"), "3");
  EXPECT_EQ(tell("item 1 of (name of to dos of every project whose name contains \"summer\")"),
            tell("name of to dos of project \"Plan summer trip\""));
  EXPECT_EQ(tell("item 1 of (name of to dos of every project)"), tell("name of to dos of project \"Website relaunch\""));
  EXPECT_EQ(tell("set ps to every project\nreturn count (to dos of ps)"), "0");
  EXPECT_NE(tell("class of to dos of list \"Someday\"").find("project"), std::string::npos);
  EXPECT_NE(tell("class of to dos of list \"Someday\"").find("to do"), std::string::npos);
  EXPECT_EQ(tell("first to do of every project").substr(0, 4), "ERR ");
}

// Things shows a repeating template's instances, never the template: in no list, and not
// among every to do (by its id it is there).
TEST_F(ModelTest, RepeatingTemplatesAreInNoList) {
  const std::string templ = db().text("SELECT uuid FROM TMTask WHERE rt1_recurrenceRule IS NOT NULL LIMIT 1");
  ASSERT_NE(templ, "<none>");
  for (const char* list : {"Inbox", "Today", "Anytime", "Upcoming", "Someday", "Logbook"})
    EXPECT_EQ(tell(std::string("id of to dos of list \"") + list + "\"").find(templ), std::string::npos) << list;
  EXPECT_EQ(tell("id of every to do").find(templ), std::string::npos);
  EXPECT_EQ(tell("id of to do id \"" + templ + "\""), templ);
}

// Today holds what is due by today and has no start date, unless the user moved it out
// (deadlineSuppressionDate); This Evening comes last. Upcoming goes by day.
TEST_F(ModelTest, TodayHoldsWhatIsDueAndEndsWithThisEvening) {
  const std::string today = tell("name of to dos of list \"Today\"");
  EXPECT_NE(today.find("Fix the squeaky door"), std::string::npos) << today;  // due yesterday, no start date
  EXPECT_EQ(today.substr(today.rfind(", ") + 2), "Water the plants");       // This Evening
  db().rows("UPDATE TMTask SET deadlineSuppressionDate = deadline WHERE title = 'Fix the squeaky door'");
  EXPECT_EQ(tell("name of to dos of list \"Today\"").find("Fix the squeaky door"), std::string::npos);
  db().rows("UPDATE TMTask SET startDate = 132847488, todayIndex = 9 WHERE title = 'Dentist appointment'");
  db().rows("UPDATE TMTask SET startDate = 132847488, todayIndex = 1 WHERE title = 'Submit expense report'");
  const std::string upcoming = tell("name of to dos of list \"Upcoming\"");
  EXPECT_LT(upcoming.find("Submit expense report"), upcoming.find("Dentist appointment")) << upcoming;
}

TEST_F(ModelTest, MakeMoveScheduleDeleteEmptyTrash) {
  const std::string id = tell("set t to make new to do with properties {name:\"Milk\", notes:\"2 l\"} at beginning of list \"Today\"\nid of t");
  ASSERT_TRUE(is_things_uuid(id)) << id;
  EXPECT_EQ(task(id, "title, notes, type, start, startDate = " + std::to_string(packed(local_today())) + ", trashed"),
            (std::vector<std::string>{"Milk", "2 l", "0", "1", "1", "0"}));
  tell("move to do id \"" + id + "\" to list \"Someday\"");
  EXPECT_EQ(task(id, "start, startDate IS NULL"), (std::vector<std::string>{"2", "1"}));
  tell("schedule to do id \"" + id + "\" for (current date) + 2 * days");
  EXPECT_EQ(task(id, "start, startDate"), (std::vector<std::string>{"2", std::to_string(packed(today_plus(2)))}));
  EXPECT_EQ(tell("name of to dos of list \"Upcoming\" whose id is \"" + id + "\""), "Milk");
  tell("delete to do id \"" + id + "\"");
  EXPECT_EQ(task(id, "trashed")[0], "1");
  tell("move to do id \"" + id + "\" to list \"Anytime\"");
  EXPECT_EQ(task(id, "trashed, start")[0], "0");
  tell("delete to do id \"" + id + "\"\nempty trash");
  EXPECT_EQ(task(id, "uuid")[0], "<no row>");
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTask WHERE trashed = 1"), 0);
  expect_counts_consistent();
}

TEST_F(ModelTest, MakeInProjectsAreasAndTheTellTarget) {
  const std::string project = tell("set p to make new project with properties {name:\"Garden\", tag names:\"Home\"}\n"
                                   "tell p to make new to do with properties {name:\"Seeds\"}\n"
                                   "make new to do with properties {name:\"Soil\"} at end of p\nid of p");
  EXPECT_EQ(task(project, "type, start, title")[0], "1");
  EXPECT_EQ(tell("name of to dos of project id \"" + project + "\""), "Soil, Seeds");
  const std::string area = tell("id of (make new area with properties {name:\"Health\"})");
  EXPECT_EQ(db().text("SELECT title FROM TMArea WHERE uuid = ?1", {area}), "Health");
  tell("make new to do with properties {name:\"Run\"} at beginning of area id \"" + area + "\"");
  EXPECT_EQ(task(uuid_of("Run"), "area, start")[0], area);
  EXPECT_EQ(tell("make new to do with properties {name:\"x\", activation date:current date}").rfind("ERR", 0), 0U);
  EXPECT_EQ(tell("make new tag with properties {name:\"Work\"}").rfind("ERR", 0), 0U);  // exists already
  expect_counts_consistent();
}

TEST_F(ModelTest, PropertiesAndTheirChanges) {
  const std::string todo = uuid_of("Reply to Anna's email");
  const std::string t = "to do id \"" + todo + "\"";
  EXPECT_EQ(tell("status of " + t), "open");
  EXPECT_EQ(tell("name of area of " + t), "Work");
  EXPECT_EQ(tell("project of " + t), "missing value");
  tell("set due date of " + t + " to date \"2030-01-02\"");
  EXPECT_EQ(task(todo, "deadline")[0], std::to_string((2030 << 16) | (1 << 12) | (2 << 7)));
  EXPECT_EQ(tell("date string of due date of " + t), "Wednesday, January 2, 2030");
  tell("delete due date of " + t);
  EXPECT_EQ(task(todo, "deadline IS NULL")[0], "1");
  tell("set project of " + t + " to project \"Website relaunch\"");
  EXPECT_EQ(task(todo, "project, area IS NULL"), (std::vector<std::string>{uuid_of("Website relaunch"), "1"}));
  tell("set status of " + t + " to completed");
  EXPECT_EQ(task(todo, "status, stopDate IS NOT NULL"), (std::vector<std::string>{"3", "1"}));
  EXPECT_EQ(tell("completion date of " + t + " is not missing value"), "true");
  EXPECT_EQ(tell("set activation date of " + t + " to current date").find("(-10006)") != std::string::npos, true);
  const std::string props = tell("properties of " + t);
  EXPECT_NE(props.find("name:Reply to Anna's email"), std::string::npos) << props;
  EXPECT_NE(props.find("status:completed"), std::string::npos) << props;
}

TEST_F(ModelTest, CompletingAProjectCompletesItsToDos) {
  const std::string project = uuid_of("Website relaunch");
  tell("set status of project id \"" + project + "\" to completed");
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTask WHERE status = 0 AND (project = ?1 OR heading IN "
                         "(SELECT uuid FROM TMTask WHERE project = ?1))",
                         {project}),
            0);
  expect_counts_consistent();
}

TEST_F(ModelTest, NewToDosLandWhereThingsPutsThem) {
  const std::string ids = tell(
      "set made to {}\n"
      "set end of made to id of (make new to do with properties {name:\"plain\"})\n"
      "set end of made to id of (make new to do with properties {name:\"inbox\"} at beginning of list id \"TMInboxListSource\")\n"
      "set end of made to id of (make new to do with properties {name:\"today\"} at beginning of list id \"TMTodayListSource\")\n"
      "set end of made to id of (make new to do with properties {name:\"anytime\"} at beginning of list id \"TMNextListSource\")\n"
      "set end of made to id of (make new to do with properties {name:\"someday\"} at beginning of list id \"TMSomedayListSource\")\n"
      "set past to make new to do with properties {name:\"past\"}\n"
      "schedule past for (current date) - 3 * days\n"
      "set end of made to id of past\n"
      "set end of made to id of (make new to do with properties {name:\"in project\"} at end of project \"Plan summer trip\")\n"
      "set end of made to id of (make new to do with properties {name:\"in area\"} at end of area \"Work\")\n"
      "set AppleScript's text item delimiters to \",\"\n"
      "made as text");
  std::vector<std::string> id;
  std::istringstream in(ids);
  for (std::string one; std::getline(in, one, ',');) id.push_back(one);
  ASSERT_EQ(id.size(), 8U) << ids;
  const std::string today = std::to_string(packed(local_today()));
  const std::string cols = "start, startDate, startBucket, project IS NOT NULL, area IS NOT NULL";
  EXPECT_EQ(task(id[0], cols), (std::vector<std::string>{"0", "<null>", "0", "0", "0"}));  // the Inbox by default
  EXPECT_EQ(task(id[1], cols), (std::vector<std::string>{"0", "<null>", "0", "0", "0"}));
  EXPECT_EQ(task(id[2], cols), (std::vector<std::string>{"1", today, "0", "0", "0"}));
  EXPECT_EQ(task(id[3], cols), (std::vector<std::string>{"1", "<null>", "0", "0", "0"}));
  EXPECT_EQ(task(id[4], cols), (std::vector<std::string>{"2", "<null>", "0", "0", "0"}));
  // A date in the past is Today's, not Upcoming's.
  EXPECT_EQ(task(id[5], cols), (std::vector<std::string>{"1", std::to_string(packed(today_plus(-3))), "0", "0", "0"}));
  EXPECT_EQ(task(id[6], cols + ", project"),
            (std::vector<std::string>{"1", "<null>", "0", "1", "0", uuid_of("Plan summer trip")}));
  EXPECT_EQ(task(id[7], cols + ", area"), (std::vector<std::string>{"1", "<null>", "0", "0", "1", area_uuid("Work")}));
  // A fresh row as Things writes one, each new item on top of every other.
  EXPECT_EQ(task(id[0], "type, status, trashed, leavesTombstone, typeof(creationDate), creationDate = userModificationDate, "
                        "ABS(creationDate - strftime('%s','now')) < 60"),
            (std::vector<std::string>{"0", "0", "0", "0", "real", "1", "1"}));
  for (std::size_t i = 0; i + 1 < id.size(); ++i) {
    EXPECT_GT(std::stoll(task(id[i], "\"index\"")[0]), std::stoll(task(id[i + 1], "\"index\"")[0])) << i;
  }
  EXPECT_EQ(db().integer("SELECT MIN(\"index\") FROM TMTask"), std::stoll(task(id[7], "\"index\"")[0]));
  EXPECT_EQ(tell("name of to dos of list \"Today\" whose name is \"past\""), "past");
  EXPECT_EQ(task(uuid_of("Plan summer trip"), "untrashedLeafActionsCount, openUntrashedLeafActionsCount"),
            (std::vector<std::string>{"2", "2"}));
  expect_counts_consistent();
}

TEST_F(ModelTest, AToDoTakenOutOfTheInboxIntoAProjectOrAreaGoesToAnytime) {
  const std::string plumber = uuid_of("Call the plumber");
  const std::string passport = uuid_of("Renew passport");
  tell("set project of to do id \"" + plumber + "\" to project \"Plan summer trip\"\n"
       "set area of to do id \"" + passport + "\" to area \"Work\"");
  EXPECT_EQ(task(plumber, "start, startDate, project"),
            (std::vector<std::string>{"1", "<null>", uuid_of("Plan summer trip")}));
  EXPECT_EQ(task(passport, "start, startDate, area"), (std::vector<std::string>{"1", "<null>", area_uuid("Work")}));
  EXPECT_EQ(tell("count (to dos of list \"Inbox\" whose name is \"Call the plumber\")"), "0");
  expect_counts_consistent();
}

TEST_F(ModelTest, CancelingAProjectCancelsItsOpenItemsAndReopeningBringsBackTheProjectAlone) {
  const std::string project = uuid_of("Website relaunch");
  const std::string staging = uuid_of("Set up the staging server");  // completed already, under a heading
  const std::string staging_stop = task(staging, "stopDate")[0];
  tell("set status of project id \"" + project + "\" to canceled");
  const std::string items = "SELECT t.title, t.status, t.stopDate IS NOT NULL FROM TMTask t LEFT JOIN TMTask h ON h.uuid = t.heading "
                            "WHERE t.uuid = ?1 OR t.project = ?1 OR h.project = ?1 ORDER BY t.title";
  // Every open to do (under its headings too) and every heading: canceled with it.
  EXPECT_EQ(db().rows(items, {project}), (std::vector<std::vector<std::string>>{{"Build", "2", "1"},
                                                                             {"Design", "2", "1"},
                                                                             {"Pick a colour palette", "2", "1"},
                                                                             {"Review pull requests", "2", "1"},
                                                                             {"Set up the staging server", "3", "1"},
                                                                             {"Sketch homepage layout", "2", "1"},
                                                                             {"Website relaunch", "2", "1"},
                                                                             {"Write the deployment script", "2", "1"}}));
  EXPECT_EQ(task(staging, "stopDate")[0], staging_stop);  // what was closed before keeps its date
  EXPECT_EQ(tell("status of project id \"" + project + "\""), "canceled");
  EXPECT_NE(tell("name of to dos of list \"Logbook\"").find("Sketch homepage layout"), std::string::npos);
  tell("set status of project id \"" + project + "\" to open");
  EXPECT_EQ(task(project, "status, stopDate"), (std::vector<std::string>{"0", "<null>"}));
  EXPECT_EQ(task(uuid_of("Sketch homepage layout"), "status")[0], "2");
  EXPECT_EQ(task(uuid_of("Design"), "status")[0], "2");
  expect_counts_consistent();
}

TEST_F(ModelTest, TrashingAProjectHidesItsToDosWithoutFlaggingThem) {
  const std::string project = uuid_of("Website relaunch");
  const std::string of_project = "SELECT COUNT(*) FROM TMTask t LEFT JOIN TMTask h ON h.uuid = t.heading "
                                 "WHERE t.type = 0 AND (t.project = ?1 OR h.project = ?1)";
  EXPECT_EQ(tell("name of to dos of list \"Today\" whose name is \"Review pull requests\""), "Review pull requests");
  const std::string anytime_before = tell("count to dos of list \"Anytime\"");
  tell("delete project id \"" + project + "\"");
  EXPECT_EQ(task(project, "trashed")[0], "1");
  EXPECT_EQ(db().integer(of_project + " AND t.trashed = 1", {project}), 0);  // its to dos are not flagged
  // Yet they leave every list with it; the Trash holds the project.
  for (const std::string list : {"Inbox", "Today", "Anytime", "Upcoming", "Someday", "Logbook"}) {
    EXPECT_EQ(tell("count (to dos of list \"" + list + "\" whose project is project id \"" + project + "\")"), "0") << list;
  }
  EXPECT_EQ(tell("name of to dos of list \"Today\" whose name is \"Review pull requests\""), "");
  // The project and its four open to dos (one of them in Today, which Anytime shows too).
  EXPECT_EQ(std::stoll(tell("count to dos of list \"Anytime\"")), std::stoll(anytime_before) - 5);
  EXPECT_EQ(tell("name of to dos of list \"Trash\""), "Website relaunch, Start a podcast");
  // Out of the Trash, the project brings them back.
  tell("move project id \"" + project + "\" to list \"Anytime\"");
  EXPECT_EQ(task(project, "trashed")[0], "0");
  EXPECT_EQ(tell("count to dos of list \"Anytime\""), anytime_before);
  EXPECT_EQ(tell("name of to dos of list \"Today\" whose name is \"Review pull requests\""), "Review pull requests");
  expect_counts_consistent();
}

TEST_F(ModelTest, AProjectInTheTrashTakesNoNewItems) {
  const std::string project = uuid_of("Website relaunch");
  const std::string in_trash = "ERR execution error: Things3 got an error: Can\xE2\x80\x99t put an item into project id \"" +
                               project + "\": it is in the Trash. (-10000)";
  tell("delete project id \"" + project + "\"");
  const std::string before = snapshot();
  EXPECT_EQ(tell("make new to do with properties {name:\"into\"} at end of project id \"" + project + "\""), in_trash);
  EXPECT_EQ(tell("make new to do with properties {name:\"into\", project:project id \"" + project + "\"}"), in_trash);
  EXPECT_EQ(tell("tell project id \"" + project + "\" to make new to do with properties {name:\"into\"}"), in_trash);
  EXPECT_EQ(tell("set project of to do id \"" + uuid_of("Call the plumber") + "\" to project id \"" + project + "\""), in_trash);
  EXPECT_EQ(tell("move to do id \"" + uuid_of("Call the plumber") + "\" to project id \"" + project + "\""), in_trash);
  EXPECT_EQ(snapshot(), before);  // a make that fails makes nothing
  // Out of the Trash, it takes them again.
  tell("move project id \"" + project + "\" to list \"Anytime\"");
  EXPECT_EQ(tell("name of (make new to do with properties {name:\"into\"} at end of project id \"" + project + "\")"), "into");
  expect_counts_consistent();
}

TEST_F(ModelTest, AMakeThatFailsMakesNothing) {
  const std::string before = snapshot();
  EXPECT_EQ(tell("make new project with properties {name:\"Nested\"} at end of project \"Plan summer trip\""),
            "ERR execution error: Things3 got an error: Can\xE2\x80\x99t move a project into a project. (-10000)");
  EXPECT_EQ(tell("make new to do with properties {name:\"Later\", tag names:\"Fresh\"} at end of list \"Upcoming\"").rfind("ERR", 0), 0U);
  EXPECT_EQ(tell("make new to do with properties {name:\"Lost\"} at end of area id \"NoSuchArea\"").rfind("ERR", 0), 0U);
  EXPECT_EQ(snapshot(), before);
}

TEST_F(ModelTest, AFailedCommandLeavesNoTraceAndTheOthersInTheScriptApply) {
  // Three operations, each in its own try as takt writes them: the one that fails (an
  // unknown project) makes no to do and no tag; the two others apply.
  const std::string before_tags = std::to_string(db().integer("SELECT COUNT(*) FROM TMTag"));
  EXPECT_EQ(tell("set out to {}\n"
                 "try\nmake new to do with properties {name:\"one\"}\nset end of out to \"ok\"\n"
                 "on error m number n\nset end of out to n\nend try\n"
                 "try\nmake new to do with properties {name:\"lost\", tag names:\"ShouldNotExist\"} at end of project id \"NoSuchProject\"\n"
                 "set end of out to \"ok\"\non error m number n\nset end of out to n\nend try\n"
                 "try\nmake new to do with properties {name:\"three\"}\nset end of out to \"ok\"\n"
                 "on error m number n\nset end of out to n\nend try\nout"),
            "ok, -1728, ok");
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTask WHERE title IN ('one', 'three')"), 2);
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTask WHERE title = 'lost'"), 0);
  EXPECT_EQ(std::to_string(db().integer("SELECT COUNT(*) FROM TMTag")), before_tags);
}

TEST_F(ModelTest, AnErrorCaughtInTryDoesNotFailTheScript) {
  EXPECT_EQ(tell("try\nget to do id \"missing\"\non error m number n\nreturn n\nend try"), "-1728");
  // Uncaught, it does: exit 1, and the changes made before stay, as in Things.
  const std::string before = uuid_of("Call the plumber");
  EXPECT_EQ(tell("set name of to do id \"" + before + "\" to \"Plumber\"\nget to do id \"missing\""),
            "ERR execution error: Things3 got an error: Can\xE2\x80\x99t get to do id \"missing\". (-1728)");
  EXPECT_EQ(task(before, "title")[0], "Plumber");
}

TEST_F(ModelTest, UrlChangesLandAfterTheLag) {
  EXPECT_EQ(open("things:///add?title=Later", 60000), "");
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTask WHERE title = 'Later'"), 0);
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TaktSimPendingURL"), 1);
  // Not due yet: a later call leaves it queued.
  EXPECT_EQ(as("return 1"), "1");
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTask WHERE title = 'Later'"), 0);
  // Once due, the next call applies it before running.
  db().rows("UPDATE TaktSimPendingURL SET due = 0");
  EXPECT_EQ(tell("count (to dos of list \"Inbox\" whose name is \"Later\")"), "1");
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TaktSimPendingURL"), 0);
}

TEST_F(ModelTest, DelayLetsDueUrlsLandInsideTheScript) {
  // While the script waits, Things goes on: a URL that comes due during `delay` is in
  // the database when the script reads after it (here the "sleep" makes it due).
  model::ModelConfig config;
  config.url_lag_min_ms = 60000;
  config.url_lag_max_ms = 60000;
  config.sleep = [this](double) { db().rows("UPDATE TaktSimPendingURL SET due = 0"); };
  const model::Outcome outcome = model::run_source(
      handle_,
      "do shell script \"open -g \" & quoted form of \"things:///add?title=During\"\n"
      "tell application \"Things3\"\n"
      "  set earlier to count (to dos of list \"Inbox\" whose name is \"During\")\n"
      "  delay 1\n"
      "  return {earlier, count (to dos of list \"Inbox\" whose name is \"During\")}\n"
      "end tell",
      config);
  EXPECT_EQ(outcome.exit_code, 0) << outcome.err;
  EXPECT_EQ(outcome.out, "0, 1\n");
}

TEST_F(ModelTest, UrlUpdateNeedsTheAuthToken) {
  const std::string todo = uuid_of("Call the plumber");
  open("things:///update?id=" + todo + "&title=Hacked&auth-token=wrong");
  open("things:///update?id=" + todo + "&title=Hacked");
  EXPECT_EQ(task(todo, "title")[0], "Call the plumber");
  open("things:///update?id=" + todo + "&title=Fixed%20tap&when=evening%4019%3A30&auth-token=" + token());
  EXPECT_EQ(task(todo, "title, start, startBucket, startDate, reminderTime"),
            (std::vector<std::string>{"Fixed tap", "1", "1", std::to_string(packed(local_today())),
                                      std::to_string((19LL << 26) | (30LL << 20))}));
}

TEST_F(ModelTest, AUrlWithABadParameterChangesNothing) {
  const std::string todo = uuid_of("Call the plumber");
  const std::string before = snapshot();
  open("things:///update?id=" + todo + "&title=X&colour=red&auth-token=" + token());
  open("things:///update?id=" + todo + "&title=X&when=someday-ish&auth-token=" + token());
  open("things:///update?id=" + todo + "&title=X&heading-id=nope&auth-token=" + token());
  open("things:///update?id=" + uuid_of("Website relaunch") + "&title=X&auth-token=" + token());  // a project
  open("things:///frobnicate?title=X");
  open("things:///add?title=X&deadline=2026-02-30");
  EXPECT_EQ(snapshot(), before);
}

TEST_F(ModelTest, UrlAddUpdateAndProjects) {
  open("things:///add?title=Call%20Mum&checklist-items=Ask%0ABook&tags=Home,Nonexistent&list=Website%20relaunch&heading=Build");
  const std::string mum = uuid_of("Call Mum");
  EXPECT_EQ(task(mum, "heading, project IS NULL, checklistItemsCount"),
            (std::vector<std::string>{uuid_of("Build"), "1", "2"}));
  EXPECT_EQ(tags_of(mum), (std::vector<std::string>{"Home"}));  // unknown tags are ignored
  open("things:///update?id=" + mum + "&append-checklist-items=Cake&append-notes=n&auth-token=" + token());
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMChecklistItem WHERE task = ?1", {mum}), 3);
  EXPECT_EQ(task(mum, "notes")[0], "n");
  open("things:///add-project?title=Move&to-dos=Boxes%0AVan&area=Personal&when=someday");
  const std::string move = uuid_of("Move");
  EXPECT_EQ(task(move, "type, start, area"), (std::vector<std::string>{"1", "2", area_uuid("Personal")}));
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTask WHERE project = ?1", {move}), 2);
  open("things:///update-project?id=" + move + "&deadline=2027-01-01&auth-token=" + token());
  EXPECT_EQ(task(move, "deadline")[0], std::to_string((2027 << 16) | (1 << 12) | (1 << 7)));
  expect_counts_consistent();
}

TEST_F(ModelTest, UrlJson) {
  const std::string data =
      "[{\"type\":\"project\",\"attributes\":{\"title\":\"Trip\",\"items\":[{\"type\":\"to-do\",\"attributes\":{\"title\":"
      "\"Pack\"}},{\"type\":\"heading\",\"attributes\":{\"title\":\"Day 1\"}},{\"type\":\"to-do\",\"attributes\":{"
      "\"title\":\"Walk\",\"checklist-items\":[{\"type\":\"checklist-item\",\"attributes\":{\"title\":\"Shoes\"}}]}}]}}]";
  std::string encoded;
  for (unsigned char c : data) {
    char buffer[4];
    std::snprintf(buffer, sizeof buffer, "%%%02X", c);
    encoded += std::isalnum(c) ? std::string(1, static_cast<char>(c)) : std::string(buffer);
  }
  open("things:///json?data=" + encoded);
  const std::string trip = uuid_of("Trip");
  EXPECT_EQ(task(uuid_of("Pack"), "project")[0], trip);
  EXPECT_EQ(task(uuid_of("Walk"), "heading, checklistItemsCount"), (std::vector<std::string>{uuid_of("Day 1"), "1"}));
  // An update through json needs the token.
  const std::string before = snapshot();
  const std::string update = "[{\"type\":\"to-do\",\"operation\":\"update\",\"id\":\"" + uuid_of("Pack") +
                             "\",\"attributes\":{\"title\":\"Unpack\"}}]";
  std::string encoded_update;
  for (unsigned char c : update) {
    char buffer[4];
    std::snprintf(buffer, sizeof buffer, "%%%02X", c);
    encoded_update += std::isalnum(c) ? std::string(1, static_cast<char>(c)) : std::string(buffer);
  }
  open("things:///json?data=" + encoded_update);
  EXPECT_EQ(snapshot(), before);
  open("things:///json?auth-token=" + token() + "&data=" + encoded_update);
  EXPECT_EQ(task(uuid_of("Unpack"), "type")[0], "0");
}

TEST_F(ModelTest, HostileTextArrivesExactly) {
  // AppleScript's escapes and concatenation, then the URL scheme's percent-encoding.
  const std::string id = tell(
      R"as(id of (make new to do with properties {name:"a \"quoted\" \\ back" & linefeed & "é✓ '; DROP TABLE TMTask; --", notes:tab & return}))as");
  ASSERT_TRUE(is_things_uuid(id)) << id;
  EXPECT_EQ(task(id, "title, notes"),
            (std::vector<std::string>{"a \"quoted\" \\ back\né✓ '; DROP TABLE TMTask; --", "\t\r"}));
  open("things:///add?title=x%26y%3Dz%0A%25&notes=%22%27");
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTask WHERE title = 'x&y=z' || char(10) || '%' AND notes = '\"'''"), 1);
}

TEST_F(ModelTest, AreasAndTags) {
  const std::string area = area_uuid("Personal");
  EXPECT_EQ(tell("set tag names of area id \"" + area + "\" to \"Important, Gym\"\ntag names of area id \"" + area + "\""),
            "Important, Gym");
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMAreaTag WHERE areas = ?1", {area}), 2);
  EXPECT_EQ(tell("set t to make new tag with properties {name:\"Deep\"}\nset parent tag of t to tag \"Work\"\n"
                 "name of parent tag of t"),
            "Work");
  // No cycles in the tag tree.
  EXPECT_NE(tell("set parent tag of tag \"Work\" to tag \"Deep\"").find("(-10006)"), std::string::npos);
  tell("delete tag \"Deep\"");
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTag WHERE title = 'Deep'"), 0);
}

// Apple events, as the per-op latency model charges them: a specifier written out is one
// event however many objects it reaches (Things answers `properties of every to do` in
// one reply); a loop that asks each object is one event per object.
TEST_F(ModelTest, ASpecifierWrittenOutIsOneAppleEvent) {
  const auto events = [this](const std::string& body) {
    model::ModelConfig config;
    config.sleep = [](double) {};
    const model::Outcome outcome = model::run_source(handle_, "tell application \"Things3\"\n" + body + "\nend tell", config);
    EXPECT_EQ(outcome.exit_code, 0) << body << ": " << outcome.err;
    return outcome.events;
  };
  const std::int64_t todos = std::stoll(tell("count of every to do"));
  ASSERT_GT(todos, 5);
  EXPECT_EQ(events("get properties of every to do"), 1);
  EXPECT_EQ(events("get name of tags of every to do"), 1);
  EXPECT_EQ(events("get id of to dos of every project"), 1);
  EXPECT_EQ(events("set found to (to dos of list id \"TMInboxListSource\" whose name is \"x\")"), 1);
  EXPECT_EQ(events("get {name of every area, id of every tag}"), 2);
  EXPECT_EQ(events("set ids to id of every to do\nrepeat with i in ids\nget name of to do id (contents of i)\nend repeat"),
            1 + todos);
  EXPECT_EQ(events("get to do \"Call the plumber\""), 1);
}

}  // namespace
}  // namespace takt::sim_test
