// The write tools end to end: the real takt binary over stdio driving the real things-sim,
// every change checked twice, through takt's read tools and through SQLite directly; plus
// the confirmation step on its own, fed results that claim more than the database shows.

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "base/json.hpp"
#include "support/takt_process.hpp"
#include "things/catalog/catalog.hpp"
#include "things/db/db.hpp"
#include "things/catalog/schema.hpp"
#include "things/catalog/tools.hpp"
#include "things/catalog/verify.hpp"

using namespace takt;
using namespace takt::test;

namespace {

std::string text_of(const rapidjson::Value& v) { return json::dump(v); }

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// Arguments written over several lines, as one line (a message is one line on stdio).
std::string one_line(std::string args) {
  for (auto& c : args)
    if (c == '\n') c = ' ';
  return args;
}

class Writes : public ::testing::Test {
 protected:
  void SetUp() override {
    t = std::make_unique<Takt>(dir, "backend:\n  database: " + db() +
                                        "\n  sim_per_op: 0ms\n  sim_latency: 1ms\n  script_timeout: 10s\n"
                                        "metrics:\n  enabled: false\n");
    t->handshake();
  }

  std::string db() const { return dir.file("things.sqlite"); }
  std::string sql(const std::string& q) const { return sql_value(db(), q); }
  std::string column(const std::string& id, const std::string& col) const {
    return sql("SELECT " + col + " FROM TMTask WHERE uuid = '" + id + "'");
  }

  /// A write that must succeed: its structuredContent matches the tool's outputSchema and
  /// the text content repeats it.
  rapidjson::Document write(const std::string& tool, const std::string& args) {
    auto r = t->tool(next_id++, tool, one_line(args));
    EXPECT_TRUE(r.HasMember("result")) << text_of(r);
    if (!r.HasMember("result")) return r;
    EXPECT_FALSE(r["result"]["isError"].GetBool()) << tool << " " << args << ": " << text_of(r);
    const auto* spec = things::find_tool(tool);
    EXPECT_EQ(things::validate(*spec->output_schema, r["result"]["structuredContent"]).value_or(""), "");
    EXPECT_EQ(parse_json(r["result"]["content"][0]["text"].GetString()), r["result"]["structuredContent"]);
    return r;
  }
  /// The id a single-item write answered.
  std::string write_id(const std::string& tool, const std::string& args) {
    auto r = write(tool, args);
    return r["result"]["structuredContent"]["id"].GetString();
  }
  /// A write that must fail; returns its message.
  std::string failure(const std::string& tool, const std::string& args) {
    auto r = t->tool(next_id++, tool, one_line(args));
    EXPECT_TRUE(r.HasMember("result")) << text_of(r);
    EXPECT_TRUE(r["result"]["isError"].GetBool()) << tool << " " << args << ": " << text_of(r);
    EXPECT_FALSE(r["result"].HasMember("structuredContent"));
    return r["result"]["content"][0]["text"].GetString();
  }
  /// get_item's item, as takt reads it back.
  rapidjson::Document item(const std::string& id) {
    auto r = t->tool(next_id++, "get_item", R"({"id":")" + id + "\"}");
    rapidjson::Document d;
    d.CopyFrom(r["result"]["structuredContent"]["item"], d.GetAllocator());
    return d;
  }
  std::string first_id(const std::string& tool, const std::string& args = "{}") {
    auto r = t->tool(next_id++, tool, args);
    return r["result"]["structuredContent"]["items"][0]["id"].GetString();
  }
  std::string area_named(const std::string& title) { return sql("SELECT uuid FROM TMArea WHERE title = '" + title + "'"); }
  std::string project_named(const std::string& title) {
    return sql("SELECT uuid FROM TMTask WHERE type = 1 AND title = '" + title + "'");
  }
  std::string heading_named(const std::string& title) {
    return sql("SELECT uuid FROM TMTask WHERE type = 2 AND title = '" + title + "'");
  }
  std::string tags_of(const std::string& id) {
    return sql("SELECT group_concat(title, ',') FROM (SELECT g.title FROM TMTaskTag t JOIN TMTag g ON g.uuid = t.tags "
               "WHERE t.tasks = '" + id + "' ORDER BY g.title)");
  }
  std::string checklist_of(const std::string& id) {
    return sql("SELECT group_concat(title, '|') FROM (SELECT title FROM TMChecklistItem WHERE task = '" + id +
               "' ORDER BY \"index\")");
  }
  long long sim_calls() {
    std::string out;
    run(std::string(THINGS_SIM_BINARY) + " --db " + db() + " --stats", &out);
    return parse_json(out)["calls"].GetInt64();
  }
  std::string today_packed() {
    return std::to_string(things::pack_date(things::local_today()));
  }

  TempDir dir;
  std::unique_ptr<Takt> t;
  int next_id = 100;
};

}  // namespace

TEST_F(Writes, EveryWriteToolIsListedWithItsHints) {
  auto r = t->call(1, "tools/list");
  std::map<std::string, std::array<bool, 3>> hints;  // readOnly, destructive, idempotent
  for (const auto& tool : r["result"]["tools"].GetArray()) {
    const auto& a = tool["annotations"];
    hints[tool["name"].GetString()] = {a["readOnlyHint"].GetBool(), a["destructiveHint"].GetBool(),
                                       a["idempotentHint"].GetBool()};
  }
  const std::map<std::string, std::array<bool, 3>> expected = {
      {"add_todo", {false, false, false}},     {"add_project", {false, false, false}},
      {"add_heading", {false, false, false}},  {"create_tag", {false, false, false}},
      {"create_area", {false, false, false}},  {"update_todo", {false, true, false}},
      {"update_project", {false, true, false}}, {"bulk_update", {false, true, false}},
      {"move", {false, false, true}},          {"complete", {false, true, true}},
      {"cancel", {false, true, true}},         {"reopen", {false, false, true}},
      {"trash", {false, true, true}},          {"restore", {false, false, true}},
      {"add_tags", {false, false, true}},      {"remove_tags", {false, true, true}}};
  for (const auto& [name, h] : expected) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(hints.count(name));
    EXPECT_EQ(hints[name], h);
  }
}

TEST_F(Writes, AddTodoWithEveryFieldLandsAsAsked) {
  const auto project = project_named("Website relaunch"), heading = heading_named("Design");
  const auto id = write_id("add_todo", R"({"title":"Sketch \"hero\" / banner & logo?","notes":"line 1\nline 2 \\ end",
      "when":"evening","reminder":"18:30","deadline":"2031-05-04","tags":["Errand","Brand new tag"],
      "checklist":["one","two # three"],"project":")" + project + R"(","heading":")" + heading + R"("})");
  auto it = item(id);
  EXPECT_STREQ(it["title"].GetString(), "Sketch \"hero\" / banner & logo?");
  EXPECT_STREQ(it["notes"].GetString(), "line 1\nline 2 \\ end");
  EXPECT_TRUE(it["evening"].GetBool());
  EXPECT_STREQ(it["reminder_time"].GetString(), "18:30");
  EXPECT_STREQ(it["deadline"].GetString(), "2031-05-04");
  EXPECT_STREQ(it["heading"].GetString(), heading.c_str());
  EXPECT_STREQ(it["project"].GetString(), project.c_str());
  EXPECT_EQ(it["checklist"].Size(), 2u);
  // And in SQLite itself.
  EXPECT_EQ(column(id, "startBucket"), "1");
  EXPECT_EQ(column(id, "startDate"), today_packed());
  EXPECT_EQ(column(id, "reminderTime"), std::to_string((18LL << 26) | (30LL << 20)));
  EXPECT_EQ(column(id, "heading"), heading);
  EXPECT_EQ(tags_of(id), "Brand new tag,Errand");
  EXPECT_EQ(checklist_of(id), "one|two # three");
}

TEST_F(Writes, UpdateTodoChangesEveryField) {
  const auto id = write_id("add_todo", R"({"title":"Draft","notes":"middle","tags":["Home"]})");
  write("update_todo", R"({"id":")" + id + R"(","title":"Final","append_notes":"after","when":"tomorrow",
      "reminder":"07:05","deadline":"2032-01-31","add_tags":["Errand"],"remove_tags":["Home"],
      "checklist":["a","b"]})");
  auto it = item(id);
  EXPECT_STREQ(it["title"].GetString(), "Final");
  EXPECT_STREQ(it["notes"].GetString(), "middle\nafter");
  EXPECT_STREQ(it["start"].GetString(), "someday");  // Upcoming: start 2 with a date
  EXPECT_STREQ(it["reminder_time"].GetString(), "07:05");
  EXPECT_EQ(tags_of(id), "Errand");
  EXPECT_EQ(checklist_of(id), "a|b");
  EXPECT_EQ(column(id, "startDate"), std::to_string(things::pack_date(things::add_days(things::local_today(), 1))));
  EXPECT_EQ(column(id, "deadline"), std::to_string(things::pack_date({2032, 1, 31})));

  write("update_todo", R"({"id":")" + id + R"(","prepend_notes":"before","append_checklist":["c"],
      "deadline":"","tags":["Work","Important"]})");
  EXPECT_EQ(column(id, "notes"), "before\nmiddle\nafter");
  EXPECT_EQ(column(id, "deadline"), "");
  EXPECT_EQ(tags_of(id), "Important,Work");
  EXPECT_EQ(checklist_of(id), "a|b|c");

  // Clearing the date takes the reminder with it (it belongs to the date).
  write("update_todo", R"({"id":")" + id + R"(","when":"","notes":"replaced"})");
  EXPECT_EQ(column(id, "startDate"), "");
  EXPECT_EQ(column(id, "reminderTime"), "");
  EXPECT_EQ(column(id, "start"), "1");
  EXPECT_EQ(column(id, "notes"), "replaced");

  // Where it lives: a project, a heading, an area, then back to the Inbox.
  const auto project = project_named("Website relaunch"), heading = heading_named("Build");
  const auto area = area_named("Personal");
  write("update_todo", R"({"id":")" + id + R"(","project":")" + project + "\"}");
  EXPECT_EQ(column(id, "project"), project);
  write("update_todo", R"({"id":")" + id + R"(","heading":")" + heading + "\"}");
  EXPECT_EQ(column(id, "heading"), heading);
  EXPECT_EQ(column(id, "project"), "");
  write("update_todo", R"({"id":")" + id + R"(","area":")" + area + "\"}");
  EXPECT_EQ(column(id, "area"), area);
  EXPECT_EQ(column(id, "heading"), "");
  write("update_todo", R"({"id":")" + id + R"(","list":"inbox"})");
  EXPECT_EQ(column(id, "start"), "0");
  EXPECT_EQ(column(id, "area"), "");
  auto inbox = t->tool(next_id++, "get_inbox");
  EXPECT_TRUE(contains(text_of(inbox["result"]["structuredContent"]), id));
}

TEST_F(Writes, WritesInvalidateCachedReads) {
  const auto id = write_id("add_todo", R"({"title":"Later today"})");
  auto before = t->tool(next_id++, "get_today");  // cached from here on
  EXPECT_FALSE(contains(text_of(before["result"]["structuredContent"]), id));
  write("update_todo", R"({"id":")" + id + R"(","when":"today"})");
  EXPECT_TRUE(contains(text_of(t->tool(next_id++, "get_today")["result"]["structuredContent"]), id));
  write("complete", R"({"ids":[")" + id + R"("]})");
  EXPECT_FALSE(contains(text_of(t->tool(next_id++, "get_today")["result"]["structuredContent"]), id));
  EXPECT_TRUE(contains(text_of(t->tool(next_id++, "get_logbook")["result"]["structuredContent"]), id));
}

TEST_F(Writes, ProjectsAndHeadings) {
  const auto area = area_named("Work");
  // Things' AppleScript has no headings: a project with headings, or a heading added to
  // one, is refused before anything runs, saying what to do instead.
  const auto tasks = sql("SELECT count(*) FROM TMTask");
  EXPECT_TRUE(contains(failure("add_project", R"({"title":"Move house","headings":["Pack"]})"),
                       "cannot create headings from a script"));
  EXPECT_TRUE(contains(failure("add_heading", R"({"project":")" + project_named("Learn Italian") + R"(","title":"x"})"),
                       "add it in Things"));
  EXPECT_EQ(sql("SELECT count(*) FROM TMTask"), tasks);

  const auto id = write_id("add_project", R"({"title":"Move house","notes":"big one","when":"2033-03-01",
      "deadline":"2033-04-01","tags":["Home"],"area":")" + area + R"(","todos":["Find boxes","Book a van"]})");
  EXPECT_EQ(column(id, "type"), "1");
  EXPECT_EQ(column(id, "area"), area);
  EXPECT_EQ(column(id, "start"), "2");
  auto it = item(id);
  ASSERT_EQ(it["todos"].Size(), 2u);
  EXPECT_STREQ(it["todos"][0]["title"].GetString(), "Find boxes");

  write("update_project", R"({"id":")" + id + R"(","title":"Move flat","append_notes":"really","when":"someday",
      "deadline":"","add_tags":["Important"],"area":""})");
  EXPECT_EQ(column(id, "title"), "Move flat");
  EXPECT_EQ(column(id, "notes"), "big one\nreally");
  EXPECT_EQ(column(id, "startDate"), "");
  EXPECT_EQ(column(id, "start"), "2");
  EXPECT_EQ(column(id, "deadline"), "");
  EXPECT_EQ(column(id, "area"), "");
  EXPECT_EQ(tags_of(id), "Home,Important");
  auto someday = t->tool(next_id++, "get_someday");
  EXPECT_TRUE(contains(text_of(someday["result"]["structuredContent"]), id));
}

TEST_F(Writes, StatusChangesOnManyIdsRunAsOneScript) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(write_id("add_todo", R"({"title":"chore )" + std::to_string(i) + "\"}"));
  const std::string all = "[\"" + ids[0] + "\",\"" + ids[1] + "\",\"" + ids[2] + "\"]";
  const auto calls = sim_calls();
  auto r = write("complete", R"({"ids":)" + all + "}");
  EXPECT_EQ(sim_calls(), calls + 1);  // three operations, one script
  const auto& s = r["result"]["structuredContent"];
  EXPECT_EQ(s["count"].GetInt(), 3);
  EXPECT_EQ(s["ids"][2], ids[2].c_str());
  EXPECT_STREQ(s["items"][0]["status"].GetString(), "completed");
  for (const auto& id : ids) EXPECT_EQ(column(id, "status"), "3");
  write("cancel", R"({"ids":[")" + ids[0] + "\"]}");
  EXPECT_EQ(column(ids[0], "status"), "2");
  write("reopen", R"({"ids":)" + all + "}");
  for (const auto& id : ids) {
    EXPECT_EQ(column(id, "status"), "0");
    EXPECT_EQ(column(id, "stopDate"), "");
  }
}

TEST_F(Writes, MoveTagAndBulkUpdateManyItems) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(write_id("add_todo", R"({"title":"item )" + std::to_string(i) + "\"}"));
  const auto project = project_named("Plan summer trip");
  const std::string todos = "[\"" + ids[0] + "\",\"" + ids[1] + "\",\"" + ids[2] + "\"]";
  write("move", R"({"ids":)" + todos + R"(,"project":")" + project + "\"}");
  for (const auto& id : ids) EXPECT_EQ(column(id, "project"), project);
  // Projects and to-dos together: a project moves to a list as its schedule.
  const std::string mixed = "[\"" + ids[0] + "\",\"" + project + "\"]";
  write("move", R"({"ids":)" + mixed + R"(,"list":"someday"})");
  EXPECT_EQ(column(ids[0], "start"), "2");
  EXPECT_EQ(column(project, "start"), "2");

  write("add_tags", R"({"ids":)" + mixed + R"(,"tags":["Errand","Trip"]})");
  EXPECT_EQ(tags_of(ids[0]), "Errand,Trip");
  EXPECT_TRUE(contains(tags_of(project), "Trip"));
  write("remove_tags", R"({"ids":)" + mixed + R"(,"tags":["Trip"]})");
  EXPECT_EQ(tags_of(ids[0]), "Errand");
  EXPECT_FALSE(contains(tags_of(project), "Trip"));

  const auto calls = sim_calls();
  write("bulk_update", R"({"ids":)" + todos + R"(,"when":"today","deadline":"2034-02-02","add_tags":["Home"]})");
  EXPECT_EQ(sim_calls(), calls + 1);
  for (const auto& id : ids) {
    EXPECT_EQ(column(id, "startDate"), today_packed());
    EXPECT_EQ(column(id, "deadline"), std::to_string(things::pack_date({2034, 2, 2})));
    EXPECT_TRUE(contains(tags_of(id), "Home"));
  }
}

TEST_F(Writes, TrashAndRestore) {
  const auto id = write_id("add_todo", R"({"title":"Throw away"})");
  write("trash", R"({"ids":[")" + id + "\"]}");
  EXPECT_EQ(column(id, "trashed"), "1");
  EXPECT_TRUE(contains(text_of(t->tool(next_id++, "get_trash")["result"]["structuredContent"]), id));
  EXPECT_FALSE(contains(text_of(t->tool(next_id++, "get_inbox")["result"]["structuredContent"]), id));
  auto r = write("restore", R"({"ids":[")" + id + "\"]}");
  EXPECT_FALSE(r["result"]["structuredContent"]["items"][0]["trashed"].GetBool());
  EXPECT_EQ(column(id, "trashed"), "0");
  EXPECT_TRUE(contains(text_of(t->tool(next_id++, "get_inbox")["result"]["structuredContent"]), id));
}

// issue 16: writing into a trashed project succeeded and the item was lost to every view;
// takt refuses before anything is queued (things-sim refuses too, like Things would).
TEST_F(Writes, ATrashedProjectTakesNoNewItems) {
  // A project with a heading (the demo data's: Things' AppleScript cannot make headings).
  const auto project = project_named("Website relaunch");
  const auto heading = heading_named("Design");
  const auto loose = write_id("add_todo", R"({"title":"Loose"})");
  write("trash", R"({"ids":[")" + project + "\"]}");
  const auto calls = sim_calls();
  const auto expect_refused = [&](const std::string& tool, const std::string& args, const std::string& message) {
    const auto text = failure(tool, args);
    EXPECT_TRUE(contains(text, message)) << tool << " " << args << ": " << text;
  };
  const std::string in_trash = "'" + project + "' is in the Trash; restore it first (restore {\"ids\":[\"" + project + "\"]})";
  expect_refused("add_todo", R"({"title":"t","project":")" + project + "\"}", "project: " + in_trash);
  expect_refused("add_todo", R"({"title":"t","heading":")" + heading + "\"}",
                 "heading: the project of '" + heading + "' ('" + project + "') is in the Trash");
  expect_refused("update_todo", R"({"id":")" + loose + R"(","project":")" + project + "\"}", "project: " + in_trash);
  expect_refused("move", R"({"ids":[")" + loose + R"("],"project":")" + project + "\"}", "project: " + in_trash);
  EXPECT_EQ(sim_calls(), calls);  // refused before queueing
  EXPECT_EQ(sql("SELECT count(*) FROM TMTask WHERE title IN ('t', 'h')"), "0");
  // Reading the trashed project's items says why nothing shows, instead of answering [].
  for (const char* tool : {"get_todos", "get_headings"}) {
    auto r = t->tool(next_id++, tool, R"({"project":")" + project + "\"}");
    ASSERT_TRUE(r["result"]["isError"].GetBool()) << tool << ": " << text_of(r);
    EXPECT_TRUE(contains(r["result"]["content"][0]["text"].GetString(), "is in the Trash")) << text_of(r);
  }
  write("restore", R"({"ids":[")" + project + "\"]}");
  write("add_todo", R"({"title":"t","project":")" + project + "\"}");
}

// issue 16: `compact` dropped `evening`, so a model using it could not see This Evening.
TEST_F(Writes, CompactItemsShowThisEvening) {
  const auto evening = write_id("add_todo", R"({"title":"Read a chapter","when":"evening"})");
  const auto day = write_id("add_todo", R"({"title":"Post the letter","when":"today"})");
  auto r = t->tool(next_id++, "get_today", R"({"compact":true,"limit":1000})");
  bool seen_evening = false, seen_day = false;
  for (const auto& i : r["result"]["structuredContent"]["items"].GetArray()) {
    const std::string id = i["id"].GetString();
    if (id == evening) seen_evening = i.HasMember("evening") && i["evening"].GetBool();
    if (id == day) seen_day = !i.HasMember("evening");
    EXPECT_FALSE(i.HasMember("notes")) << text_of(i);
  }
  EXPECT_TRUE(seen_evening) << text_of(r);
  EXPECT_TRUE(seen_day) << text_of(r);
}

// issue 16: filtering by a parent tag left out items tagged with its child tags (in Things,
// a parent tag's filter includes its children).
TEST_F(Writes, AParentTagMatchesItsChildTags) {
  write("create_tag", R"({"title":"Deep work","parent":"Work"})");
  write("create_tag", R"({"title":"Focus","parent":"Deep work"})");
  const auto child = write_id("add_todo", R"({"title":"Write the spec","tags":["Deep work"]})");
  const auto grandchild = write_id("add_todo", R"({"title":"Plan the week","tags":["Focus"]})");
  const auto other = write_id("add_todo", R"({"title":"Unrelated","tags":["Home"]})");
  for (const std::string& call : {std::string(R"({"tag":"Work","limit":1000})")}) {
    const auto todos = text_of(t->tool(next_id++, "get_todos", call)["result"]["structuredContent"]);
    EXPECT_TRUE(contains(todos, child)) << todos;
    EXPECT_TRUE(contains(todos, grandchild)) << todos;
    EXPECT_FALSE(contains(todos, other)) << todos;
  }
  const auto found = text_of(t->tool(next_id++, "search_advanced", R"({"tag":"work","limit":1000})")["result"]);
  EXPECT_TRUE(contains(found, child)) << found;
  EXPECT_TRUE(contains(found, grandchild)) << found;
  EXPECT_FALSE(contains(found, other)) << found;
  // The child tag alone does not match its parent's items.
  const auto narrow = text_of(t->tool(next_id++, "get_todos", R"({"tag":"Focus"})")["result"]);
  EXPECT_TRUE(contains(narrow, grandchild)) << narrow;
  EXPECT_FALSE(contains(narrow, child)) << narrow;
}

// issue 16: remove_tags with one unknown tag failed the whole item (the known tag stayed)
// and repeated "no such tag" once per id without naming it.
TEST_F(Writes, RemovingAnUnknownTagIsRefusedOnceNamingIt) {
  const auto a = write_id("add_todo", R"({"title":"A","tags":["Home","Errand"]})");
  const auto b = write_id("add_todo", R"({"title":"B","tags":["Home"]})");
  const auto calls = sim_calls();
  const auto text = failure("remove_tags", R"({"ids":[")" + a + R"(",")" + b + R"("],"tags":["home","Nope","Nada"]})");
  EXPECT_TRUE(contains(text, "tags: no tag is called 'Nope', 'Nada' (get_tags lists them); nothing was changed")) << text;
  EXPECT_EQ(text.find("Nope"), text.rfind("Nope")) << text;  // named once
  EXPECT_TRUE(contains(failure("update_todo", R"({"id":")" + a + R"(","remove_tags":["Nope"]})"),
                       "remove_tags: no tag is called 'Nope'"));
  EXPECT_EQ(sim_calls(), calls);  // refused before queueing
  EXPECT_EQ(tags_of(a), "Errand,Home");
  write("remove_tags", R"({"ids":[")" + a + R"(",")" + b + R"("],"tags":["home"]})");
  EXPECT_EQ(tags_of(a), "Errand");
  EXPECT_EQ(tags_of(b), "");
}

// issue 16: tools.md said `0d` finds nothing; it covers today.
TEST_F(Writes, ZeroDaysIsToday) {
  const auto id = write_id("add_todo", R"({"title":"Made today"})");
  const auto found = text_of(t->tool(next_id++, "search_advanced", R"({"created_within":"0d","limit":1000})")["result"]);
  EXPECT_TRUE(contains(found, id)) << found;
}

// issue 16: there was no way to check off one checklist item (replacing the checklist
// reopened every item); checklist_items carries each item's state, confirmed in the database.
TEST_F(Writes, ChecklistItemsCanBeCheckedOff) {
  const auto id = write_id("add_todo", R"({"title":"Launch","checklist":["Outline","Screenshots","Publish"]})");
  write("update_todo", R"({"id":")" + id +
                           R"(","checklist_items":[{"title":"Outline","completed":true},{"title":"Screenshots"},)"
                           R"({"title":"Publish","completed":false}]})");
  EXPECT_EQ(sql("SELECT group_concat(title || ':' || status, '|') FROM (SELECT title, status FROM TMChecklistItem "
                "WHERE task = '" + id + "' ORDER BY \"index\")"),
            "Outline:3|Screenshots:0|Publish:0");
  const auto shown = item(id);
  ASSERT_EQ(shown["checklist"].Size(), 3u);
  EXPECT_STREQ(shown["checklist"][0]["status"].GetString(), "completed");
  EXPECT_STREQ(shown["checklist"][1]["status"].GetString(), "open");
  EXPECT_TRUE(contains(failure("update_todo", R"({"id":")" + id +
                                                  R"(","checklist":["x"],"checklist_items":[{"title":"x"}]})"),
                       "checklist_items: cannot go with checklist or append_checklist"));
  EXPECT_TRUE(contains(failure("update_todo", R"({"id":")" + id + R"(","checklist_items":[{"title":"x","done":true}]})"),
                       "checklist_items[0].done: is not a known argument"));
  EXPECT_TRUE(contains(failure("update_project", R"({"id":")" + project_named("Learn Italian") +
                                                     R"(","checklist_items":[]})"),
                       "checklist_items"));
}

TEST_F(Writes, TagsAndAreas) {
  // Things' AppleScript cannot set a tag's keyboard shortcut: refused, naming it.
  EXPECT_TRUE(contains(failure("create_tag", R"({"title":"Deep work","shortcut":"d"})"), "shortcut"));
  const auto tag = write_id("create_tag", R"({"title":"Deep work","parent":"Work"})");
  EXPECT_EQ(sql("SELECT title FROM TMTag WHERE uuid = '" + tag + "'"), "Deep work");
  EXPECT_EQ(sql("SELECT p.title FROM TMTag t JOIN TMTag p ON p.uuid = t.parent WHERE t.uuid = '" + tag + "'"), "Work");
  EXPECT_TRUE(contains(text_of(t->tool(next_id++, "get_tags")["result"]["structuredContent"]), "Deep work"));
  EXPECT_TRUE(contains(failure("create_tag", R"({"title":"deep WORK"})"), "exists"));

  const auto area = write_id("create_area", R"({"title":"Health","tags":["Important","Gym"]})");
  EXPECT_EQ(sql("SELECT title FROM TMArea WHERE uuid = '" + area + "'"), "Health");
  EXPECT_EQ(sql("SELECT count(*) FROM TMAreaTag WHERE areas = '" + area + "'"), "2");
  EXPECT_TRUE(contains(text_of(t->tool(next_id++, "get_areas")["result"]["structuredContent"]), area));
}

TEST_F(Writes, AWriteThatDidNotTakeEffectIsAnErrorNamingIt) {
  const auto before = sql("SELECT count(*) || '/' || max(userModificationDate) FROM TMTask");
  EXPECT_TRUE(contains(failure("update_todo", R"({"id":"NoSuchIdAtAll00000000","title":"x"})"),
                       "NoSuchIdAtAll00000000"));
  EXPECT_TRUE(contains(failure("trash", R"({"ids":["NoSuchIdAtAll00000000"]})"), "no such"));
  EXPECT_EQ(sql("SELECT count(*) || '/' || max(userModificationDate) FROM TMTask"), before);

  // Of many ids, those that exist are done, and the answer says which did not.
  const auto id = write_id("add_todo", R"({"title":"real one"})");
  const auto text = failure("complete", R"({"ids":[")" + id + R"(","NoSuchIdAtAll00000000"]})");
  EXPECT_TRUE(contains(text, "1 of 2 did not take effect")) << text;
  EXPECT_TRUE(contains(text, "NoSuchIdAtAll00000000")) << text;
  EXPECT_TRUE(contains(text, "Done: " + id)) << text;
  EXPECT_EQ(column(id, "status"), "3");
  // A to-do update on a project is refused before anything runs, by name: Things'
  // AppleScript would find the project through `to do id` and edit it.
  EXPECT_TRUE(contains(failure("update_todo", R"({"id":")" + project_named("Learn Italian") + R"(","title":"x"})"),
                       "is a project; use update_project"));
  EXPECT_TRUE(contains(failure("update_project", R"({"id":")" + id + R"(","title":"x"})"),
                       "is a to-do; use update_todo"));
  EXPECT_EQ(column(project_named("Learn Italian"), "title"), "Learn Italian");
}

TEST_F(Writes, ArgumentsAreCheckedAgainstTheSchemaAndTheirMeaning) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"title":"x"})", "id"},  // update_todo without its id
      {R"({"id":"a","title":""})", "title"},
      {R"({"id":"a","when":"soon"})", "when"},
      {R"({"id":"a","when":"today","list":"someday"})", "when and list"},
      {R"({"id":"a","reminder":"25:00"})", "reminder"},
      {R"({"id":"a","deadline":"2024-02-30"})", "deadline"},
      {R"({"id":"a","notes":"x","append_notes":"y"})", "notes"},
      {R"({"id":"a","tags":["x"],"add_tags":["y"]})", "tags"},
      {R"({"id":"a","add_tags":["x"],"remove_tags":["x"]})", "add_tags and remove_tags"},
      {R"({"id":"a","checklist":["x"],"append_checklist":["y"]})", "checklist"},
      {R"({"id":"a","area":"A","project":"P"})", "area"},
      {R"({"id":"a","colour":"red"})", "colour"},
      {R"({"id":"a"})", "at least one field"},
      {R"({"id":"a","title":"nul\u0000inside"})", "title: must not hold the NUL character"},
  };
  for (const auto& [args, field] : cases) {
    SCOPED_TRACE(args);
    const auto text = failure("update_todo", args);
    EXPECT_TRUE(contains(text, "Invalid arguments")) << text;
    EXPECT_TRUE(contains(text, field)) << text;
  }
  EXPECT_TRUE(contains(failure("complete", R"({"ids":[]})"), "ids"));
  EXPECT_TRUE(contains(failure("complete", R"({"ids":["a","a"]})"), "given twice"));
  EXPECT_TRUE(contains(failure("move", R"({"ids":["a"],"list":"today","area":"b"})"), "exactly one destination"));
  EXPECT_TRUE(contains(failure("add_tags", R"({"ids":["a"]})"), "tags"));
  EXPECT_TRUE(contains(failure("add_todo", R"({"title":"x","reminder":"09:00"})"), "reminder: needs 'when'"));
  EXPECT_EQ(sim_calls(), 0);  // nothing reached Things
}

// ---- the confirmation step, fed results that claim more than the database shows ------------

TEST(Confirm, AReportedWriteTheDatabaseDoesNotShowIsAnError) {
  TempDir dir;
  const auto db_path = dir.file("things.sqlite");
  ASSERT_EQ(run(std::string(THINGS_SIM_BINARY) + " --db " + db_path + " --init"), 0);
  const auto existing = sql_value(db_path, "SELECT uuid FROM TMTask WHERE type = 0 AND status = 0 AND trashed = 0 "
                                           "AND deadline IS NULL AND start = 1 AND startDate IS NULL LIMIT 1");
  const auto title = sql_value(db_path, "SELECT title FROM TMTask WHERE uuid = '" + existing + "'");
  things::ThingsDb db(db_path, 1, &things::local_today);
  // The URL scheme's auth token, as Things keeps it in TMSettings.
  EXPECT_EQ(db.auth_token(), sql_value(db_path, "SELECT uriSchemeAuthenticationToken FROM TMSettings"));
  EXPECT_FALSE(db.auth_token().value_or("").empty());

  // Things said "created" with an id that is nowhere.
  things::AddTodo add;
  add.title = "ghost";
  EXPECT_TRUE(contains(things::verify(db, add, "GhostIdGhostIdGhostId0").value_or(""), "no item with the id"));
  // Things said "done" on a real item, but the change is not there.
  things::UpdateTodo update;
  update.id = existing;
  update.title = "renamed";
  update.deadline = things::Clearable::set("2030-01-01");
  update.when = things::Clearable::set("someday");
  const auto problem = things::verify(db, update, existing).value_or("");
  EXPECT_TRUE(contains(problem, "title: asked for 'renamed'")) << problem;
  EXPECT_TRUE(contains(problem, "deadline: asked for 2030-01-01, the database has none")) << problem;
  EXPECT_TRUE(contains(problem, "when: asked for 'someday'")) << problem;
  EXPECT_FALSE(things::verify(db, things::SetStatus{existing, things::Status::Open}, existing));
  EXPECT_TRUE(things::verify(db, things::SetStatus{existing, things::Status::Completed}, existing));
  EXPECT_TRUE(things::verify(db, things::SetTrashed{existing, true}, existing));
  things::UpdateTodo same;
  same.title = title;
  EXPECT_FALSE(things::verify(db, same, existing));

  // The tool's answer: an isError result, never a success.
  const auto* complete = things::find_tool("complete");
  const std::vector<things::Operation> ops = {things::SetStatus{existing, things::Status::Completed}};
  auto answer = things::confirm_write(db, *complete, ops, {things::OpResult{true, existing, {}, {}}});
  EXPECT_FALSE(answer.ok);
  EXPECT_TRUE(contains(answer.result, "\"isError\":true"));
  EXPECT_TRUE(contains(answer.result, "did not take effect: status: asked for completed, the database has open"))
      << answer.result;
  auto reopened = things::confirm_write(db, *things::find_tool("reopen"),
                                        {things::SetStatus{existing, things::Status::Open}},
                                        {things::OpResult{true, existing, {}, {}}});
  EXPECT_TRUE(reopened.ok) << reopened.result;
}

// Scripts that die mid-way (things-sim killed before, inside or after its transaction):
// every write of every kind is still answered, and a success is only what the database
// shows (the lane's read-back checks each operation on the item it names).
TEST(WritesUnderCrashes, EveryAnswerAgreesWithTheDatabase) {
  TempDir dir;
  const auto db = dir.file("things.sqlite");
  ::setenv("THINGS_SIM_CRASH_RATE", "0.5", 1);
  Takt t(dir, "backend:\n  database: " + db + "\n  sim_per_op: 0ms\n  sim_latency: 1ms\n  script_timeout: 10s\n"
                  "metrics:\n  enabled: false\n");
  t.handshake();
  const auto inbox = t.tool(1, "get_inbox");
  const std::string id = inbox["result"]["structuredContent"]["items"][0]["id"].GetString();
  int successes = 0, errors = 0;
  for (int i = 0; i < 12; ++i) {
    const bool done = i % 2 == 0;
    auto r = t.tool(10 + i, done ? "complete" : "reopen", R"({"ids":[")" + id + "\"]}");
    ASSERT_TRUE(r.HasMember("result")) << text_of(r);
    const auto status = sql_value(db, "SELECT status FROM TMTask WHERE uuid = '" + id + "'");
    if (r["result"]["isError"].GetBool()) {
      ++errors;
      EXPECT_TRUE(contains(r["result"]["content"][0]["text"].GetString(), "complete") ||
                  contains(r["result"]["content"][0]["text"].GetString(), "reopen"));
    } else {
      ++successes;
      EXPECT_EQ(status, done ? "3" : "0");
    }
  }
  ::unsetenv("THINGS_SIM_CRASH_RATE");
  EXPECT_GT(successes, 0);
  std::string stats;
  run(std::string(THINGS_SIM_BINARY) + " --db " + db + " --stats", &stats);
  EXPECT_GT(parse_json(stats)["failures"].GetInt64(), 0) << stats;  // scripts did die
  t.process().close_stdin();
  EXPECT_EQ(t.process().wait(), 0);  // takt itself survived every crash of the script
}

// issue 12: takt read a URL-scheme change back once, after `delay 1`, while Things takes
// 1-3 s (once 18 s) to show it: the write was reported as not done, the client retried,
// and the checklist was added twice. Now takt reads it back until it shows, and past
// backend.url_settle it says the change was sent and is not applied yet.
TEST(UrlSchemeWrites, AreReadBackUntilTheyShowAndOtherwiseReportedAsNotAppliedYet) {
  TempDir dir;
  const auto db = dir.file("things.sqlite");
  const auto config = [&](const std::string& lag, const std::string& settle) {
    return "backend:\n  database: " + db + "\n  sim_per_op: 0ms\n  sim_latency: 1ms\n  script_timeout: 10s\n" +
           "  sim_url_lag: " + lag + "\n  url_settle: " + settle + "\nmetrics:\n  enabled: false\n";
  };
  {
    // Slower than the old one second, well within the settle time: confirmed.
    Takt t(dir, config("1500ms", "5s"));
    t.handshake();
    auto r = t.tool(1, "add_todo", R"({"title":"packing list","checklist":["socks","charger"]})");
    ASSERT_FALSE(r["result"]["isError"].GetBool()) << text_of(r);
    const std::string id = r["result"]["structuredContent"]["id"].GetString();
    EXPECT_EQ(sql_value(db, "SELECT count(*) FROM TMChecklistItem WHERE task = '" + id + "'"), "2");
  }
  {
    // Slower than the settle time: said to be sent and not applied yet, never "did not
    // take effect", and Things applies it a moment later (nothing to send again).
    Takt t(dir, config("2500ms", "300ms"));
    t.handshake();
    auto r = t.tool(1, "add_todo", R"({"title":"late list","checklist":["tent"]})");
    ASSERT_TRUE(r["result"]["isError"].GetBool()) << text_of(r);
    const std::string text = r["result"]["content"][0]["text"].GetString();
    EXPECT_TRUE(contains(text, "was sent to Things and is not applied yet")) << text;
    EXPECT_TRUE(contains(text, "Do not send it again")) << text;
    EXPECT_FALSE(contains(text, "did not take effect")) << text;
    const auto id = sql_value(db, "SELECT uuid FROM TMTask WHERE title = 'late list'");
    for (int i = 0; i < 100 && sql_value(db, "SELECT count(*) FROM TMChecklistItem WHERE task = '" + id + "'") != "1"; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(sql_value(db, "SELECT count(*) FROM TMChecklistItem WHERE task = '" + id + "'"), "1");
  }
}

// A read answered while a URL change was still landing shows the item without it, and
// the cache kept that answer: after the write was confirmed, get_item still showed no
// checklist until the cache's time-to-live ran out. Once the change shows, the cache drops
// what it learnt meanwhile.
TEST(UrlSchemeWrites, AReadCachedWhileTheChangeWasLandingIsNotServedAfterIt) {
  TempDir dir;
  const auto db = dir.file("things.sqlite");
  Takt t(dir, "backend:\n  database: " + db + "\n  sim_per_op: 0ms\n  sim_latency: 1ms\n  script_timeout: 10s\n"
                  "  sim_url_lag: 1500ms\n  url_settle: 10s\ncache:\n  ttl: 60s\nmetrics:\n  enabled: false\n");
  t.handshake();
  auto made = t.tool(1, "add_todo", R"({"title":"trip"})");
  ASSERT_FALSE(made["result"]["isError"].GetBool()) << text_of(made);
  const std::string id = made["result"]["structuredContent"]["id"].GetString();
  const auto checklist_of = [&](int call) {
    auto r = t.tool(call, "get_item", R"({"id":")" + id + "\"}");
    const auto& item = r["result"]["structuredContent"]["item"];
    return item.HasMember("checklist") ? item["checklist"].Size() : rapidjson::SizeType{0};
  };
  t.process().send(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"update_todo","arguments":{"id":")" +
                   id + R"(","append_checklist":["passport","tickets"]}}})");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_EQ(checklist_of(3), 0u);  // not landed yet: this answer is cached
  auto w = t.await("2", std::chrono::seconds(20));
  ASSERT_FALSE(w["result"]["isError"].GetBool()) << text_of(w);
  EXPECT_EQ(checklist_of(4), 2u);
}

// issue 12: Things' AppleScript has no headings; a heading's id given to a tool that
// changes items is refused before anything runs, naming it.
TEST_F(Writes, AHeadingsIdIsRefusedByToolsThatChangeItems) {
  const auto heading = heading_named("Design");
  const auto calls = sim_calls();
  for (const char* tool : {"complete", "trash", "add_tags", "move"}) {
    std::string args = R"({"ids":[")" + heading + "\"]";
    if (std::string(tool) == "add_tags") args += R"(,"tags":["Errand"])";
    if (std::string(tool) == "move") args += R"(,"list":"someday")";
    EXPECT_TRUE(contains(failure(tool, args + "}"), "'" + heading + "' is a heading")) << tool;
  }
  EXPECT_EQ(sim_calls(), calls);
  EXPECT_EQ(column(heading, "status"), "0");
  EXPECT_EQ(column(heading, "trashed"), "0");
}

// issue 12: each operation caught every error in its own `try`, so when Things rejected an
// Apple event part-way (-1712, what it does under rapid events) osascript exited 0 and
// nothing was retried. Now Things' own errors stop the script: the lane reads back what
// happened and retries only what the database shows was not done. With one in ten of
// Things' Apple events failing, every write is answered, no to-do is made twice, every
// success is what the database holds, and scripts were retried. (A to-do made before a
// later event of its add failed is found and reported with what it lacks, not made again.)
TEST(WritesUnderRejectedEvents, AreRetriedNeverDuplicatedAndEveryAnswerAgreesWithTheDatabase) {
  TempDir dir;
  const auto db = dir.file("things.sqlite");
  ::setenv("THINGS_SIM_EVENT_FAIL_RATE", "0.1", 1);
  Takt t(dir, "backend:\n  database: " + db + "\n  sim_per_op: 0ms\n  sim_latency: 1ms\n  script_timeout: 20s\n"
                  "  retry:\n    attempts: 12\n    base_delay: 1ms\n    max_delay: 5ms\n  breaker:\n    failures: 1000\n"
                  "metrics:\n  listen: 127.0.0.1:0\nlane:\n  batch_max: 4\n");
  t.handshake();
  constexpr int kWrites = 24;
  for (int i = 0; i < kWrites; ++i) {
    const auto args = R"({"title":"event )" + std::to_string(i) + R"(","notes":"n)" + std::to_string(i) +
                      R"(","tags":["Errand"],"deadline":"2031-01-0)" + std::to_string(1 + i % 9) + "\"}";
    t.process().send(R"({"jsonrpc":"2.0","id":)" + std::to_string(100 + i) +
                     R"(,"method":"tools/call","params":{"name":"add_todo","arguments":)" + args + "}}");
  }
  int successes = 0;
  for (int i = 0; i < kWrites; ++i) {
    auto r = t.await(std::to_string(100 + i), std::chrono::seconds(60));
    ASSERT_TRUE(r.HasMember("result")) << text_of(r);
    const auto title = "event " + std::to_string(i);
    const auto rows = sql_value(db, "SELECT count(*) FROM TMTask WHERE title = '" + title + "'");
    EXPECT_TRUE(rows == "0" || rows == "1") << title << " made " << rows << " times";
    if (r["result"]["isError"].GetBool()) continue;
    ++successes;
    const std::string id = r["result"]["structuredContent"]["id"].GetString();
    EXPECT_EQ(rows, "1");
    EXPECT_EQ(sql_value(db, "SELECT notes FROM TMTask WHERE uuid = '" + id + "'"), "n" + std::to_string(i));
    EXPECT_EQ(sql_value(db, "SELECT count(*) FROM TMTaskTag WHERE tasks = '" + id + "'"), "1");
  }
  ::unsetenv("THINGS_SIM_EVENT_FAIL_RATE");
  EXPECT_GT(successes, kWrites / 4);
  const auto scrape = http_get(t.metrics_port(), "/metrics");
  const std::string busy = "\ntakt_script_retries_total{reason=\"busy\"} ";
  const auto at = scrape.find(busy);
  ASSERT_NE(at, std::string::npos) << scrape;
  EXPECT_GT(std::stod(scrape.substr(at + busy.size())), 0.0) << "Things' -1712 inside the script was retried";
  t.process().close_stdin();
  EXPECT_EQ(t.process().wait(), 0);
}
