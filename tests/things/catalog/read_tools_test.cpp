// The read tools on the real Things 3 database of things.py's test suite.
//
// The clock is fixed to Thursday 2024-06-20 and the time zone to UTC. That date comes
// after every dated item of the fixture but two (the start date of "To-Do in Upcoming",
// 2026-09-17, and the deadline of "To-Do in Heading", 2040-11-04), so Today, Upcoming,
// overdue and future deadlines are all non-empty; and it is two days after the two to-dos
// completed around midnight UTC on 2024-06-18, so the Logbook's last 7 days and the
// recent items are non-empty and exercise local-day boundaries. things.py's own tests
// compute against the real date; where they assert a count on this fixture, ThingsPyCounts
// checks that takt agrees (or documents why not).

#include <gtest/gtest.h>

#include "support/fixture.hpp"
#include "support/in_zone.hpp"
#include <rapidjson/document.h>

#include <cstdlib>
#include <ctime>
#include <array>
#include <filesystem>
#include <map>
#include <set>

#include "base/json.hpp"
#include "things/catalog/catalog.hpp"
#include "things/db/db.hpp"
#include "things/script/ops.hpp"
#include "things/catalog/schema.hpp"
#include "things/catalog/tools.hpp"
#include "support/probe_dialect.hpp"

using namespace takt;
using namespace takt::things;
namespace fs = std::filesystem;

namespace {

const Date kFixedToday{2024, 6, 20};

/// Ids of the fixture's items, by title.
const std::string kProjectInArea1 = "3x1QqJqfvZyhtw8NSdnZqG";
const std::string kProjectWithoutArea = "TCozQqXVbB2TJkXXXQj2H9";
const std::string kArea1 = "DciSFacytdrNG1nRaMJPgY";
const std::string kArea3 = "Y3JC4XeyGWxzDocQL4aobo";
const std::string kHeading = "6QpDLSHZMRAUSAeZ9mNvgt";
const std::string kErrand = "H96sVJwE7VJveAnv7itmux";
const std::string kRepeatingTemplate = "N1PJHsbjct4mb1bhcs7aHa";
const std::string kTodoWithChecklist = "3Eva4XFof6zWb9iSfYy4ej";

using Titles = std::vector<std::string>;

using takt::test::InZone;

/// The fixture copied (with its write-ahead log) into a fresh directory: SQLite writes
/// beside a WAL database even when only reading it.
class FixtureCopy {
 public:
  FixtureCopy() {
    char templ[] = "/tmp/takt-things-XXXXXX";
    if (!mkdtemp(templ)) throw std::runtime_error("mkdtemp failed");
    dir_ = templ;
    for (const char* suffix : {"", "-wal"}) {
      const fs::path from = std::string(THINGS_FIXTURE) + suffix, to = dir_ / ("main.sqlite" + std::string(suffix));
      if (!fs::exists(from)) continue;  // the test skips (TAKT_NEEDS_FIXTURE)
      fs::copy_file(from, to);
      fs::permissions(to, fs::perms::owner_read | fs::perms::owner_write);
    }
  }
  ~FixtureCopy() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string path() const { return (dir_ / "main.sqlite").string(); }

 private:
  fs::path dir_;
};

class Fixture : public ::testing::Test {
 protected:
  void SetUp() override { TAKT_NEEDS_FIXTURE(THINGS_FIXTURE); }

  /// Calls a read tool as the pipeline does: arguments checked, then read. Fails the test
  /// on an argument error; a NotFound comes back as {"error": message}.
  rapidjson::Document call(const std::string& tool, const std::string& args = "{}") {
    const ToolSpec* spec = find_tool(tool);
    EXPECT_NE(spec, nullptr) << tool;
    rapidjson::Document a;
    a.Parse(args.c_str());
    EXPECT_FALSE(a.HasParseError()) << args;
    rapidjson::Document out;
    if (auto err = check_arguments(*spec, a, any_)) {
      ADD_FAILURE() << tool << " " << args << ": " << *err;
      return out;
    }
    std::string text;
    try {
      text = run_read(*spec, a, db_);
    } catch (const NotFound& e) {
      text = R"({"error":)" + json::quote(e.what()) + "}";
      out.Parse(text.c_str());
      return out;
    }
    out.Parse(text.c_str());
    EXPECT_FALSE(out.HasParseError()) << text;
    EXPECT_EQ(validate(*spec->output_schema, out).value_or(""), "") << tool << " " << args << ": " << text;
    return out;
  }

  /// The argument error check_arguments reports, or "".
  std::string argument_error(const std::string& tool, const std::string& args) {
    rapidjson::Document a;
    a.Parse(args.c_str());
    return check_arguments(*find_tool(tool), a, any_).value_or("");
  }

  static Titles titles(const rapidjson::Value& items) {
    Titles out;
    for (const auto& i : items.GetArray()) out.emplace_back(i["title"].GetString());
    return out;
  }
  Titles titles(const std::string& tool, const std::string& args = "{}") {
    auto d = call(tool, args);
    if (!d.IsObject() || !d.HasMember("items")) return {"(no items)"};
    EXPECT_EQ(d["count"].GetInt64(), static_cast<long long>(d["items"].Size()));
    return titles(d["items"]);
  }
  long long total(const std::string& tool, const std::string& args = "{}") {
    return call(tool, args)["total"].GetInt64();
  }

  InZone utc_{"UTC"};
  FixtureCopy copy_;
  ThingsDb db_{copy_.path(), 2, [] { return kFixedToday; }};
  const test::ProbeDialect any_;  // the catalogue's own checks, whatever the backend
};

const Titles kLogbook = {
    "Completed To-Do after midnight UTC+0",
    "Completed To-Do before midnight UTC+0",
    "Cancelled Project in Area",
    "Completed To-Do in Project",
    // The next three share one stop time: Things' index, then the id, decides.
    "Completed To-Do in cancelled Project in Area",
    "Completed To-Do in Area 1",
    "Cancelled To-Do in Project",
    "Cancelled To-Do in cancelled Project in Area",
    "Cancelled To-Do in Area 1",
    "Cancelled To-Do in Someday",
    "Completed To-Do in Someday",
    "Cancelled To-Do in Anytime",
    "Completed To-Do in Anytime",
    "Cancelled To-Do in Upcoming",
    "Completed To-Do in Upcoming",
    "Cancelled To-Do in Today",
    "Completed To-Do in Today",
    "Cancelled To-Do in Inbox",
    "Cancelled To-Do in Heading",
    "Completed To-Do in Inbox",
    "Completed To-Do in Heading",
    "Cancelled To-Do in Logbook",
    "Completed To-Do in Logbook",
};

}  // namespace

// ---- Things' lists ------------------------------------------------------------------------

TEST_F(Fixture, Inbox) {
  EXPECT_EQ(titles("get_inbox"), (Titles{"To-Do in Inbox with Checklist Items", "To-Do in Inbox"}));
}

TEST_F(Fixture, TodayInThingsOrderWithUndatedOverdueItems) {
  // Yellow (a Someday item whose date has come), a project, a to-do, a repeating to-do's
  // instance, and an undated to-do shown for its passed deadline; the other overdue to-do
  // was moved out of Today (deadlineSuppressionDate) and stays out.
  auto d = call("get_today");
  EXPECT_EQ(titles(d["items"]), (Titles{"Upcoming To-Do in Today (yellow)", "Project in Today", "To-Do in Today",
                                       "Repeating To-Do", "Overdue Todo automatically shown in Today"}));
  EXPECT_STREQ(d["items"][1]["type"].GetString(), "project");
  EXPECT_STREQ(d["items"][3]["repeating_template"].GetString(), kRepeatingTemplate.c_str());
  EXPECT_FALSE(d["items"][4].HasMember("start_date"));
}

TEST_F(Fixture, TodayFollowsTheInjectedDate) {
  // On 2021-05-01 the yellow item (2021-05-04) is still Upcoming, and the undated to-do is
  // not overdue yet (2021-05-21).
  ThingsDb early(copy_.path(), 1, [] { return Date{2021, 5, 1}; });
  rapidjson::Document today, upcoming;
  today.Parse(early.today({}).c_str());
  EXPECT_EQ(titles(today["items"]), (Titles{"Project in Today", "To-Do in Today", "Repeating To-Do"}));
  upcoming.Parse(early.upcoming({}).c_str());
  EXPECT_EQ(titles(upcoming["items"]), (Titles{"Upcoming To-Do in Today (yellow)", "To-Do in Upcoming"}));
}

TEST_F(Fixture, Upcoming) { EXPECT_EQ(titles("get_upcoming"), (Titles{"To-Do in Upcoming"})); }

// Things' own order, as things.py's anytime() gives it: by the task index, and the four
// items that share index 0 in the order the database stores them (not by id).
TEST_F(Fixture, Anytime) {
  EXPECT_EQ(titles("get_anytime"),
            (Titles{"Todo in Area 1", "Project in Area 1", "To-Do in Today",
                    "Overdue Todo automatically shown in Today", "To-Do in Heading", "To-Do in Project",
                    "To-Do in Anytime", "Project in Today", "To-Do in Area 1", "Repeating To-Do",
                    "Project without Area", "Heading", "Todo in Area 3", "Overdue Todo not shown in Today"}));
}

// issue 16: an offset of 2^63 or more wrapped to the first page (a client paging by
// offset could loop forever); it is past the end like 2^63-1.
TEST_F(Fixture, OffsetsBeyondTheLargestIntegerArePastTheEnd) {
  EXPECT_EQ(titles("get_anytime", R"({"offset":9223372036854775807,"limit":3})"), Titles{});
  EXPECT_EQ(titles("get_anytime", R"({"offset":9223372036854775808,"limit":3})"), Titles{});
  EXPECT_EQ(titles("get_anytime", R"({"offset":18446744073709551615})"), Titles{});
  EXPECT_EQ(titles("get_anytime", R"({"offset":1,"limit":1})"), Titles{"Project in Area 1"});
  EXPECT_EQ(argument_error("get_anytime", R"({"limit":5e0})"),
            "limit: expected an integer written without a decimal point or exponent (such as 5), got 5.0");
}

TEST_F(Fixture, Someday) { EXPECT_EQ(titles("get_someday"), (Titles{"To-Do in Someday"})); }

TEST_F(Fixture, LogbookLatestFirst) {
  EXPECT_EQ(titles("get_logbook"), kLogbook);
  auto d = call("get_logbook", R"({"limit":3})");
  EXPECT_EQ(d["count"].GetInt(), 3);
  EXPECT_EQ(d["total"].GetInt(), 23);
  EXPECT_STREQ(d["items"][0]["stop_date"].GetString(), "2024-06-18");
  EXPECT_STREQ(d["items"][1]["stop_date"].GetString(), "2024-06-17");
}

TEST_F(Fixture, LogbookWithinAPeriod) {
  const Titles last_days = {"Completed To-Do after midnight UTC+0", "Completed To-Do before midnight UTC+0"};
  EXPECT_EQ(titles("get_logbook", R"({"period":"7d"})"), last_days);
  EXPECT_EQ(titles("get_logbook", R"({"period":"1w"})"), last_days);
  EXPECT_EQ(titles("get_logbook", R"({"period":"1y"})"), last_days);
  EXPECT_EQ(titles("get_logbook", R"({"period":"2d"})"), (Titles{"Completed To-Do after midnight UTC+0"}));
  EXPECT_EQ(titles("get_logbook", R"({"period":"1d"})"), Titles{});
  EXPECT_EQ(titles("get_logbook", R"({"period":"4y"})"), kLogbook);
}

TEST_F(Fixture, LogbookDaysAreLocalDays) {
  // As things.py's test_tasks_stopdate_timezones: what was finished "on 2024-06-18" depends
  // on where the user is. One to-do was completed a millisecond before midnight UTC, one at it.
  ThingsDb on_the_18th(copy_.path(), 1, [] { return Date{2024, 6, 18}; });
  auto today_only = [&] {
    rapidjson::Document d;
    d.Parse(on_the_18th.logbook({}, Period{0, 'd'}).c_str());
    return d["total"].GetInt();
  };
  {
    InZone pakistan("UTC-5");
    EXPECT_EQ(today_only(), 2);
  }
  EXPECT_EQ(today_only(), 1);  // UTC
  {
    InZone new_york("UTC+5");
    EXPECT_EQ(today_only(), 0);
  }
}

TEST_F(Fixture, TrashWhateverTheStatus) {
  auto d = call("get_trash");
  EXPECT_EQ(titles(d["items"]), (Titles{"Another Deleted Todo", "Deleted Project", "Cancelled Deleted Todo",
                                       "Deleted Todo", "Completed Deleted Todo", "Deleted Task in Deleted Project"}));
  for (const auto& i : d["items"].GetArray()) EXPECT_TRUE(i["trashed"].GetBool());
}

// ---- projects, areas, tags, headings, to-dos --------------------------------------------

TEST_F(Fixture, Projects) {
  auto d = call("get_projects");
  EXPECT_EQ(titles(d["items"]), (Titles{"Project in Area 1", "Project in Today", "Project without Area"}));
  EXPECT_STREQ(d["items"][0]["area_title"].GetString(), "Area 1");
  EXPECT_EQ(titles("get_projects", R"({"area":")" + kArea1 + R"("})"), (Titles{"Project in Area 1"}));
  EXPECT_EQ(titles("get_projects", R"({"area":")" + kArea3 + R"("})"), Titles{});
  EXPECT_STREQ(call("get_projects", R"({"area":"nope"})")["error"].GetString(), "area: no area has the id 'nope'");
}

TEST_F(Fixture, AreasWithTagsAndCounts) {
  auto d = call("get_areas");
  EXPECT_EQ(titles(d["items"]), (Titles{"Area 3", "Area 2", "Area 1"}));
  const auto& area1 = d["items"][2];
  EXPECT_EQ(json::dump(area1["tags"]), R"(["Errand","Important"])");
  EXPECT_EQ(area1["open_projects"].GetInt(), 1);
  EXPECT_EQ(area1["open_todos"].GetInt(), 5);
  EXPECT_EQ(d["items"][0]["open_todos"].GetInt(), 1);
  EXPECT_EQ(d["items"][1]["open_todos"].GetInt(), 0);
}

TEST_F(Fixture, TagsWithUsageCounts) {
  auto d = call("get_tags");
  EXPECT_EQ(titles(d["items"]), (Titles{"Errand", "Home", "Office", "Important", "Pending"}));
  std::vector<std::array<int, 3>> counts;
  for (const auto& t : d["items"].GetArray())
    counts.push_back({t["open_items"].GetInt(), t["all_items"].GetInt(), t["areas"].GetInt()});
  EXPECT_EQ(counts, (std::vector<std::array<int, 3>>{{1, 1, 1}, {1, 1, 0}, {0, 0, 0}, {0, 0, 1}, {0, 0, 0}}));
}

TEST_F(Fixture, HeadingsOfAProject) {
  EXPECT_EQ(titles("get_headings", R"({"project":")" + kProjectInArea1 + R"("})"), (Titles{"Heading"}));
  EXPECT_EQ(titles("get_headings", R"({"project":")" + kProjectWithoutArea + R"("})"), Titles{});
  EXPECT_STREQ(call("get_headings", R"({"project":")" + kArea1 + R"("})")["error"].GetString(),
               ("project: no project has the id '" + kArea1 + "'").c_str());
}

TEST_F(Fixture, TodosByProjectAreaAndTag) {
  const std::string project = R"("project":")" + kProjectInArea1 + "\"";
  EXPECT_EQ(titles("get_todos", "{" + project + "}"),
            (Titles{"Todo in Area 1", "Overdue Todo automatically shown in Today", "To-Do in Heading",
                    "Overdue Todo not shown in Today"}));
  EXPECT_EQ(titles("get_todos", R"({"area":")" + kArea1 + R"("})"),
            (Titles{"Todo in Area 1", "Overdue Todo automatically shown in Today", "To-Do in Heading",
                    "To-Do in Area 1", "Overdue Todo not shown in Today"}));
  EXPECT_EQ(titles("get_todos", R"({"area":")" + kArea3 + R"("})"), (Titles{"Todo in Area 3"}));
  for (const std::string& tag : std::vector<std::string>{"Errand", "errand", kErrand, "Home"})
    EXPECT_EQ(titles("get_todos", R"({"tag":")" + tag + R"("})"), (Titles{"Todo in Area 1"})) << tag;
  EXPECT_EQ(titles("get_todos", R"({"tag":"Home",)" + project + "}"), (Titles{"Todo in Area 1"}));
  EXPECT_EQ(titles("get_todos", R"({"tag":"Office"})"), Titles{});
  EXPECT_EQ(titles("get_todos", R"({"tag":"Home","area":")" + kArea3 + R"("})"), Titles{});
  EXPECT_EQ(total("get_todos"), 15);
  EXPECT_STREQ(call("get_todos", R"({"tag":"Nope"})")["error"].GetString(),
               "tag: no tag is called 'Nope' or has that id");
  EXPECT_STREQ(call("get_todos", R"({"project":"x'); DROP TABLE TMTask;--"})")["error"].GetString(),
               "project: no project has the id 'x'); DROP TABLE TMTask;--'");
}

TEST_F(Fixture, ItemProjectWithHeadingsAndOpenTodos) {
  auto d = call("get_item", R"({"id":")" + kProjectInArea1 + R"("})");
  const auto& item = d["item"];
  EXPECT_STREQ(item["title"].GetString(), "Project in Area 1");
  EXPECT_STREQ(item["area_title"].GetString(), "Area 1");
  ASSERT_EQ(item["headings"].Size(), 1u);
  EXPECT_STREQ(item["headings"][0]["title"].GetString(), "Heading");
  EXPECT_EQ(titles(item["headings"][0]["todos"]), (Titles{"To-Do in Heading"}));
  EXPECT_EQ(titles(item["todos"]), (Titles{"Todo in Area 1", "Overdue Todo automatically shown in Today",
                                          "Overdue Todo not shown in Today"}));
  EXPECT_EQ(json::dump(item["todos"][0]["tags"]), R"(["Errand","Home"])");
  auto compact = call("get_item", R"({"id":")" + kProjectInArea1 + R"(","compact":true})");
  EXPECT_FALSE(compact["item"]["todos"][0].HasMember("tags"));
  EXPECT_TRUE(compact["item"].HasMember("tags"));  // the item itself is always in full
}

TEST_F(Fixture, ItemTodoWithChecklist) {
  auto d = call("get_item", R"({"id":")" + kTodoWithChecklist + R"("})");
  EXPECT_EQ(titles(d["item"]["checklist"]), (Titles{"Item 1", "Item 2", "Item 3"}));
  EXPECT_STREQ(d["item"]["checklist"][0]["status"].GetString(), "open");
  EXPECT_EQ(call("get_item", R"({"id":"K9bx7h1xCJdevvyWardZDq"})")["item"]["checklist"].Size(), 0u);
}

TEST_F(Fixture, ItemHeadingTemplateAndTrashed) {
  auto heading = call("get_item", R"({"id":")" + kHeading + R"("})");
  EXPECT_STREQ(heading["item"]["project_title"].GetString(), "Project in Area 1");
  EXPECT_EQ(titles(heading["item"]["todos"]), (Titles{"To-Do in Heading"}));
  auto templ = call("get_item", R"({"id":")" + kRepeatingTemplate + R"("})");
  EXPECT_STREQ(templ["item"]["repeat"]["rule"].GetString(), "every week after completion");
  EXPECT_FALSE(templ["item"].HasMember("deadline"));  // 4001-01-01 is Things' placeholder
  auto trashed = call("get_item", R"({"id":"LeMGbV4SZyMgSRTCWq72Yg"})");
  EXPECT_TRUE(trashed["item"]["trashed"].GetBool());
  EXPECT_STREQ(call("get_item", R"({"id":"nope"})")["error"].GetString(),
               "id: no to-do, project or heading has the id 'nope'");
}

// ---- search, recent, due, summary, repeating ----------------------------------------------

TEST_F(Fixture, SearchEveryStatusOpenFirst) {
  const Titles heading = {"To-Do in Heading", "Heading", "Cancelled To-Do in Heading", "Completed To-Do in Heading"};
  EXPECT_EQ(titles("search", R"({"query":"heading"})"), heading);
  EXPECT_EQ(titles("search", R"({"query":"HEADING"})"), heading);
  EXPECT_EQ(titles("search", R"({"query":"  heading  to-do "})"),
            (Titles{"To-Do in Heading", "Cancelled To-Do in Heading", "Completed To-Do in Heading"}));
  EXPECT_EQ(titles("search", R"({"query":"heading","status":"completed"})"), (Titles{"Completed To-Do in Heading"}));
  EXPECT_EQ(titles("search", R"({"query":"heading","status":"open"})"), (Titles{"To-Do in Heading", "Heading"}));
  EXPECT_EQ(total("search", R"({"query":"with notes"})"), 28);  // notes match too; Trash excluded
  EXPECT_EQ(titles("search", R"({"query":"'"})"), Titles{});
  EXPECT_EQ(titles("search", R"({"query":"\""})"), Titles{});
  EXPECT_EQ(titles("search", R"({"query":"%"})"), Titles{});  // literal, not a LIKE wildcard
  EXPECT_EQ(titles("search", R"({"query":"Deleted"})"), Titles{});
}

TEST_F(Fixture, SearchAdvanced) {
  EXPECT_EQ(titles("search_advanced", R"({"type":"project"})"),
            (Titles{"Project in Area 1", "Project in Today", "Project without Area", "Cancelled Project in Area"}));
  EXPECT_EQ(titles("search_advanced", R"({"type":"project","status":"open"})"),
            (Titles{"Project in Area 1", "Project in Today", "Project without Area"}));
  EXPECT_EQ(titles("search_advanced", R"({"deadline":{"before":"2022-01-01"}})"),
            (Titles{"Overdue Todo automatically shown in Today", "Repeating To-Do", "Overdue Todo not shown in Today"}));
  EXPECT_EQ(titles("search_advanced", R"({"deadline":{"after":"2024-06-20"}})"), (Titles{"To-Do in Heading"}));
  EXPECT_EQ(titles("search_advanced", R"({"deadline":{"on":"2021-05-21"},"query":"not"})"),
            (Titles{"Overdue Todo not shown in Today"}));
  EXPECT_EQ(titles("search_advanced", R"({"start_date":{"on":"2021-03-28"}})"),
            (Titles{"To-Do in Today", "Cancelled To-Do in Today", "Completed To-Do in Today"}));
  EXPECT_EQ(titles("search_advanced", R"({"start_date":{"after":"2021-03-28","before":"2026-01-01"}})"),
            (Titles{"Upcoming To-Do in Today (yellow)", "Project in Today"}));
  EXPECT_EQ(titles("search_advanced", R"({"area":")" + kArea1 + R"(","status":"completed"})"),
            (Titles{"Completed To-Do in cancelled Project in Area", "Completed To-Do in Area 1",
                    "Completed To-Do in Heading"}));
  EXPECT_EQ(titles("search_advanced", R"({"tag":"Errand","type":"to-do"})"), (Titles{"Todo in Area 1"}));
  EXPECT_EQ(titles("search_advanced", R"({"project":")" + kProjectInArea1 + R"(","type":"heading"})"),
            (Titles{"Heading"}));
  EXPECT_EQ(titles("search_advanced", R"({"created_within":"7d"})"),
            (Titles{"Completed To-Do after midnight UTC+0", "Completed To-Do before midnight UTC+0"}));
}

TEST_F(Fixture, RecentlyCreatedOrChanged) {
  const Titles week = {"Completed To-Do after midnight UTC+0", "Completed To-Do before midnight UTC+0"};
  EXPECT_EQ(titles("get_recent"), week);  // 7d by default
  EXPECT_EQ(titles("get_recent", R"({"period":"1y"})"), week);
  EXPECT_EQ(titles("get_recent", R"({"period":"2y"})"),
            (Titles{"Completed To-Do after midnight UTC+0", "Completed To-Do before midnight UTC+0",
                    "Project in Area 1", "Todo in Area 1"}));
  EXPECT_EQ(titles("get_recent", R"({"period":"1d"})"), Titles{});
}

TEST_F(Fixture, DueWithOverdueMarked) {
  auto d = call("get_due");
  EXPECT_EQ(titles(d["items"]), (Titles{"Repeating To-Do", "Overdue Todo automatically shown in Today",
                                       "Overdue Todo not shown in Today"}));
  for (const auto& i : d["items"].GetArray()) EXPECT_TRUE(i["overdue"].GetBool());
  EXPECT_EQ(d["items"][0]["days_left"].GetInt(), -1180);
  auto far = call("get_due", R"({"days":6000,"compact":true})");
  ASSERT_EQ(far["items"].Size(), 4u);
  EXPECT_STREQ(far["items"][3]["title"].GetString(), "To-Do in Heading");
  EXPECT_FALSE(far["items"][3]["overdue"].GetBool());
  EXPECT_EQ(far["items"][3]["days_left"].GetInt(), 5981);
  EXPECT_EQ(total("get_due", R"({"days":5980})"), 3);
  EXPECT_EQ(total("get_due", R"({"days":5981})"), 4);
}

TEST_F(Fixture, Summary) {
  EXPECT_EQ(json::dump(call("get_summary")),
            R"({"today_date":"2024-06-20","inbox":2,"today":5,"upcoming":1,"anytime":14,"someday":1,)"
            R"("logbook_last_7_days":2,"trash":6,"projects":3,"areas":3})");
}

TEST_F(Fixture, RepeatingTemplatesWithTheirRule) {
  auto d = call("get_repeating");
  ASSERT_EQ(d["items"].Size(), 1u);
  const auto& t = d["items"][0];
  EXPECT_STREQ(t["id"].GetString(), kRepeatingTemplate.c_str());
  EXPECT_STREQ(t["reminder_time"].GetString(), "12:00");
  EXPECT_EQ(json::dump(t["repeat"]),
            R"({"rule":"every week after completion","unit":"week","interval":1,"after_completion":true,"paused":false})");
  // Templates stay out of every list; their instance shows instead.
  auto ids = [&](const std::string& tool, const std::string& args = "{}") {
    std::set<std::string> out;
    const auto d = call(tool, args);  // outlives the loop over its items
    for (const auto& i : d["items"].GetArray()) out.insert(i["id"].GetString());
    return out;
  };
  for (const char* list : {"get_inbox", "get_today", "get_upcoming", "get_anytime", "get_someday", "get_logbook",
                           "get_trash", "get_todos", "get_due", "get_recent"})
    EXPECT_EQ(ids(list).count(kRepeatingTemplate), 0u) << list;
  EXPECT_EQ(ids("search", R"({"query":"repeating"})"), (std::set<std::string>{"K9bx7h1xCJdevvyWardZDq"}));
}

TEST_F(Fixture, ReminderTime) {
  // things.py's test_thingstime: "To-Do in Upcoming" reminds at 12:34.
  EXPECT_STREQ(call("get_upcoming")["items"][0]["reminder_time"].GetString(), "12:34");
}

// ---- paging and compact mode --------------------------------------------------------------

TEST_F(Fixture, PagingKeepsTheTotal) {
  auto page = call("get_anytime", R"({"limit":5,"offset":10})");
  EXPECT_EQ(titles(page["items"]),
            (Titles{"Project without Area", "Heading", "Todo in Area 3", "Overdue Todo not shown in Today"}));
  EXPECT_EQ(page["total"].GetInt(), 14);
  // A full page: the total is counted, not read off the page.
  auto full = call("get_anytime", R"({"limit":4,"offset":10})");
  EXPECT_EQ(full["count"].GetInt(), 4);
  EXPECT_EQ(full["total"].GetInt(), 14);
  auto first = call("get_anytime", R"({"limit":3})");
  EXPECT_EQ(first["total"].GetInt(), 14);
  auto past = call("get_anytime", R"({"offset":100})");
  EXPECT_EQ(past["count"].GetInt(), 0);
  EXPECT_EQ(past["total"].GetInt(), 14);
  auto areas = call("get_areas", R"({"offset":5})");
  EXPECT_EQ(areas["total"].GetInt(), 3);
  auto tags = call("get_tags", R"({"limit":2,"offset":1})");
  EXPECT_EQ(titles(tags["items"]), (Titles{"Home", "Office"}));
  EXPECT_EQ(tags["total"].GetInt(), 5);
}

TEST_F(Fixture, CompactItemsHoldOnlyTheEssentials) {
  const std::set<std::string> allowed = {"id", "type", "title", "status", "start_date", "deadline"};
  for (const char* list : {"get_inbox", "get_today", "get_anytime", "get_trash", "get_repeating"}) {
    auto d = call(list, R"({"compact":true})");
    ASSERT_GT(d["items"].Size(), 0u) << list;
    for (const auto& i : d["items"].GetArray())
      for (const auto& m : i.GetObject()) EXPECT_TRUE(allowed.count(m.name.GetString())) << list << " " << m.name.GetString();
  }
  auto areas = call("get_areas", R"({"compact":true})");
  EXPECT_EQ(json::dump(areas["items"][0]), R"({"id":"Y3JC4XeyGWxzDocQL4aobo","type":"area","title":"Area 3"})");
}

// ---- every tool's answer matches its declared outputSchema --------------------------------

TEST_F(Fixture, EveryReadToolMatchesItsOutputSchema) {
  const std::vector<std::pair<std::string, std::string>> calls = {
      {"get_inbox", "{}"},
      {"get_today", "{}"},
      {"get_upcoming", "{}"},
      {"get_anytime", "{}"},
      {"get_someday", "{}"},
      {"get_logbook", R"({"period":"10y"})"},
      {"get_trash", "{}"},
      {"get_projects", "{}"},
      {"get_areas", "{}"},
      {"get_tags", "{}"},
      {"get_headings", R"({"project":")" + kProjectInArea1 + "\"}"},
      {"get_todos", R"({"tag":"Errand"})"},
      {"get_item", R"({"id":")" + kProjectInArea1 + "\"}"},
      {"get_item", R"({"id":")" + kTodoWithChecklist + "\"}"},
      {"get_item", R"({"id":")" + kRepeatingTemplate + "\"}"},
      {"search", R"({"query":"to-do"})"},
      {"search_advanced", R"({"status":"completed","deadline":{"after":"2000-01-01"}})"},
      {"get_recent", R"({"period":"5y"})"},
      {"get_due", R"({"days":10000})"},
      {"get_summary", "{}"},
      {"get_repeating", "{}"},
  };
  std::set<std::string> covered;
  for (const auto& [tool, args] : calls) {
    for (bool compact : {false, true}) {
      if (tool == "get_summary" && compact) continue;  // takes no arguments
      std::string a = args;
      if (compact) a = a == "{}" ? R"({"compact":true})" : R"({"compact":true,)" + a.substr(1);
      SCOPED_TRACE(tool + " " + a);
      const auto* spec = find_tool(tool);
      rapidjson::Document in;
      in.Parse(a.c_str());
      ASSERT_FALSE(check_arguments(*spec, in, any_)) << *check_arguments(*spec, in, any_);
      rapidjson::Document out;
      out.Parse(run_read(*spec, in, db_).c_str());
      EXPECT_EQ(validate(*spec->output_schema, out).value_or(""), "");
      covered.insert(tool);
    }
  }
  for (const auto& t : tool_catalog()) {
    if (t.kind == ToolKind::Read) {
      EXPECT_TRUE(covered.count(t.name)) << t.name << " is not checked";
    }
  }
}

TEST(ReadCatalog, EveryReadToolIsAMediumLaneCacheableReadOnlyRead) {
  for (const auto& t : tool_catalog()) {
    if (t.kind != ToolKind::Read) continue;
    SCOPED_TRACE(t.name);
    EXPECT_EQ(t.cost, CostClass::Medium);
    EXPECT_TRUE(t.cacheable);
    EXPECT_TRUE(t.read_only);
    EXPECT_TRUE(t.idempotent);
    EXPECT_FALSE(t.destructive);
  }
  auto list = json::dump([] {
    rapidjson::Document d;
    d.Parse(tools_list_json().c_str());
    return d;
  }());
  EXPECT_NE(list.find(R"("name":"get_repeating")"), std::string::npos);
}

// ---- argument errors name the field -------------------------------------------------------

TEST_F(Fixture, ArgumentErrorsNameTheField) {
  EXPECT_EQ(argument_error("get_logbook", R"({"period":"7x"})"),
            "period: '7x' is not a period; write a number and d(ays), w(eeks), m(onths) or y(ears), like 7d, 2w, "
            "1m or 1y");
  EXPECT_EQ(argument_error("get_recent", R"({"period":"week"})").rfind("period: 'week' is not a period", 0), 0u);
  EXPECT_EQ(argument_error("search_advanced", R"({"created_within":"-3d"})").rfind("created_within: ", 0), 0u);
  EXPECT_EQ(argument_error("get_logbook", R"({"period":7})"), "period: expected a string, got an integer");
  EXPECT_EQ(argument_error("search_advanced", R"({"deadline":{"before":"2024-02-30"}})"),
            "deadline.before: must be a date written YYYY-MM-DD");
  EXPECT_EQ(argument_error("search_advanced", R"({"start_date":{"on":"tomorrow"}})"),
            "start_date.on: must be a date written YYYY-MM-DD");
  EXPECT_EQ(argument_error("search_advanced", R"({"start_date":{"on":"2024-01-01","before":"2024-02-01"}})"),
            "start_date: give either 'on', or 'before' and/or 'after'");
  EXPECT_EQ(argument_error("search_advanced", R"({"deadline":{"after":"2024-01-02","before":"2024-01-03"}})"),
            "deadline: no day is after 2024-01-02 and before 2024-01-03");
  EXPECT_EQ(argument_error("search_advanced", R"({"deadline":{}})"),
            "deadline: must have at least one of: on, before, after");
  EXPECT_EQ(argument_error("search_advanced", R"({"deadline":{"around":"2024-01-01"}})"),
            "deadline.around: is not a known argument");
  EXPECT_EQ(argument_error("get_inbox", R"({"colour":"red"})"), "colour: is not a known argument");
  EXPECT_EQ(argument_error("get_today", R"({"limit":0})"), "limit: must be at least 1");
  EXPECT_EQ(argument_error("get_anytime", R"({"limit":1001})"), "limit: must be at most 1000");
  EXPECT_EQ(argument_error("get_trash", R"({"offset":-1})"), "offset: must be at least 0");
  EXPECT_EQ(argument_error("get_due", R"({"days":36501})"), "days: must be at most 36500");
  EXPECT_EQ(argument_error("get_inbox", R"({"compact":"yes"})"), "compact: expected a boolean, got a string");
  EXPECT_EQ(argument_error("search", R"({})"), "query: is required");
  EXPECT_EQ(argument_error("search", R"({"query":" \t "})"), "query: must hold at least one word to search for");
  EXPECT_EQ(argument_error("search", R"({"query":"x","status":"done"})"),
            R"(status: must be one of "open", "completed", "canceled")");
  EXPECT_EQ(argument_error("get_item", R"({})"), "id: is required");
  EXPECT_EQ(argument_error("get_headings", R"({})"), "project: is required");
  EXPECT_EQ(argument_error("get_summary", R"({"limit":5})"), "limit: is not a known argument");
  EXPECT_EQ(argument_error("get_logbook", R"({"period":"30d","limit":10})"), "");
}

// ---- where takt and things.py agree on this fixture ---------------------------------------

TEST_F(Fixture, ThingsPyCounts) {
  // The constants of things.py's tests/test_things.py, for this database.
  EXPECT_EQ(total("get_inbox"), 2);     // INBOX
  auto today = call("get_today");     // TODAY = TODAY_PROJECTS 1 + TODAY_TASKS 4
  std::map<std::string, int> types;
  for (const auto& i : today["items"].GetArray()) ++types[i["type"].GetString()];
  EXPECT_EQ(types, (std::map<std::string, int>{{"project", 1}, {"to-do", 4}}));
  EXPECT_EQ(total("get_upcoming"), 1);  // UPCOMING
  EXPECT_EQ(total("get_anytime"), 14);  // test_anytime
  EXPECT_EQ(total("get_someday"), 1);   // test_someday
  EXPECT_EQ(total("get_logbook"), 23);  // test_logbook
  EXPECT_EQ(total("search_advanced", R"({"status":"canceled"})"), 11);   // test_canceled
  EXPECT_EQ(total("search_advanced", R"({"status":"completed"})"), 12);  // test_completed
  EXPECT_EQ(total("get_trash"), 6);     // TRASHED
  EXPECT_EQ(total("get_projects"), 3);  // test_projects
  EXPECT_EQ(total("get_areas"), 3);     // test_areas
  EXPECT_EQ(total("get_tags"), 5);      // test_tags
  EXPECT_EQ(total("get_todos"), 15);    // todos(include_items=True)
  EXPECT_EQ(total("search_advanced", R"({"status":"open"})"), 19);  // tasks(include_items=True)
  EXPECT_EQ(total("get_due", R"({"days":36500})"), 4);  // DEADLINE = DEADLINE_PAST 3 + DEADLINE_FUTURE 1
  EXPECT_EQ(total("get_due", R"({"days":0})"), 3);      // DEADLINE_PAST
  EXPECT_EQ(total("get_todos", R"({"tag":"Errand"})"), 1);
  EXPECT_EQ(total("get_todos", R"({"tag":"Home"})"), 1);
  EXPECT_EQ(total("get_todos", R"({"tag":"Home","project":")" + kProjectInArea1 + "\"}"), 1);
  // tasks(project=...) = 5: its 4 to-dos and its heading.
  EXPECT_EQ(total("get_todos", R"({"project":")" + kProjectInArea1 + "\"}") +
                total("get_headings", R"({"project":")" + kProjectInArea1 + "\"}"),
            5);
  EXPECT_EQ(total("search", R"({"query":"To-Do Heading"})"), 3);  // search("To-Do % Heading", status=None)
  EXPECT_EQ(total("search", R"({"query":"invalid_query"})"), 0);
  EXPECT_EQ(call("get_item", R"({"id":")" + kTodoWithChecklist + "\"}")["item"]["checklist"].Size(), 3u);
  EXPECT_EQ(total("search_advanced", R"({"status":"open","created_within":"10000w"})"), 19);     // last("10000w")
  EXPECT_EQ(total("search_advanced", R"({"status":"completed","created_within":"100y"})"), 12);  // last("100y", ...)
  EXPECT_EQ(total("search_advanced", R"({"status":"open","created_within":"0d"})"), 0);           // last("0d")
  EXPECT_EQ(total("search_advanced", R"({"status":"open","type":"to-do","start_date":{"on":"2021-03-28"}})"), 1);
}
