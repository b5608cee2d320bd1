// The read tools on heavy databases made by things-sim's generator (sim/generate.hpp):
//   - the generator is deterministic for a seed and has the shape it promises;
//   - Things' lists hold the same items in the same order as things.py reads them, item for
//     item, on databases of several sizes (the reference is SQL that mirrors things.py's
//     documented queries, with takt's documented differences: docs/tools.md);
//   - no read does work that grows faster than the database: the SQLite virtual machine
//     steps of every read tool, counted at two sizes, grow about as the database does (a
//     correlated count per area or per tag grew with their product). No timings here: those
//     are the benchmark's (bench/read_scale.cpp).
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cstdlib>
#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "generate.hpp"
#include "things/catalog/catalog.hpp"
#include "things/db/db.hpp"
#include "things/catalog/tools.hpp"

namespace {

namespace fs = std::filesystem;
namespace things = takt::things;
namespace sim = takt::sim;

const sim::Date kToday{std::chrono::year{2026}, std::chrono::month{6}, std::chrono::day{17}};
const things::Date kThingsToday{2026, 6, 17};

/// A fresh temporary directory, removed at the end.
class TempDir {
 public:
  TempDir() {
    char templ[] = "/tmp/takt-read-scale-XXXXXX";
    if (!mkdtemp(templ)) throw std::runtime_error("mkdtemp failed");
    dir_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string file(const std::string& name) const { return (dir_ / name).string(); }

 private:
  fs::path dir_;
};

/// A database generated once per size for the whole test binary.
const std::string& generated(std::int64_t items) {
  static TempDir dir;
  static std::map<std::int64_t, std::string> made;
  auto it = made.find(items);
  if (it != made.end()) return it->second;
  const std::string path = dir.file("g" + std::to_string(items) + ".sqlite");
  sim::generate_database(path, {items, 42, kToday});
  return made.emplace(items, path).first->second;
}

/// A read-only connection of the test's own.
class Conn {
 public:
  explicit Conn(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK)
      throw std::runtime_error("cannot open " + path);
  }
  ~Conn() { sqlite3_close_v2(db_); }
  sqlite3* get() const { return db_; }
  std::vector<std::string> column(const std::string& sql) const {
    sqlite3_stmt* s = nullptr;
    std::vector<std::string> out;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &s, nullptr) != SQLITE_OK)
      throw std::runtime_error(std::string("bad SQL: ") + sqlite3_errmsg(db_));
    while (sqlite3_step(s) == SQLITE_ROW) {
      const auto* p = sqlite3_column_text(s, 0);
      out.emplace_back(p ? reinterpret_cast<const char*>(p) : "");
    }
    sqlite3_finalize(s);
    return out;
  }
  long long number(const std::string& sql) const { return std::stoll(column(sql).at(0)); }

 private:
  sqlite3* db_ = nullptr;
};

rapidjson::Document read(things::ThingsDb& db, const std::string& tool, const std::string& args) {
  const things::ToolSpec* spec = things::find_tool(tool);
  if (spec == nullptr) throw std::runtime_error("no tool " + tool);
  rapidjson::Document a;
  a.Parse(args.c_str());
  const std::string text = things::run_read(*spec, a, db);
  rapidjson::Document out;
  out.Parse(text.c_str());
  if (out.HasParseError()) throw std::runtime_error("not JSON: " + text);
  return out;
}

/// Every item id of a list tool, paging through it 1000 at a time; checks that every page
/// reports the same total, and that the total is the number of items.
/// Runs `sql` on a writable connection of its own, as Things writes its database.
void write_as_things(const std::string& path, const std::string& sql) {
  sqlite3* w = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &w), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(w, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(w);
  sqlite3_close(w);
}

std::vector<std::string> all_ids(things::ThingsDb& db, const std::string& tool) {
  std::vector<std::string> ids;
  long long total = -1;
  for (long long offset = 0;; offset += 1000) {
    auto page = read(db, tool, R"({"limit":1000,"offset":)" + std::to_string(offset) + "}");
    if (total < 0) total = page["total"].GetInt64();
    EXPECT_EQ(page["total"].GetInt64(), total) << tool << " at offset " << offset;
    for (const auto& item : page["items"].GetArray()) ids.emplace_back(item["id"].GetString());
    if (page["count"].GetInt64() < 1000) break;
  }
  EXPECT_EQ(static_cast<long long>(ids.size()), total) << tool;
  return ids;
}

// ---- the generator ---------------------------------------------------------------------------

std::string digest(const std::string& path) {
  Conn c(path);
  std::string all;
  for (auto& row : c.column("SELECT uuid || title || \"index\" FROM TMArea")) all += row;
  for (auto& row : c.column("SELECT uuid || title || COALESCE(parent, '') FROM TMTag")) all += row;
  for (auto& row : c.column("SELECT uuid || title || COALESCE(stopDate, '') || \"index\" || COALESCE(project, '') || "
                            "COALESCE(heading, '') || COALESCE(area, '') || status || start FROM TMTask"))
    all += row;
  for (auto& row : c.column("SELECT tasks || tags FROM TMTaskTag")) all += row;
  for (auto& row : c.column("SELECT uuid || task || status FROM TMChecklistItem")) all += row;
  return all;
}

TEST(Generator, TheSameSeedWritesTheSameDatabaseAndAnotherSeedAnother) {
  TempDir dir;
  sim::generate_database(dir.file("a.sqlite"), {2000, 7, kToday});
  sim::generate_database(dir.file("b.sqlite"), {2000, 7, kToday});
  sim::generate_database(dir.file("c.sqlite"), {2000, 8, kToday});
  EXPECT_EQ(digest(dir.file("a.sqlite")), digest(dir.file("b.sqlite")));
  EXPECT_NE(digest(dir.file("a.sqlite")), digest(dir.file("c.sqlite")));
}

TEST(Generator, RefusesAnExistingFileAndTooFewItems) {
  TempDir dir;
  sim::generate_database(dir.file("a.sqlite"), {200, 1, kToday});
  EXPECT_THROW(sim::generate_database(dir.file("a.sqlite"), {200, 1, kToday}), std::runtime_error);
  EXPECT_THROW(sim::generate_database(dir.file("b.sqlite"), {10, 1, kToday}), std::runtime_error);
  EXPECT_FALSE(fs::exists(dir.file("b.sqlite")));
}

TEST(Generator, HasTheShapeOfAHeavyUsersDatabase) {
  Conn c(generated(20000));
  const long long items = c.number("SELECT count(*) FROM TMTask");
  EXPECT_GE(items, 19000);
  EXPECT_LE(items, 21000);
  const long long logbook = c.number("SELECT count(*) FROM TMTask WHERE status IN (2, 3) AND trashed = 0");
  EXPECT_GT(logbook, items / 2);
  const long long open = c.number("SELECT count(*) FROM TMTask WHERE status = 0 AND trashed = 0 AND type = 0");
  EXPECT_GT(open, 1000);
  EXPECT_LT(open, items / 4);
  EXPECT_GE(c.number("SELECT count(*) FROM TMArea"), 20);
  EXPECT_GE(c.number("SELECT count(*) FROM TMTag"), 40);
  EXPECT_GE(c.number("SELECT count(*) FROM TMTask WHERE type = 1"), 1000);
  EXPECT_GE(c.number("SELECT count(*) FROM TMTask WHERE type = 2"), 300);
  EXPECT_GE(c.number("SELECT count(*) FROM TMTask WHERE trashed = 1"), 200);
  EXPECT_GE(c.number("SELECT count(*) FROM TMTask WHERE rt1_recurrenceRule IS NOT NULL"), 20);
  EXPECT_GE(c.number("SELECT count(*) FROM TMTask WHERE rt1_repeatingTemplate IS NOT NULL AND status = 0"), 20);
  EXPECT_GE(c.number("SELECT count(*) FROM TMChecklistItem"), 1000);
  EXPECT_GE(c.number("SELECT count(*) FROM TMTaskTag"), 3000);
  EXPECT_GE(c.number("SELECT count(*) FROM TMTask WHERE deadline IS NOT NULL AND status = 0"), 100);
  EXPECT_GE(c.number("SELECT count(*) FROM TMTask WHERE reminderTime IS NOT NULL"), 50);
  EXPECT_GE(c.number("SELECT count(*) FROM TMTask WHERE heading IS NOT NULL AND type = 0"), 300);
  // Years of logbook, and ties in Things' index.
  EXPECT_GT(c.number("SELECT CAST((max(stopDate) - min(stopDate)) / 86400 AS INTEGER) FROM TMTask"), 3 * 365);
  EXPECT_GT(c.number("SELECT count(*) FROM TMTask WHERE \"index\" = 0"), 100);
}

// ---- same items, same order as things.py ------------------------------------------------------

// things.py's tasks query (make_tasks_sql_query, get_tasks): a task's project is its own
// project column, a to-do under a heading is hidden when the heading's project is trashed,
// repeating templates are left out, and the list is ordered by the task index; SQLite
// hands equal indexes in the order the rows are stored, made explicit here by rowid.
// The two documented differences (docs/tools.md) are added: a trashed heading hides its
// to-dos, and Anytime leaves out the to-dos of projects in Someday or Upcoming.
std::string things_py(const std::string& condition) {
  return R"(SELECT TASK.uuid FROM TMTask TASK
  LEFT JOIN TMTask PROJECT ON TASK.project = PROJECT.uuid
  LEFT JOIN TMTask HEADING ON TASK.heading = HEADING.uuid
  LEFT JOIN TMTask PROJECT_OF_HEADING ON HEADING.project = PROJECT_OF_HEADING.uuid
 WHERE TASK.rt1_recurrenceRule IS NULL AND TASK.trashed = 0
   AND NOT IFNULL(PROJECT.trashed, 0) AND NOT IFNULL(PROJECT_OF_HEADING.trashed, 0)
   AND NOT IFNULL(HEADING.trashed, 0) AND )" +
         condition + R"( ORDER BY TASK."index", TASK.rowid)";
}

class SameAsThingsPy : public ::testing::TestWithParam<std::int64_t> {};

TEST_P(SameAsThingsPy, AnytimeInThingsOrder) {
  const std::string& path = generated(GetParam());
  things::ThingsDb db(path, 1, [] { return kThingsToday; });
  const auto expected = Conn(path).column(things_py(
      "TASK.start = 1 AND TASK.status = 0 AND COALESCE(PROJECT.start, PROJECT_OF_HEADING.start, 1) != 2"));
  ASSERT_GT(expected.size(), 50u);
  EXPECT_EQ(all_ids(db, "get_anytime"), expected);
}

TEST_P(SameAsThingsPy, InboxSomedayAndProjectsInThingsOrder) {
  const std::string& path = generated(GetParam());
  things::ThingsDb db(path, 1, [] { return kThingsToday; });
  Conn c(path);
  EXPECT_EQ(all_ids(db, "get_inbox"), c.column(things_py("TASK.start = 0 AND TASK.status = 0")));
  EXPECT_EQ(all_ids(db, "get_someday"),
            c.column(things_py("TASK.start = 2 AND TASK.startDate IS NULL AND TASK.status = 0")));
  EXPECT_EQ(all_ids(db, "get_projects"), c.column(things_py("TASK.type = 1 AND TASK.status = 0")));
}

TEST_P(SameAsThingsPy, LogbookHoldsTheSameItemsLatestFirst) {
  const std::string& path = generated(GetParam());
  things::ThingsDb db(path, 1, [] { return kThingsToday; });
  // things.py's logbook(): canceled and completed, sorted by stop date, the latest first;
  // takt breaks ties of the stop date by Things' index, then the id (docs/tools.md).
  const auto expected = Conn(path).column(R"(SELECT uuid FROM TMTask WHERE uuid IN ()" +
                                          things_py("TASK.status IN (2, 3)") +
                                          R"() ORDER BY stopDate DESC, "index", uuid)");
  ASSERT_GT(expected.size(), 300u);
  EXPECT_EQ(all_ids(db, "get_logbook"), expected);
}

INSTANTIATE_TEST_SUITE_P(Sizes, SameAsThingsPy, ::testing::Values(600, 3000, 12000));

// ---- open lists through Things' stopDate index ------------------------------------------------

// An open task with a stop date (a database Things did not write, or a future Things) is
// still listed, also when it gets one after takt has read the database.
TEST(OpenLists, AnOpenTaskWithAStopDateStaysInItsListsAfterAChange) {
  TempDir dir;
  const std::string path = dir.file("copy.sqlite");
  fs::copy_file(generated(3000), path);
  things::ThingsDb db(path, 1, [] { return kThingsToday; });
  const auto before = all_ids(db, "get_anytime");
  ASSERT_GT(before.size(), 10u);
  auto as_text = [](const rapidjson::Document& d) {
    rapidjson::StringBuffer sb;
    rapidjson::Writer<rapidjson::StringBuffer> w(sb);
    d.Accept(w);
    return std::string(sb.GetString(), sb.GetSize());
  };
  const std::string areas = as_text(read(db, "get_areas", R"({"limit":1000})"));
  // An Anytime to-do of an area: it counts in get_areas too.
  const std::string moved = Conn(path).column(R"(SELECT uuid FROM TMTask WHERE type = 0 AND status = 0
      AND trashed = 0 AND start = 1 AND area IS NOT NULL AND project IS NULL AND heading IS NULL
      AND rt1_recurrenceRule IS NULL ORDER BY rowid LIMIT 1)").at(0);
  ASSERT_NE(std::find(before.begin(), before.end(), moved), before.end());
  write_as_things(path, "UPDATE TMTask SET stopDate = 1700000000 WHERE uuid = '" + moved + "'");
  EXPECT_EQ(all_ids(db, "get_anytime"), before);
  EXPECT_EQ(as_text(read(db, "get_areas", R"({"limit":1000})")), areas);  // open counts per area
  auto page = read(db, "get_anytime", R"({"limit":5})");
  EXPECT_EQ(page["total"].GetInt64(), static_cast<long long>(before.size()));
  // And a fresh reader sees the same.
  things::ThingsDb fresh(path, 1, [] { return kThingsToday; });
  EXPECT_EQ(all_ids(fresh, "get_anytime"), before);
}

// takt's index of the tasks (things/db/task_index.hpp) is rebuilt when another connection
// changes the database, as Things does: every list, count and search on every connection of
// the pool answers from the new state, never from the index of the old one.
TEST(TaskIndex, EveryReadFollowsAChangeMadeByAnotherConnection) {
  TempDir dir;
  const std::string path = dir.file("copy.sqlite");
  fs::copy_file(generated(3000), path);
  things::ThingsDb db(path, 2, [] { return kThingsToday; });
  const auto anytime = all_ids(db, "get_anytime");
  const auto logbook = all_ids(db, "get_logbook");
  const long long trash = read(db, "get_trash", R"({"limit":1})")["total"].GetInt64();
  ASSERT_GT(anytime.size(), 10u);
  EXPECT_EQ(read(db, "search", R"({"query":"quetzalcoatl"})")["total"].GetInt64(), 0);
  // Three to-dos of Anytime outside any project (so each change moves that one item only).
  const auto picked = Conn(path).column(R"(SELECT uuid FROM TMTask WHERE type = 0 AND status = 0
      AND trashed = 0 AND start = 1 AND project IS NULL AND heading IS NULL AND rt1_recurrenceRule IS NULL
      ORDER BY rowid LIMIT 3)");
  ASSERT_EQ(picked.size(), 3u);
  for (const auto& id : picked) ASSERT_EQ(std::count(anytime.begin(), anytime.end(), id), 1) << id;
  const std::string done = picked[0], trashed = picked[1], renamed = picked[2];
  write_as_things(path, "UPDATE TMTask SET status = 3, stopDate = (SELECT max(stopDate) + 1 FROM TMTask)"
                        " WHERE uuid = '" + done + "'; UPDATE TMTask SET trashed = 1 WHERE uuid = '" + trashed +
                        "'; UPDATE TMTask SET notes = 'Ask Quetzalcoatl' WHERE uuid = '" + renamed + "';");
  for (int round = 0; round < 3; ++round) {  // both connections of the pool, and again
    auto now = all_ids(db, "get_anytime");
    EXPECT_EQ(now.size(), anytime.size() - 2);
    EXPECT_EQ(std::count(now.begin(), now.end(), done), 0);
    EXPECT_EQ(std::count(now.begin(), now.end(), trashed), 0);
    EXPECT_EQ(all_ids(db, "get_logbook").front(), done) << "the latest logged item comes first";
    EXPECT_EQ(all_ids(db, "get_logbook").size(), logbook.size() + 1);
    EXPECT_EQ(read(db, "get_trash", R"({"limit":1})")["total"].GetInt64(), trash + 1);
    auto found = read(db, "search", R"({"query":"quetzalcoatl"})");
    ASSERT_EQ(found["total"].GetInt64(), 1);
    EXPECT_EQ(std::string(found["items"][0]["id"].GetString()), renamed);
  }
}

// What the change watcher calls when the database changed (flow/watcher.cpp): every idle
// connection's index is rebuilt there and then, so the reads that follow build nothing.
TEST(TaskIndex, RefreshedAheadOfTheReadsAfterAChange) {
  TempDir dir;
  const std::string path = dir.file("copy.sqlite");
  fs::copy_file(generated(3000), path);
  things::ThingsDb db(path, 2, [] { return kThingsToday; });
  EXPECT_EQ(db.refresh_index(), 2) << "both connections opened and indexed";
  EXPECT_EQ(db.refresh_index(), 0) << "nothing changed";
  const auto before = db.index_builds();
  const long long inbox = read(db, "get_inbox", R"({"limit":1})")["total"].GetInt64();
  EXPECT_EQ(read(db, "get_logbook", "{}")["count"].GetInt64(), 100);
  EXPECT_EQ(db.index_builds(), before) << "the reads found the index built";
  write_as_things(path, "UPDATE TMTask SET start = 0 WHERE rowid = (SELECT rowid FROM TMTask WHERE type = 0"
                        " AND status = 0 AND trashed = 0 AND start = 1 AND project IS NULL AND heading IS NULL"
                        " AND rt1_recurrenceRule IS NULL ORDER BY rowid LIMIT 1)");
  EXPECT_EQ(db.refresh_index(), 2);
  const auto refreshed = db.index_builds();
  EXPECT_EQ(read(db, "get_inbox", R"({"limit":1})")["total"].GetInt64(), inbox + 1);
  EXPECT_EQ(read(db, "get_inbox", R"({"limit":1})")["total"].GetInt64(), inbox + 1);
  EXPECT_EQ(db.index_builds(), refreshed) << "no read rebuilt it";
}

// ---- no read grows faster than the database ---------------------------------------------------

/// Counts the virtual machine steps of every statement run on a connection.
class StepCounter {
 public:
  explicit StepCounter(sqlite3* db) : db_(db) {
    sqlite3_trace_v2(db, SQLITE_TRACE_PROFILE, &StepCounter::on_profile, this);
  }
  ~StepCounter() { sqlite3_trace_v2(db_, 0, nullptr, nullptr); }
  long long take() { return std::exchange(steps_, 0); }

 private:
  static int on_profile(unsigned, void* self, void* stmt, void*) {
    static_cast<StepCounter*>(self)->steps_ +=
        sqlite3_stmt_status(static_cast<sqlite3_stmt*>(stmt), SQLITE_STMTSTATUS_VM_STEP, 0);
    return 0;
  }
  sqlite3* db_;
  long long steps_ = 0;
};

struct ReadCall {
  std::string tool, args;
};

/// The steps each read takes on a database of `items` items, by a label of the call.
std::map<std::string, long long> steps_at(std::int64_t items, std::vector<std::string>& order) {
  const std::string& path = generated(items);
  Conn conn(path);
  // Frozen: nothing writes to the database meanwhile, so takt's index is built once, by
  // the first read (its steps are that read's), as takt's own connections keep it.
  things::ThingsDb db(conn.get(), [] { return kThingsToday; }, things::ThingsDb::Borrowed::Frozen);
  const std::string project = conn.column(R"(SELECT p.uuid FROM TMTask p WHERE p.type = 1 AND p.status = 0
      AND p.trashed = 0 AND EXISTS (SELECT 1 FROM TMTask h WHERE h.project = p.uuid AND h.type = 2)
      ORDER BY p.rowid LIMIT 1)").at(0);
  const std::string area = conn.column(R"(SELECT uuid FROM TMArea ORDER BY "index" LIMIT 1)").at(0);
  std::vector<ReadCall> calls;
  for (const char* tool : {"get_inbox", "get_today", "get_upcoming", "get_anytime", "get_someday", "get_logbook",
                           "get_trash", "get_projects", "get_areas", "get_tags", "get_todos", "get_recent",
                           "get_due", "get_repeating"}) {
    calls.push_back({tool, "{}"});
    calls.push_back({tool, R"({"limit":1000})"});
  }
  calls.push_back({"get_todos", R"({"area":")" + area + "\"}"});
  calls.push_back({"get_todos", R"({"tag":"Errand"})"});
  calls.push_back({"get_headings", R"({"project":")" + project + "\"}"});
  calls.push_back({"get_item", R"({"id":")" + project + "\"}"});
  calls.push_back({"search", R"({"query":"invoice"})"});
  calls.push_back({"search_advanced", R"({"status":"completed","type":"to-do"})"});
  calls.push_back({"get_summary", "{}"});
  StepCounter counter(conn.get());
  std::map<std::string, long long> steps;
  order.clear();
  for (const auto& c : calls) {
    read(db, c.tool, c.args);
    const std::string label = c.tool + (c.args.find("limit") != std::string::npos ? " (1000 a page)"
                                        : c.args == "{}"                          ? ""
                                                                                  : " (filtered)");
    if (!steps.count(label)) order.push_back(label);
    steps[label] += counter.take();
  }
  return steps;
}

TEST(NoQuadraticRead, EveryReadToolsWorkGrowsAtMostAsTheDatabase) {
  // 8 times the items: a linear read takes about 8 times the steps (up to twice that when
  // the larger list needs its total counted and the smaller one fits on its page), a read
  // that grows with the product of two parts of the database (areas times tasks) about 64.
  constexpr std::int64_t small = 1500, large = 12000;
  std::vector<std::string> order;
  const auto a = steps_at(small, order);
  const auto b = steps_at(large, order);
  const double items_ratio = static_cast<double>(Conn(generated(large)).number("SELECT count(*) FROM TMTask")) /
                             static_cast<double>(Conn(generated(small)).number("SELECT count(*) FROM TMTask"));
  for (const auto& label : order) {
    const double ratio = static_cast<double>(b.at(label)) / static_cast<double>(std::max(a.at(label), 1LL));
    EXPECT_LE(ratio, items_ratio * 2.5) << label << ": " << a.at(label) << " steps at " << small << " items, "
                                        << b.at(label) << " at " << large;
  }
}

TEST(NoQuadraticRead, TheAreasAndTheTagsReadNoTaskAtAll) {
  // Their counts are takt's index's, counted once per change: reading them grows with the
  // areas and the tags, not with the tasks (8 times the items here).
  constexpr std::int64_t small = 1500, large = 12000;
  std::vector<std::string> order;
  const auto a = steps_at(small, order);
  const auto b = steps_at(large, order);
  const auto ratio_of = [&](const char* table) {
    const std::string sql = std::string("SELECT count(*) FROM ") + table;
    return static_cast<double>(Conn(generated(large)).number(sql)) / static_cast<double>(Conn(generated(small)).number(sql));
  };
  const double areas = ratio_of("TMArea"), tags = ratio_of("TMTag");
  for (const auto& [label, grows_with] : {std::pair{"get_areas", areas}, {"get_areas (1000 a page)", areas},
                                          {"get_tags", tags}, {"get_tags (1000 a page)", tags}}) {
    const double ratio = static_cast<double>(b.at(label)) / static_cast<double>(std::max(a.at(label), 1LL));
    EXPECT_LE(ratio, std::max(1.0, grows_with) * 1.5)
        << label << ": " << a.at(label) << " steps at " << small << " items, " << b.at(label) << " at " << large
        << " (areas x" << areas << ", tags x" << tags << ")";
  }
}

}  // namespace
