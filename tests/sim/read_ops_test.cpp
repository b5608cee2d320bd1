// Tests of the read op of the sim dialect (sim/json/script.hpp): things-sim answers a read tool
// with exactly the structured result takt's database route gives for the same tool and
// arguments (things::run_read on the same file, compared as JSON documents); many reads
// batch into one call; a bad tool or bad arguments fail that op alone; a read sees the
// writes before it in the same script; reads change nothing.
#include <rapidjson/document.h>

#include <set>

#include "harness.hpp"
#include "things/catalog/catalog.hpp"
#include "things/db/db.hpp"
#include "things/script/ops.hpp"
#include "things/catalog/tools.hpp"

namespace {

using namespace takt::sim_test;
namespace things = takt::things;

struct ReadCase {
  std::string tool;
  std::string args = "{}";
};

J read_op(const ReadCase& c) { return J("read").set("tool", c.tool).raw("args", c.args); }

rapidjson::Document parsed(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  if (doc.HasParseError()) throw std::runtime_error("not JSON: " + json);
  return doc;
}

class ReadOpsTest : public SimTest {
 protected:
  void SetUp() override {
    SimTest::SetUp();
    init();
  }

  // What takt's database route answers for the tool and arguments: its structured result,
  // or "error: <message>" for arguments check_arguments refuses or a things::DbError.
  std::string takt_read(const ReadCase& c) {
    const things::ToolSpec* tool = things::find_tool(c.tool);
    if (tool == nullptr) return "error: no such tool";
    const rapidjson::Document args = parsed(c.args);
    if (auto why = things::check_arguments(*tool, args, things::SimDialect{})) return "error: " + *why;
    things::ThingsDb db(db_path_.string(), 1, &things::local_today);
    try {
      return things::run_read(*tool, args, db);
    } catch (const things::DbError& error) {
      return std::string("error: ") + error.what();
    }
  }

  // The sim's answer in the same form as takt_read's.
  static std::string answer_of(const Result& result) {
    if (!result.ok) return "error: " + result.error;
    EXPECT_TRUE(result.id.empty()) << "a read answered with an id: " << result.id;
    return result.result;
  }

  // Compares as JSON documents (member order and formatting aside); errors as text.
  static void expect_same(const std::string& sim, const std::string& takt, const std::string& what) {
    if (sim.rfind("error: ", 0) == 0 || takt.rfind("error: ", 0) == 0) {
      EXPECT_EQ(sim, takt) << what;
      return;
    }
    EXPECT_TRUE(parsed(sim) == parsed(takt)) << what << "\n  sim:  " << sim << "\n  takt: " << takt;
  }

  long long calls() { return parsed(stats())["calls"].GetInt64(); }
  std::string project_uuid(const std::string& title) {
    return db().text("SELECT uuid FROM TMTask WHERE type = 1 AND title = ?1", {title});
  }
};

TEST_F(ReadOpsTest, EveryReadToolAnswersExactlyWhatTaktsDatabaseRouteDoesInOneCall) {
  const std::string website = project_uuid("Website relaunch");
  const std::string work = area_uuid("Work");
  const std::string todo = uuid_of("Call the plumber");
  ASSERT_TRUE(is_things_uuid(website) && is_things_uuid(work) && is_things_uuid(todo));
  const std::vector<ReadCase> cases = {
      {"get_inbox"},
      {"get_inbox", R"({"limit":2,"offset":1})"},
      {"get_inbox", R"({"compact":true})"},
      {"get_inbox", R"({"offset":500})"},  // past the end: counts the whole list
      {"get_today"},
      {"get_upcoming"},
      {"get_anytime"},
      {"get_someday"},
      {"get_logbook"},
      {"get_logbook", R"({"period":"1w"})"},
      {"get_trash"},
      {"get_projects"},
      {"get_projects", R"({"area":")" + work + "\"}"},
      {"get_areas"},
      {"get_tags"},
      {"get_headings", R"({"project":")" + website + "\"}"},
      {"get_todos", R"({"project":")" + website + "\"}"},
      {"get_todos", R"({"area":")" + work + R"(","tag":"important"})"},  // tags match ignoring case
      {"get_todos", R"({"tag":"Errand"})"},
      {"get_item", R"({"id":")" + website + "\"}"},
      {"get_item", R"({"id":")" + todo + R"(","compact":true})"},
      {"search", R"({"query":"the"})"},
      {"search_advanced", R"({"status":"open","type":"to-do","deadline":{"after":"2000-01-01"}})"},
      {"get_recent", R"({"period":"1m"})"},
      {"get_due", R"({"days":30})"},
      {"get_summary"},
      {"get_repeating"},
  };
  // Every read tool of takt's catalogue is among them.
  std::set<std::string> covered;
  for (const ReadCase& c : cases) covered.insert(c.tool);
  for (const things::ToolSpec& tool : things::tool_catalog()) {
    if (tool.kind == things::ToolKind::Read) {
      EXPECT_TRUE(covered.contains(tool.name)) << tool.name << " is not tested";
    }
  }

  const std::string before = snapshot();
  const long long calls_before = calls();
  std::vector<J> ops;
  for (const ReadCase& c : cases) ops.push_back(read_op(c));
  const auto results = run(ops);
  ASSERT_EQ(results.size(), cases.size());
  EXPECT_EQ(calls(), calls_before + 1) << "many reads, one call";
  EXPECT_EQ(snapshot(), before) << "a read changed the database";

  for (std::size_t i = 0; i < cases.size(); ++i) {
    const std::string what = cases[i].tool + " " + cases[i].args;
    EXPECT_TRUE(results[i].ok) << what << " -> " << results[i].error;
    const std::string takt = takt_read(cases[i]);
    expect_same(answer_of(results[i]), takt, what);
    // Not a vacuous comparison: the seed fills every list these read.
    if (cases[i].args.find("offset") == std::string::npos) {
      EXPECT_EQ(takt.find(R"("count":0,)"), std::string::npos) << what << " read an empty list: " << takt;
    }
  }
}

TEST_F(ReadOpsTest, AnUnknownToolOrBadArgumentsFailThatOpAlone) {
  const std::vector<ReadCase> cases = {
      {"get_inbox", R"({"limit":1})"},
      {"get_inbx"},
      {"add_todo", R"({"title":"not through a read"})"},
      {"health_check"},
      {"get_inbox", R"({"limit":0})"},
      {"get_inbox", R"({"limit":1001})"},
      {"get_inbox", R"({"limt":5})"},
      {"get_inbox", R"({"compact":"yes"})"},
      {"get_logbook", R"({"period":"7x"})"},
      {"get_headings"},
      {"search", R"({"query":"  "})"},
      {"search_advanced", R"({"start_date":{"on":"2030-01-01","before":"2030-02-01"}})"},
      {"get_item", R"({"id":"no-such-id"})"},
      {"get_todos", R"({"tag":"no such tag"})"},
      {"get_projects", R"({"area":"no-such-area"})"},
      {"get_today", R"({"limit":1})"},
  };
  const std::string before = snapshot();
  const std::string first_before = takt_read(cases.front());
  std::vector<J> ops;
  for (const ReadCase& c : cases) ops.push_back(read_op(c));
  ops.push_back(J("add_todo").set("title", "Written after the failed reads"));
  const auto results = run(ops);
  ASSERT_EQ(results.size(), cases.size() + 1);

  EXPECT_TRUE(results.front().ok) << results.front().error;
  expect_same(answer_of(results.front()), first_before, "get_inbox before the failures");
  for (const std::size_t i : {1u, 2u, 3u}) {
    EXPECT_FALSE(results[i].ok) << cases[i].tool;
    EXPECT_EQ(results[i].error.rfind("tool \"" + cases[i].tool + "\": not a read tool", 0), 0u) << results[i].error;
  }
  // Arguments takt refuses fail with takt's own message (check_arguments, or the
  // DbError of run_read for names the database does not hold).
  for (std::size_t i = 4; i + 1 < cases.size(); ++i) {
    const std::string what = cases[i].tool + " " + cases[i].args;
    EXPECT_FALSE(results[i].ok) << what;
    const std::string takt = takt_read(cases[i]);
    ASSERT_EQ(takt.rfind("error: ", 0), 0u) << what << ": takt accepts it: " << takt;
    EXPECT_EQ("error: " + results[i].error, takt) << what;
  }
  EXPECT_TRUE(results[cases.size() - 1].ok) << results[cases.size() - 1].error;
  EXPECT_TRUE(results.back().ok) << results.back().error;
  // Only the write changed something.
  EXPECT_EQ(db().integer("SELECT COUNT(*) FROM TMTask WHERE title = 'Written after the failed reads'"), 1);
  EXPECT_NE(snapshot(), before);
}

TEST_F(ReadOpsTest, AReadAfterAWriteInTheSameScriptSeesIt) {
  const std::string plumber = uuid_of("Call the plumber");
  const std::string website = project_uuid("Website relaunch");
  const ReadCase inbox{"get_inbox"};
  const ReadCase item{"get_item", R"({"id":")" + website + "\"}"};
  const std::string inbox_before = takt_read(inbox);
  const long long total_before = parsed(inbox_before)["total"].GetInt64();

  const auto results = run({
      read_op(inbox),                                                  // 0
      J("add_todo").set("title", "Fresh from the script"),            // 1
      read_op(inbox),                                                  // 2
      read_op({"search", R"({"query":"fresh from the SCRIPT"})"}),     // 3
      J("complete").set("id", plumber),                                // 4
      read_op(inbox),                                                  // 5
      J("add_todo").set("title", "Never written").set("project", "NoSuchProjectUuid12345"),  // 6: fails
      read_op(inbox),                                                  // 7
      J("add_todo").set("title", "Under the website").set("project", website),  // 8
      read_op(item),                                                   // 9
      read_op({"get_logbook", R"({"period":"1d"})"}),                  // 10
  });
  ASSERT_EQ(results.size(), 11u);
  for (const std::size_t i : {0u, 1u, 2u, 3u, 4u, 5u, 7u, 8u, 9u, 10u}) EXPECT_TRUE(results[i].ok) << i << ": " << results[i].error;
  EXPECT_FALSE(results[6].ok);
  const std::string fresh = results[1].id;

  expect_same(answer_of(results[0]), inbox_before, "the first read sees the database as it was");
  EXPECT_EQ(parsed(results[2].result)["total"].GetInt64(), total_before + 1);
  EXPECT_NE(results[2].result.find(fresh), std::string::npos) << results[2].result;
  EXPECT_NE(results[3].result.find(fresh), std::string::npos) << results[3].result;
  EXPECT_EQ(parsed(results[5].result)["total"].GetInt64(), total_before);
  EXPECT_EQ(results[5].result.find(plumber), std::string::npos) << "a completed to-do left the Inbox";
  EXPECT_NE(results[10].result.find(plumber), std::string::npos) << "and went to the Logbook";
  expect_same(results[7].result, results[5].result, "a failed write leaves nothing for a read to see");
  EXPECT_NE(results[9].result.find(results[8].id), std::string::npos) << results[9].result;

  // What the reads saw inside the script is what takt reads once it is committed.
  expect_same(answer_of(results[7]), takt_read(inbox), "inbox after the script");
  expect_same(answer_of(results[9]), takt_read(item), "project after the script");
  expect_counts_consistent();
}

TEST_F(ReadOpsTest, ReadsInAWriteScriptAndAScriptOfReadsChangeNothing) {
  const std::string before = snapshot();
  const std::string fingerprint_before = fingerprint();
  run({read_op({"get_summary"}), read_op({"get_item", R"({"id":")" + uuid_of("Call the plumber") + "\"}"}),
       read_op({"search", R"({"query":"plumber"})"})});
  EXPECT_EQ(snapshot(), before);
  EXPECT_EQ(fingerprint(), fingerprint_before);
  // A write script's reads touch no row either: only the write's own row is new.
  const auto tasks_before = db().rows("SELECT * FROM TMTask ORDER BY uuid");
  const auto results = run({read_op({"get_today"}), J("add_todo").set("title", "The only change"),
                            read_op({"get_summary"})});
  ASSERT_TRUE(results[1].ok) << results[1].error;
  EXPECT_EQ(db().rows("SELECT * FROM TMTask WHERE uuid != ?1 ORDER BY uuid", {results[1].id}), tasks_before);
  EXPECT_NE(fingerprint(), fingerprint_before);
}

TEST_F(ReadOpsTest, MalformedReadOpsExitTwoAndChangeNothing) {
  const std::string before = fingerprint();
  const long long calls_before = calls();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"ops":[{"op":"read"}]})", "\"tool\""},
      {R"({"ops":[{"op":"read","tool":null}]})", "\"tool\""},
      {R"({"ops":[{"op":"read","tool":7}]})", "\"tool\""},
      {R"({"ops":[{"op":"read","tool":"get_inbox","args":null}]})", "\"args\" must be an object"},
      {R"({"ops":[{"op":"read","tool":"get_inbox","args":[]}]})", "\"args\" must be an object"},
      {R"({"ops":[{"op":"read","tool":"get_inbox","args":"{}"}]})", "\"args\" must be an object"},
      {R"({"ops":[{"op":"read","tool":"get_inbox","argz":{}}]})", "unknown field \"argz\""},
      {R"({"ops":[{"op":"add_todo","title":"x"},{"op":"read","tool":"get_inbox","limit":3}]})", "op 1 (read)"},
  };
  expect_malformed(cases);
  EXPECT_EQ(fingerprint(), before);
  EXPECT_EQ(calls(), calls_before + static_cast<long long>(cases.size()));  // counted, like every call
}

}  // namespace
