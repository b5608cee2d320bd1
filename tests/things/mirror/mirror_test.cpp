// takt's mirror of Things read through AppleScript (things/mirror): the script run by
// things-sim, as osascript would run it against Things, and every read tool answered from
// the mirror compared with the same tool answered from the database itself, on the
// simulator's demo data, the things.py fixture and a generated heavy user's database.

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "base/json.hpp"
#include "support/fixture.hpp"
#include "support/in_zone.hpp"
#include "support/probe_dialect.hpp"
#include "support/takt_process.hpp"
#include "things/catalog/catalog.hpp"
#include "things/catalog/tools.hpp"
#include "things/catalog/verify.hpp"
#include "things/db/db.hpp"
#include "things/mirror/mirror.hpp"

using namespace takt;
using namespace takt::things;
namespace fs = std::filesystem;

namespace {

using test::TempDir;

void exec_sql(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(h, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(h);
  sqlite3_close(h);
}

/// Runs `script` with things-sim on `db`, as takt runs osascript; its stdout.
std::string run_script(const std::string& db, const std::string& script, const TempDir& dir) {
  const std::string path = dir.file("script.applescript");
  dir.write("script.applescript", script);
  std::string out;
  const int rc = test::run(std::string(THINGS_SIM_BINARY) + " --db " + db + " --latency-ms 0:0 " + path +
                               " 2>" + dir.file("stderr"),
                           &out);
  if (rc != 0) {
    std::ifstream err(dir.file("stderr"));
    std::string why((std::istreambuf_iterator<char>(err)), {});
    ADD_FAILURE() << "things-sim exited " << rc << ": " << why;
  }
  return out;
}

/// Drops, at every depth, the fields a mirror cannot know (kUnavailable).
void drop_unavailable(rapidjson::Value& v) {
  if (v.IsObject()) {
    for (const char* key : kUnavailable) {
      if (v.HasMember(key)) v.EraseMember(v.FindMember(key));  // keeps the other members' order
    }
    for (auto& m : v.GetObject()) drop_unavailable(m.value);
  } else if (v.IsArray()) {
    for (auto& e : v.GetArray()) drop_unavailable(e);
  }
}


std::string text_of(const rapidjson::Value& v) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  v.Accept(w);
  return b.GetString();
}

/// One item as the mirror can show it: where it was started is known for open items that
/// are in a list only, the project and area of what is in the Trash not at all.
void normalize_item(rapidjson::Value& item) {
  const bool open = item.HasMember("status") && item["status"] == "open";
  const bool trashed = item.HasMember("trashed") && item["trashed"].IsTrue();
  if (item.HasMember("start") && (!open || trashed)) item.EraseMember(item.FindMember("start"));
  if (trashed)
    for (const char* key : {"project", "project_title", "area", "area_title"})
      if (item.HasMember(key)) item.EraseMember(item.FindMember(key));
}

/// A project's to-dos, under its headings or not, as one list in the order of their ids:
/// without headings, AppleScript lists them all as the project's.
void merge_headings(rapidjson::Value& item, rapidjson::Document::AllocatorType& alloc) {
  if (!item.HasMember("todos") || !item["todos"].IsArray()) return;
  if (item.HasMember("headings") && item["headings"].IsArray()) {
    for (auto& h : item["headings"].GetArray())
      if (h.HasMember("todos"))
        for (auto& t : h["todos"].GetArray()) item["todos"].PushBack(rapidjson::Value(t, alloc), alloc);
    item["headings"].Clear();
  }
  auto& todos = item["todos"];
  std::sort(todos.Begin(), todos.End(), [](const rapidjson::Value& a, const rapidjson::Value& b) {
    return std::string(a["id"].GetString()) < b["id"].GetString();
  });
}

void normalize(rapidjson::Value& v, rapidjson::Document::AllocatorType& alloc) {
  if (v.IsObject()) {
    if (v.HasMember("status")) normalize_item(v);
    merge_headings(v, alloc);
    for (auto& m : v.GetObject()) normalize(m.value, alloc);
  } else if (v.IsArray()) {
    for (auto& e : v.GetArray()) normalize(e, alloc);
  }
}

/// An answer as the mirror can give it: without what AppleScript does not show. From the
/// database's answer, `from_database` drops the headings from the lists (with their count).
std::string canonical(const std::string& text, bool from_database) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  if (d.HasParseError()) return "(not JSON) " + text;
  drop_unavailable(d);
  normalize(d, d.GetAllocator());
  if (from_database && d.IsObject() && d.HasMember("items") && d["items"].IsArray()) {
    auto& items = d["items"];
    long long dropped = 0;
    for (auto it = items.Begin(); it != items.End();) {
      if (it->IsObject() && it->HasMember("type") && (*it)["type"] == "heading") {
        it = items.Erase(it);
        ++dropped;
      } else {
        ++it;
      }
    }
    for (const char* n : {"count", "total"})
      if (d.HasMember(n) && d[n].IsInt64()) d[n].SetInt64(d[n].GetInt64() - dropped);
  }
  return text_of(d);
}

/// The first item where two list answers differ, or the whole answers.
std::string first_difference(const std::string& a, const std::string& b) {
  rapidjson::Document x, y;
  x.Parse(a.c_str());
  y.Parse(b.c_str());
  if (x.IsObject() && y.IsObject() && x.HasMember("items") && y.HasMember("items")) {
    const auto& i = x["items"];
    const auto& j = y["items"];
    for (rapidjson::SizeType k = 0; k < std::min(i.Size(), j.Size()); ++k)
      if (i[k] != j[k]) return "item " + std::to_string(k) + ":\n  mirror:   " + text_of(i[k]) + "\n  database: " + text_of(j[k]);
    if (i.Size() != j.Size())
      return "mirror has " + std::to_string(i.Size()) + " items, database " + std::to_string(j.Size());
  }
  return "\n  mirror:   " + a.substr(0, 3000) + "\n  database: " + b.substr(0, 3000);
}



std::string read_page(ThingsDb& db, const std::string& tool, const rapidjson::Value& args) {
  try {
    return run_read(*find_tool(tool), args, db);
  } catch (const std::exception& e) {
    return std::string("error: ") + e.what();
  }
}

/// The tool's answer; for a list, every page of it (1000 at a time) as one answer.
std::string read(ThingsDb& db, const std::string& tool, const std::string& args) {
  rapidjson::Document a;
  a.Parse(args.c_str());
  if (a.HasParseError() || !a.IsObject()) throw std::invalid_argument("the test's arguments are not a JSON object: " + args);
  if (!a.HasMember("limit")) return read_page(db, tool, a);
  a["limit"].SetInt(1000);
  rapidjson::Document all;
  for (long long offset = 0;; offset += 1000) {
    if (a.HasMember("offset")) a.EraseMember("offset");
    a.AddMember("offset", rapidjson::Value(static_cast<int64_t>(offset)), a.GetAllocator());
    const std::string text = read_page(db, tool, a);
    rapidjson::Document page;
    page.Parse(text.c_str());
    if (page.HasParseError() || !page.IsObject() || !page.HasMember("items") || !page.HasMember("total")) return text;
    if (offset == 0) {
      all.CopyFrom(page, all.GetAllocator());
    } else {
      for (auto& item : page["items"].GetArray()) all["items"].PushBack(rapidjson::Value(item, all.GetAllocator()), all.GetAllocator());
      all["count"].SetInt64(all["items"].Size());
    }
    if (offset + 1000 >= page["total"].GetInt64()) break;
  }
  return text_of(all);
}

/// Every read tool, with arguments that make its answer hold something on most databases;
/// the ids and names are the database's first project, area and tag, and a few items.
std::vector<std::pair<std::string, std::string>> calls(const std::string& db) {
  const std::string project = test::sql_value(db, "SELECT uuid FROM TMTask WHERE type = 1 AND trashed = 0 AND status = 0 "
                                                  "AND rt1_recurrenceRule IS NULL ORDER BY \"index\" LIMIT 1");
  const std::string area = test::sql_value(db, "SELECT uuid FROM TMArea ORDER BY \"index\" LIMIT 1");
  // A tag's title may hold anything (the hostile test gives it tabs and line breaks).
  const std::string tag = json::quote(test::sql_value(db, "SELECT title FROM TMTag ORDER BY \"index\" LIMIT 1"));
  std::vector<std::pair<std::string, std::string>> out = {
      {"get_todos", R"({"limit":500,"project":")" + project + "\"}"},
      {"get_todos", R"({"limit":500,"area":")" + area + "\"}"},
      {"get_todos", R"({"limit":500,"tag":)" + tag + "}"},
      {"search_advanced", R"({"status":"completed","limit":500})"},
      {"search_advanced", R"({"tag":)" + tag + R"(,"type":"to-do","limit":500})"},
      {"get_item", R"({"id":")" + project + "\"}"},
      {"get_item", R"({"id":")" + area + "\"}"},
  };
  for (const char* status : {"0", "2", "3"}) {
    const std::string id = test::sql_value(db, std::string("SELECT uuid FROM TMTask WHERE type = 0 AND trashed = 0 AND "
                                                           "rt1_recurrenceRule IS NULL AND status = ") + status +
                                                   " ORDER BY \"index\" LIMIT 1");
    if (!id.empty()) out.push_back({"get_item", R"({"id":")" + id + "\"}"});
  }
  for (auto& c : std::vector<std::pair<std::string, std::string>>{
      {"get_inbox", R"({"limit":500})"},
      {"get_today", R"({"limit":500})"},
      {"get_upcoming", R"({"limit":500})"},
      {"get_anytime", R"({"limit":500})"},
      {"get_someday", R"({"limit":500})"},
      {"get_logbook", R"({"period":"100y","limit":500})"},
      {"get_trash", R"({"limit":500})"},
      {"get_projects", R"({"limit":500})"},
      {"get_areas", "{}"},
      {"get_tags", "{}"},
      {"get_todos", R"({"limit":500})"},
      {"search", R"({"query":"a","limit":500})"},
      {"get_recent", R"({"period":"100y","limit":500})"},
      {"get_due", R"({"days":100000,"limit":500})"},
      {"get_summary", "{}"},
      {"get_anytime", R"({"limit":500,"compact":true})"},
  })
    out.push_back(std::move(c));
  return out;
}

/// How many headings the database shows in a list (the mirror cannot: no headings in AppleScript).
long long headings_in(ThingsDb& db, const std::string& tool, const std::string& args = R"({"limit":1000})") {
  rapidjson::Document d;
  d.Parse(read(db, tool, args).c_str());
  long long headings = 0;
  if (d.IsObject() && d.HasMember("items"))
    for (const auto& item : d["items"].GetArray()) headings += item["type"] == "heading" ? 1 : 0;
  return headings;
}

/// get_summary's counts from the database, less the headings its lists hold.
std::string summary_without_headings(ThingsDb& db, const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  for (const auto& [key, tool] : std::vector<std::pair<const char*, const char*>>{
           {"inbox", "get_inbox"}, {"today", "get_today"}, {"upcoming", "get_upcoming"}, {"anytime", "get_anytime"},
           {"someday", "get_someday"}, {"trash", "get_trash"}}) {
    if (d.IsObject() && d.HasMember(key)) d[key].SetInt64(d[key].GetInt64() - headings_in(db, tool));
  }
  if (d.IsObject() && d.HasMember("logbook_last_7_days"))
    d["logbook_last_7_days"].SetInt64(d["logbook_last_7_days"].GetInt64() -
                                      headings_in(db, "get_logbook", R"({"limit":1000,"period":"7d"})"));
  return text_of(d);
}

class MirrorVsDatabase : public ::testing::Test {
 protected:
  /// Compares every read tool on `db_path` with the mirror read from it.
  void compare(const std::string& db_path) {
    // AppleScript's dates hold whole seconds: so do the times of the database compared,
    // or items stopped within one second would be ordered by the part AppleScript drops.
    // And where Things' order ties (items of one index), the mirror has the order AppleScript
    // lists them in, not the database path's tie-break by id: the compared database holds
    // its order without ties (each index its rank in Things' order).
    exec_sql(db_path,
             "UPDATE TMTask SET stopDate = CAST(stopDate AS INTEGER), creationDate = CAST(creationDate AS INTEGER), "
             "userModificationDate = CAST(userModificationDate AS INTEGER); UPDATE TMTask SET \"index\" = r.rank FROM "
             "(SELECT rowid AS id, row_number() OVER (ORDER BY \"index\", rowid) AS rank FROM TMTask) AS r "
             "WHERE TMTask.rowid = r.id");
    const std::string out = run_script(db_path, mirror_script(), dir_);
    Mirror mirror = Mirror::load(out);
    ThingsDb real(db_path, 1, &local_today);
    ThingsDb mirrored(mirror.connection(), &local_today);
    for (const auto& [tool, args] : calls(db_path)) {
      SCOPED_TRACE(tool + " " + args);
      const std::string from_mirror = canonical(read(mirrored, tool, args), false);
      std::string from_database = canonical(read(real, tool, args), true);
      if (tool == "get_summary") from_database = summary_without_headings(real, from_database);
      EXPECT_TRUE(from_mirror == from_database) << first_difference(from_mirror, from_database);
    }
  }

  test::InZone utc_{"UTC"};
  TempDir dir_;
};

}  // namespace

TEST_F(MirrorVsDatabase, TheSimulatorsDemoData) {
  const std::string db = dir_.file("demo.sqlite");
  ASSERT_EQ(test::run(std::string(THINGS_SIM_BINARY) + " --init --db " + db), 0);
  compare(db);
}

TEST_F(MirrorVsDatabase, TheThingsPyFixture) {
  TAKT_NEEDS_FIXTURE(THINGS_FIXTURE);
  const std::string db = dir_.file("fixture.sqlite");
  fs::copy_file(THINGS_FIXTURE, db);
  compare(db);
}

TEST_F(MirrorVsDatabase, AGeneratedHeavyUsersDatabase) {
  const std::string db = dir_.file("generated.sqlite");
  ASSERT_EQ(test::run(std::string(THINGS_SIM_BINARY) + " --generate 5000 --seed 7 --today " + iso_date(local_today()) +
                      " --db " + db),
            0);
  compare(db);
}

// Titles, notes and tag names holding the format's own separators and escapes, lines that
// look like its lines, quotes and characters outside ASCII: the mirror holds them as
// they are (the script escapes each text, so none can end a field or a line).
TEST_F(MirrorVsDatabase, TextThatLooksLikeTheFormatStaysText) {
  const std::string db = dir_.file("hostile.sqlite");
  ASSERT_EQ(test::run(std::string(THINGS_SIM_BINARY) + " --init --db " + db), 0);
  exec_sql(db,
           "UPDATE TMTask SET title = 'tab\there' || char(10) || 'end' || char(10) || 'T\tforged' WHERE rowid = "
           "(SELECT min(rowid) FROM TMTask WHERE type = 0 AND start = 0);"
           "UPDATE TMTask SET notes = 'back\\slash \\n \\t \\\\ ' || char(13) || char(10) || 'caf\xC3\xA9 \"quoted\" \xF0\x9F\x93\x8C'"
           " WHERE rowid = (SELECT max(rowid) FROM TMTask WHERE type = 0 AND start = 0);"
           "UPDATE TMTag SET title = 'Tag\twith' || char(10) || 'g\tline' WHERE rowid = (SELECT min(rowid) FROM TMTag);"
           "UPDATE TMArea SET title = 'Area \\ with ' || char(9) || ' tab' WHERE rowid = (SELECT min(rowid) FROM TMArea);");
  compare(db);
  // And the mirror's text is the database's, byte for byte.
  Mirror mirror = Mirror::load(run_script(db, mirror_script(), dir_));
  for (const char* sql : {"SELECT group_concat(title || '|' || notes, '#') FROM (SELECT title, notes FROM TMTask ORDER BY uuid)",
                          "SELECT group_concat(title, '#') FROM (SELECT title FROM TMTag ORDER BY uuid)",
                          "SELECT group_concat(title, '#') FROM (SELECT title FROM TMArea ORDER BY uuid)"}) {
    sqlite3_stmt* s = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(mirror.connection(), sql, -1, &s, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
    const std::string mirrored = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    std::string real_sql = sql;
    // The database also holds what AppleScript does not list (headings, templates).
    if (real_sql.find("TMTask") != std::string::npos)
      real_sql.replace(real_sql.find("FROM TMTask"), 11, "FROM TMTask WHERE type != 2 AND rt1_recurrenceRule IS NULL");
    EXPECT_EQ(mirrored, test::sql_value(db, real_sql)) << sql;
  }
}

// A write checked through Things' AppleScript (takt cannot read the database): what the
// mirror shows is compared as the database's would be, and what it cannot show (here the
// checklist) is named as unconfirmed, neither passed as confirmed nor failed.
TEST_F(MirrorVsDatabase, AWriteIsCheckedThroughTheMirror) {
  const std::string db = dir_.file("demo.sqlite");
  ASSERT_EQ(test::run(std::string(THINGS_SIM_BINARY) + " --init --db " + db), 0);
  std::string id, title;
  {
    ThingsDb real(db, 1, &local_today);
    rapidjson::Document inbox;
    inbox.Parse(real.inbox(ListArgs{}).c_str());
    id = inbox["items"][0]["id"].GetString();
    title = inbox["items"][0]["title"].GetString();
  }
  Mirror mirror = Mirror::load(run_script(db, mirror_script(), dir_));
  ThingsDb mirrored(mirror.connection(), &local_today, ThingsDb::Borrowed::Frozen);

  UpdateTodo asked;
  asked.id = id;
  asked.title = title;
  asked.checklist = std::vector<std::string>{"a step AppleScript cannot show"};
  std::vector<std::string> unconfirmed;
  EXPECT_EQ(verify(mirrored, asked, id, Sight::AppleScript, &unconfirmed), std::nullopt);
  EXPECT_EQ(unconfirmed, std::vector<std::string>{"checklist"});
  // The same mirror read as if it showed everything: its empty checklist fails the check.
  EXPECT_NE(verify(mirrored, asked, id).value_or("").find("checklist"), std::string::npos);

  asked.title = "a title Things does not have";
  const auto problem = verify(mirrored, asked, id, Sight::AppleScript).value_or("");
  EXPECT_NE(problem.find("title: asked for 'a title Things does not have', Things has '" + title + "'"),
            std::string::npos)
      << problem;
  EXPECT_NE(verify(mirrored, SetStatus{"NoSuchIdNoSuchIdNoSuch", Status::Completed}, "NoSuchIdNoSuchIdNoSuch",
                   Sight::AppleScript)
                .value_or("")
                .find("is in Things"),
            std::string::npos);

  asked.title = title;
  const auto answer = confirm_write(mirrored, *find_tool("update_todo"), {asked}, {OpResult{true, id, {}, {}}}, {},
                                    Sight::AppleScript);
  EXPECT_TRUE(answer.ok) << answer.result;
  EXPECT_NE(answer.result.find("confirmed through Things' AppleScript"), std::string::npos) << answer.result;
  EXPECT_NE(answer.result.find(R"("unconfirmed":["checklist"])"), std::string::npos) << answer.result;
}

// The mirror's script in parts (run after a batch's writes, in their own script) prints
// what the whole script prints.
TEST_F(MirrorVsDatabase, TheScriptsPartsPrintWhatTheWholeScriptPrints) {
  const std::string db = dir_.file("demo.sqlite");
  ASSERT_EQ(test::run(std::string(THINGS_SIM_BINARY) + " --init --db " + db), 0);
  const auto& parts = mirror_script_parts();
  EXPECT_EQ(mirror_script().rfind(parts.handlers, 0), 0u);
  const std::string whole = run_script(db, mirror_script(), dir_);
  const std::string in_parts = run_script(db, parts.handlers + parts.body + "return " + parts.result + "\n", dir_);
  ASSERT_FALSE(whole.empty());
  // The first line holds the time the script ran, to the second.
  EXPECT_EQ(whole.substr(whole.find('\n')), in_parts.substr(in_parts.find('\n')));
}
