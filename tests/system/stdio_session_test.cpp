// Black-box tests: the real takt binary over stdio, on a things-sim database of its own.

#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <map>
#include <fstream>
#include <set>
#include <sstream>

#include "base/json.hpp"
#include "things/catalog/schema.hpp"
#include "support/takt_process.hpp"

using namespace takt;
using namespace takt::test;

namespace {

std::string config(const TempDir& dir, const std::string& extra = "", const std::string& latency = "1ms..5ms") {
  return "backend:\n  database: " + dir.file("things.sqlite") + "\n  sim_per_op: 0ms\n  sim_latency: " + latency +
         "\n  script_timeout: 10s\nmetrics:\n  listen: 127.0.0.1:0\n" + extra;
}

std::string text_of(const rapidjson::Value& v) { return json::dump(v); }

const rapidjson::Value& structured(const rapidjson::Document& r) {
  EXPECT_TRUE(r.HasMember("result")) << text_of(r);
  EXPECT_FALSE(r["result"]["isError"].GetBool()) << text_of(r);
  return r["result"]["structuredContent"];
}

int error_code(const rapidjson::Document& r) {
  return r.HasMember("error") ? r["error"]["code"].GetInt() : 0;
}

std::string stats(const TempDir& dir) {
  std::string out;
  run(std::string(THINGS_SIM_BINARY) + " --db " + dir.file("things.sqlite") + " --stats", &out);
  return out;
}

long long stat_of(const TempDir& dir, const char* key) {
  auto d = parse_json(stats(dir));
  return d[key].GetInt64();
}

/// Sends add_todo calls with ids first_id.. and titles "<prefix> 0".., without waiting.
void send_add_todos(Takt& t, int first_id, int n, const std::string& prefix) {
  for (int i = 0; i < n; ++i)
    t.process().send(R"({"jsonrpc":"2.0","id":)" + std::to_string(first_id + i) +
                     R"(,"method":"tools/call","params":{"name":"add_todo","arguments":{"title":")" + prefix + " " +
                     std::to_string(i) + R"("}}})");
}

class Stdio : public ::testing::Test {
 protected:
  TempDir dir;
};

}  // namespace

TEST_F(Stdio, HandshakeNegotiatesTheVersion) {
  for (auto [asked, got] : std::vector<std::pair<std::string, std::string>>{{"2025-11-25", "2025-11-25"},
                                                                            {"2025-06-18", "2025-06-18"},
                                                                            {"2025-03-26", "2025-03-26"},
                                                                            {"2024-11-05", "2024-11-05"},
                                                                            {"2099-01-01", "2025-11-25"}}) {
    Takt t(dir, config(dir));  // one handshake per session
    auto r = t.call(1, "initialize", R"({"protocolVersion":")" + asked + R"(","capabilities":{},"clientInfo":{"name":"x","version":"1"}})");
    ASSERT_TRUE(r.HasMember("result")) << text_of(r);
    EXPECT_EQ(r["result"]["protocolVersion"].GetString(), got);
    EXPECT_TRUE(r["result"]["capabilities"].HasMember("tools"));
    EXPECT_TRUE(r["result"]["capabilities"].HasMember("logging"));
    EXPECT_STREQ(r["result"]["serverInfo"]["name"].GetString(), "takt");
  }
  Takt t(dir, config(dir));
  EXPECT_EQ(error_code(t.call(2, "initialize", "{}")), -32602);
  t.process().close_stdin();
  EXPECT_EQ(t.process().wait(), 0);
}

// issue 16: a second initialize renegotiated mid-session; a notification sent with an id
// got an internal error; a request without an id (tools/call) still ran its write.
TEST_F(Stdio, LifecycleRulesOfTheSpecAreKept) {
  Takt t(dir, config(dir));
  t.handshake();
  auto again = t.call(2, "initialize", R"({"protocolVersion":"2024-11-05","capabilities":{},"clientInfo":{"name":"x","version":"1"}})");
  EXPECT_EQ(error_code(again), -32600) << text_of(again);
  EXPECT_NE(std::string(again["error"]["message"].GetString()).find("already initialized"), std::string::npos);
  for (const char* method : {"notifications/initialized", "notifications/cancelled"}) {
    auto r = t.call(3, method, R"({"requestId":1})");
    EXPECT_EQ(error_code(r), -32600) << method << ": " << text_of(r);
    EXPECT_NE(std::string(r["error"]["message"].GetString()).find("is a notification and must not carry an id"),
              std::string::npos);
  }
  // A tools/call without an id gets no answer and runs nothing; the next request is answered.
  t.process().send(R"({"jsonrpc":"2.0","method":"tools/call","params":{"name":"add_todo","arguments":{"title":"unseen write"}}})");
  auto found = t.call(4, "tools/call", R"({"name":"search","arguments":{"query":"unseen write"}})");
  ASSERT_TRUE(found.HasMember("result")) << text_of(found);
  EXPECT_EQ(found["result"]["structuredContent"]["count"].GetInt(), 0) << text_of(found);
}

TEST_F(Stdio, RequestsBeforeInitializeAreRefusedButPingWorks) {
  Takt t(dir, config(dir));
  auto early = t.call(1, "tools/list");
  EXPECT_EQ(error_code(early), -32600);
  EXPECT_NE(std::string(early["error"]["message"].GetString()).find("initialize"), std::string::npos);
  auto ping = t.call(2, "ping");
  EXPECT_TRUE(ping["result"].IsObject());
  t.handshake();
  EXPECT_TRUE(t.call(3, "tools/list").HasMember("result"));
}

TEST_F(Stdio, ToolsListDeclaresSchemasAndAnnotations) {
  Takt t(dir, config(dir));
  t.handshake();
  auto r = t.call(1, "tools/list");
  const auto& tools = r["result"]["tools"];
  std::set<std::string> names;
  for (const auto& tool : tools.GetArray()) {
    names.insert(tool["name"].GetString());
    EXPECT_TRUE(tool.HasMember("inputSchema"));
    EXPECT_TRUE(tool.HasMember("outputSchema"));
    EXPECT_TRUE(tool["annotations"].HasMember("readOnlyHint"));
  }
  EXPECT_EQ(names, (std::set<std::string>{"get_inbox", "get_today", "get_upcoming", "get_anytime", "get_someday",
                                          "get_logbook", "get_trash", "get_projects", "get_areas", "get_tags",
                                          "get_headings", "get_todos", "get_item", "search", "search_advanced",
                                          "get_recent", "get_due", "get_summary", "get_repeating", "add_todo",
                                          "add_project", "add_heading", "create_tag", "create_area", "update_todo",
                                          "update_project", "bulk_update", "move", "complete", "cancel", "reopen",
                                          "trash", "restore", "add_tags", "remove_tags", "show", "health_check",
                                          "queue_status"}));
  EXPECT_EQ(error_code(t.call(2, "tools/list", R"({"cursor":"bogus"})")), -32602);
}

TEST_F(Stdio, EveryToolAnswers) {
  Takt t(dir, config(dir));
  t.handshake();
  for (const char* list : {"get_inbox", "get_today", "get_projects"}) {
    SCOPED_TRACE(list);
    auto r = t.tool(1, list);
    const auto& s = structured(r);
    EXPECT_GT(s["count"].GetInt(), 0);
    EXPECT_EQ(s["count"].GetInt(), static_cast<int>(s["items"].Size()));
    EXPECT_GE(s["total"].GetInt(), s["count"].GetInt());
    // The text content repeats the structured content.
    EXPECT_EQ(parse_json(r["result"]["content"][0]["text"].GetString()), s);
  }
  auto paged = t.tool(2, "get_today", R"({"limit":1,"offset":1})");
  EXPECT_EQ(structured(paged)["count"].GetInt(), 1);
  auto health = t.tool(3, "health_check");
  EXPECT_STREQ(structured(health)["status"].GetString(), "ok");
  EXPECT_TRUE(structured(health)["database_readable"].GetBool());
  auto queue = t.tool(4, "queue_status");
  EXPECT_EQ(structured(queue)["slow_queue_depth"].GetInt(), 0);
  auto added = t.tool(5, "add_todo", R"({"title":"Write the report"})");
  EXPECT_EQ(std::string(structured(added)["id"].GetString()).size(), 22u);
}

TEST_F(Stdio, EveryReadToolServesTheSimDatabase) {
  Takt t(dir, config(dir));
  t.handshake();
  auto list = t.call(1, "tools/list");
  const std::string project = structured(t.tool(2, "get_projects"))["items"][0]["id"].GetString();
  const std::map<std::string, std::string> args = {
      {"get_headings", R"({"project":")" + project + "\"}"},
      {"get_item", R"({"id":")" + project + "\"}"},
      {"search", R"({"query":"the"})"},
      {"get_logbook", R"({"period":"1m"})"},
  };
  int id = 10, read_tools = 0;
  for (const auto& tool : list["result"]["tools"].GetArray()) {
    if (!tool["annotations"]["readOnlyHint"].GetBool()) continue;
    const std::string name = tool["name"].GetString();
    SCOPED_TRACE(name);
    auto it = args.find(name);
    auto r = t.tool(id++, name, it == args.end() ? "{}" : it->second);
    EXPECT_EQ(things::validate(tool["outputSchema"], structured(r)).value_or(""), "");
    ++read_tools;
  }
  EXPECT_EQ(read_tools, 21);  // 19 database reads, health_check and queue_status
  // The sim seeds a Someday project with an Anytime to-do: Anytime must not show it.
  const auto anytime = text_of(structured(t.tool(50, "get_anytime")));
  EXPECT_EQ(anytime.find("Practise verb conjugations"), std::string::npos);
  EXPECT_NE(anytime.find("Book flights"), std::string::npos);
  const auto repeating_answer = t.tool(51, "get_repeating");
  const auto& repeating = structured(repeating_answer)["items"];
  ASSERT_EQ(repeating.Size(), 1u);
  EXPECT_STREQ(repeating[0]["repeat"]["rule"].GetString(), "every week");
  // A well-formed call naming an id the database does not hold is a tool error naming the field.
  auto missing = t.tool(52, "get_item", R"({"id":"no-such-id"})");
  EXPECT_TRUE(missing["result"]["isError"].GetBool());
  EXPECT_NE(std::string(missing["result"]["content"][0]["text"].GetString()).find("id: no to-do"), std::string::npos);
}

TEST_F(Stdio, AddTodoThenInboxShowsIt) {
  Takt t(dir, config(dir));
  t.handshake();
  auto before = t.tool(1, "get_inbox");  // also fills the cache, which the write must invalidate
  const int count_before = structured(before)["total"].GetInt();
  auto added = t.tool(2, "add_todo", R"({"title":"Buy \"oat\" milk & eggs / bread\nsoon ✓","notes":"at the corner shop","tags":["Errand"]})");
  const std::string id = structured(added)["id"].GetString();
  auto after = t.tool(3, "get_inbox");
  const auto& items = structured(after)["items"];
  EXPECT_EQ(structured(after)["total"].GetInt(), count_before + 1);
  bool found = false;
  for (const auto& item : items.GetArray()) {
    if (item["id"].GetString() != id) continue;
    found = true;
    EXPECT_STREQ(item["title"].GetString(), "Buy \"oat\" milk & eggs / bread\nsoon ✓");
    EXPECT_STREQ(item["notes"].GetString(), "at the corner shop");
    EXPECT_STREQ(item["tags"][0].GetString(), "Errand");
  }
  EXPECT_TRUE(found) << text_of(after);
  // Straight from the database, too.
  EXPECT_EQ(sql_value(dir.file("things.sqlite"), "SELECT start FROM TMTask WHERE uuid = '" + id + "'"), "0");
}

TEST_F(Stdio, BadInputIsAnsweredAndTheServerKeepsServing) {
  Takt t(dir, config(dir, "server:\n  max_message_size: 2KiB\n"));
  struct Case {
    std::string line;
    int code;
  };
  // Before initialize: a request is refused.
  EXPECT_EQ(error_code(t.raw(R"({"jsonrpc":"2.0","id":100,"method":"tools/list"})")), -32600);
  t.handshake();
  const std::vector<Case> cases = {
      {"this is not json", -32700},
      {"[1,2,3]", -32600},
      {"\"a string\"", -32600},
      {R"({"jsonrpc":"2.0","id":1})", -32600},
      {R"({"jsonrpc":"2.0","id":2,"method":"no/such/method"})", -32601},
      {R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"no_such_tool","arguments":{}}})", -32602},
      {R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"arguments":{}}})", -32602},
      {R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"add_todo","arguments":"title"}})", -32602},
      {R"({"jsonrpc":"2.0","id":6,"method":"ping","params":"x"})", -32602},
      {std::string(R"({"jsonrpc":"2.0","id":7,"method":"ping","params":{"x":")") + std::string(4000, 'a') + "\"}}", -32600},
      {std::string("{\"jsonrpc\":\"2.0\",\"id\":8,\"method\":\"ping\",\"params\":{\"x\":\"\xc3\x28\"}}"), -32700},
      {std::string("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\",\"params\":{\"x\":\"\xed\xa0\x80\"}}"), -32700},
      {std::string(100, '[') + std::string(100, ']'), -32700},
  };
  int n = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.line.substr(0, 80));
    auto r = t.raw(c.line);
    EXPECT_EQ(error_code(r), c.code) << text_of(r);
    EXPECT_TRUE(r["error"]["message"].IsString());
    // Still serving.
    EXPECT_TRUE(t.call(1000 + n++, "ping").HasMember("result"));
  }
  // Arguments of the wrong type are a tool error the model can read, naming the field.
  auto wrong = t.tool(20, "add_todo", R"({"title":42})");
  EXPECT_TRUE(wrong["result"]["isError"].GetBool());
  EXPECT_NE(std::string(wrong["result"]["content"][0]["text"].GetString()).find("title: expected a string"),
            std::string::npos);
  auto bad_when = t.tool(21, "add_todo", R"({"title":"x","when":"someday soon"})");
  EXPECT_TRUE(bad_when["result"]["isError"].GetBool());
  auto bad_limit = t.tool(22, "get_inbox", R"({"limit":"ten"})");
  EXPECT_TRUE(bad_limit["result"]["isError"].GetBool());
  auto bad_period = t.tool(24, "get_logbook", R"({"period":"a week"})");
  EXPECT_TRUE(bad_period["result"]["isError"].GetBool());
  EXPECT_NE(std::string(bad_period["result"]["content"][0]["text"].GetString()).find("period: 'a week' is not a period"),
            std::string::npos);
  // Unknown notifications and responses get no answer; the next request still does.
  t.process().send(R"({"jsonrpc":"2.0","method":"notifications/unknown"})");
  t.process().send(R"({"jsonrpc":"2.0","id":77,"result":{}})");
  EXPECT_TRUE(t.call(23, "ping").HasMember("result"));
  t.process().close_stdin();
  EXPECT_EQ(t.process().wait(), 0);
}

TEST_F(Stdio, TwentyConcurrentWritesNeverOverlapAndEachLandsOnce) {
  Takt t(dir, config(dir, "", "5ms..20ms"));
  t.handshake();
  send_add_todos(t, 100, 20, "concurrent");
  std::set<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    auto r = t.await(std::to_string(100 + i));
    ids.insert(structured(r)["id"].GetString());
  }
  EXPECT_EQ(ids.size(), 20u);
  const auto db = dir.file("things.sqlite");
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(sql_value(db, "SELECT count(*) FROM TMTask WHERE title = 'concurrent " + std::to_string(i) + "'"), "1");
  EXPECT_EQ(stat_of(dir, "overlaps"), 0);
  // Batching (lane.batch_max, 10 by default) runs queued writes together: fewer scripts.
  EXPECT_GE(stat_of(dir, "calls"), 2);
  EXPECT_LE(stat_of(dir, "calls"), 20);
}

TEST_F(Stdio, ClosingStdinFinishesAcceptedWritesAndExitsZero) {
  Takt t(dir, config(dir, "", "30ms..60ms"));
  t.handshake();
  send_add_todos(t, 10, 5, "last words");
  t.process().close_stdin();
  for (int i = 0; i < 5; ++i) structured(t.await(std::to_string(10 + i)));
  EXPECT_EQ(t.process().wait(), 0);
  EXPECT_EQ(sql_value(dir.file("things.sqlite"), "SELECT count(*) FROM TMTask WHERE title LIKE 'last words %'"), "5");
  EXPECT_NE(t.process().stderr_text().find("stopped cleanly"), std::string::npos);
}

TEST_F(Stdio, SigtermFinishesAcceptedWritesAndExitsZero) {
  Takt t(dir, config(dir, "", "30ms..60ms"));
  t.handshake();
  send_add_todos(t, 10, 3, "term");
  // Lines are admitted in order: once a later request is answered, the writes were accepted.
  EXPECT_TRUE(t.call(1, "ping").HasMember("result"));
  t.process().signal(SIGTERM);
  for (int i = 0; i < 3; ++i) structured(t.await(std::to_string(10 + i)));
  EXPECT_EQ(t.process().wait(), 0);
  EXPECT_EQ(sql_value(dir.file("things.sqlite"), "SELECT count(*) FROM TMTask WHERE title LIKE 'term %'"), "3");
}

TEST_F(Stdio, ProgressWhileWaitingForThings) {
  Takt t(dir, config(dir));
  t.handshake();
  auto r = t.call(1, "tools/call", R"({"name":"add_todo","arguments":{"title":"with progress"},"_meta":{"progressToken":"tok-1"}})");
  structured(r);
  std::vector<double> progress;
  for (const auto& n : t.notifications()) {
    auto d = parse_json(n);
    if (std::string(d["method"].GetString()) != "notifications/progress") continue;
    EXPECT_STREQ(d["params"]["progressToken"].GetString(), "tok-1");
    progress.push_back(d["params"]["progress"].GetDouble());
  }
  ASSERT_EQ(progress.size(), 2u);
  EXPECT_LT(progress[0], progress[1]);
}

TEST_F(Stdio, CancelledWaitingRequestNeverRunsAndGetsNoResponse) {
  Takt t(dir, config(dir, "", "300ms..300ms"));
  t.handshake();
  t.process().send(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add_todo","arguments":{"title":"runs"},"_meta":{"progressToken":1}}})");
  // Wait until the first write is running, so the second one waits behind it.
  for (int i = 0; i < 100; ++i) {
    bool running = false;
    for (const auto& n : t.notifications()) running |= n.find("running in Things") != std::string::npos;
    if (running) break;
    auto line = t.process().read_line(100ms);
    if (line) t.notifications().push_back(*line);
  }
  t.process().send(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"add_todo","arguments":{"title":"cancelled"}}})");
  t.process().send(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2,"reason":"user changed their mind"}})");
  structured(t.await("1"));
  auto ping = t.call(3, "ping");  // a response after the cancelled one would have come
  EXPECT_TRUE(ping.HasMember("result"));
  t.process().close_stdin();
  EXPECT_EQ(t.process().wait(), 0);
  while (auto line = t.process().read_line(200ms)) EXPECT_EQ(line->find("\"id\":2"), std::string::npos) << *line;
  EXPECT_EQ(sql_value(dir.file("things.sqlite"), "SELECT count(*) FROM TMTask WHERE title = 'cancelled'"), "0");
  EXPECT_EQ(sql_value(dir.file("things.sqlite"), "SELECT count(*) FROM TMTask WHERE title = 'runs'"), "1");
}

TEST_F(Stdio, LoggingNotificationsFollowTheClientsLevel) {
  Takt t(dir, config(dir));
  t.handshake();
  EXPECT_EQ(error_code(t.call(1, "logging/setLevel", R"({"level":"loud"})")), -32602);
  EXPECT_TRUE(t.call(2, "logging/setLevel", R"({"level":"debug"})").HasMember("result"));
  t.call(3, "ping");
  auto count_messages = [&] {
    int n = 0;
    for (const auto& note : t.notifications())
      if (note.find("notifications/message") != std::string::npos) ++n;
    return n;
  };
  EXPECT_GT(count_messages(), 0);
  EXPECT_TRUE(t.call(4, "logging/setLevel", R"({"level":"error"})").HasMember("result"));
  t.notifications().clear();
  t.call(5, "ping");
  t.call(6, "ping");
  EXPECT_EQ(count_messages(), 0);
}

TEST_F(Stdio, MetricsCountEveryEdgeAndPassPromtool) {
  Takt t(dir, config(dir));
  t.handshake();
  t.tool(1, "get_inbox");
  t.tool(2, "get_inbox");
  t.tool(3, "add_todo", R"({"title":"metric me"})");
  t.tool(4, "health_check");
  const int port = t.metrics_port();
  ASSERT_GT(port, 0) << t.process().stderr_text();
  auto text = http_get(port, "/metrics");
  for (const char* edge : {R"(from="ingress",to="parse")", R"(from="parse",to="classify")",
                           R"(from="classify",to="cache_lookup")", R"(from="cache_lookup",to="fast")",
                           R"(from="cache_lookup",to="db_read")", R"(from="cache_lookup",to="serialize")",
                           R"(from="cache_lookup",to="write_priority")", R"(from="write_priority",to="applescript")",
                           R"(from="applescript",to="cache_store")", R"(from="db_read",to="cache_store")",
                           R"(from="cache_store",to="serialize")", R"(from="fast",to="serialize")",
                           R"(from="serialize",to="egress")"})
    EXPECT_NE(text.find(std::string("takt_edge_messages_total{") + edge), std::string::npos) << edge;
  EXPECT_NE(text.find(R"(takt_cache_lookups_total{result="hit"} 1)"), std::string::npos) << text;
  std::string promtool;
  if (run("command -v promtool", &promtool) != 0) GTEST_SKIP() << "promtool is not installed";
  dir.write("scrape.txt", text);
  std::string out;
  EXPECT_EQ(run("promtool check metrics < " + dir.file("scrape.txt") + " 2>&1", &out), 0) << out;
}

TEST_F(Stdio, CommandLine) {
  std::string out;
  EXPECT_EQ(run(std::string(TAKT_BINARY) + " --version", &out), 0);
  EXPECT_EQ(out.rfind("takt ", 0), 0u);
  EXPECT_EQ(run(std::string(TAKT_BINARY) + " --help", &out), 0);
  EXPECT_NE(out.find("--check-config"), std::string::npos);
  dir.write("bad.yaml", "cache:\n  ttl: 1s\n  colour: red\n");
  EXPECT_EQ(run(std::string(TAKT_BINARY) + " --check-config " + dir.file("bad.yaml") + " 2>&1", &out), 2);
  EXPECT_NE(out.find("bad.yaml:3:3: 'cache.colour' is not a known setting"), std::string::npos) << out;
  EXPECT_EQ(run(std::string(TAKT_BINARY) + " --config " + dir.file("bad.yaml") + " 2>&1 </dev/null", &out), 2);
  EXPECT_EQ(run(std::string(TAKT_BINARY) + " --bogus 2>&1", &out), 2);
  EXPECT_EQ(run(std::string(TAKT_BINARY) + " --check-config " TAKT_SOURCE_DIR "/config/takt.yaml", &out), 0);
}

// issue 16: `--check-config a --check-config b` checked only a; `--version extra` ignored the
// extra argument; a bare duration passed the check and then meant milliseconds.
TEST_F(Stdio, CommandLineTakesNothingItIgnores) {
  const std::string takt = TAKT_BINARY;
  std::string out;
  dir.write("good.yaml", "cache:\n  ttl: 1s\n");
  dir.write("bad.yaml", "backend:\n  script_timeout: 30\n");
  EXPECT_EQ(run(takt + " --check-config " + dir.file("good.yaml") + " --check-config " + dir.file("bad.yaml") + " 2>&1",
                &out), 2);
  EXPECT_NE(out.find("good.yaml: ok"), std::string::npos) << out;
  EXPECT_NE(out.find("bad.yaml:2:19: 'backend.script_timeout' must be a duration with a unit"), std::string::npos) << out;
  EXPECT_EQ(run(takt + " --check-config " + dir.file("bad.yaml") + " --check-config " + dir.file("good.yaml") + " 2>&1",
                &out), 2);
  EXPECT_NE(out.find("good.yaml: ok"), std::string::npos) << out;
  EXPECT_EQ(run(takt + " --check-config " + dir.file("good.yaml") + " --check-config " + dir.file("good.yaml"), &out), 0);
  EXPECT_EQ(run(takt + " --version extra 2>&1", &out), 2);
  EXPECT_NE(out.find("--version takes no other arguments"), std::string::npos) << out;
  EXPECT_EQ(run(takt + " --help --bogus 2>&1", &out), 2);
  EXPECT_EQ(run(takt + " --config " + dir.file("good.yaml") + " --config " + dir.file("good.yaml") + " 2>&1 </dev/null", &out), 2);
  EXPECT_NE(out.find("--config is given twice"), std::string::npos) << out;
  EXPECT_EQ(run(takt + " --config " + dir.file("good.yaml") + " --check-config " + dir.file("good.yaml") + " 2>&1", &out), 2);
}

// issue 16: a configured backend.database in a directory that does not exist made takt
// create the directories (and a fresh demo database there).
TEST_F(Stdio, AConfiguredDatabaseNeedsItsDirectory) {
  const auto missing = dir.file("no/such/dir/things.sqlite");
  dir.write("db.yaml", "backend:\n  database: " + missing + "\nmetrics:\n  enabled: false\ncache:\n  dir: " + dir.file("cache") +
                          "\n");
  std::string out;
  EXPECT_EQ(run(std::string(TAKT_BINARY) + " --config " + dir.file("db.yaml") + " 2>&1 </dev/null", &out), 1);
  EXPECT_NE(out.find("backend.database: the directory " + dir.file("no/such/dir") + " of " + missing +
                     " does not exist"),
            std::string::npos)
      << out;
  EXPECT_FALSE(std::filesystem::exists(dir.file("no")));
}

// issue 16: the hints takt prints on a terminal left out the --config it was started with.
TEST_F(Stdio, TerminalHintsCarryTheConfigTaktWasGiven) {
  std::string script;
  if (run("command -v script", &script) != 0) GTEST_SKIP() << "script(1) is not installed";
  dir.write("hint.yaml", "backend:\n  database: " + dir.file("things.sqlite") + "\nmetrics:\n  enabled: false\ncache:\n  dir: " +
                             dir.file("cache") + "\n");
  std::string out;
  // script(1) gives takt a terminal on stdin; stdin ends at once, and takt exits.
  run("script -qec '" + std::string(TAKT_BINARY) + " --config " + dir.file("hint.yaml") + " </dev/tty' /dev/null </dev/null 2>&1",
      &out);
  EXPECT_NE(out.find("\"args\":[\"--config\",\"" + dir.file("hint.yaml") + "\"]"), std::string::npos) << out;
  EXPECT_NE(out.find("tools/list -- " + std::string(TAKT_BINARY) + " --config '" + dir.file("hint.yaml") + "'"),
            std::string::npos)
      << out;
}

TEST_F(Stdio, StdoutCarriesOnlyMcpMessages) {
  Takt t(dir, config(dir, "logging:\n  level: debug\n"));
  t.handshake();
  t.tool(1, "get_today");
  t.tool(2, "add_todo", R"({"title":"quiet"})");
  t.process().close_stdin();
  while (auto line = t.process().read_line(1s)) {
    auto d = parse_json(*line);
    EXPECT_STREQ(d["jsonrpc"].GetString(), "2.0") << *line;
  }
  EXPECT_EQ(t.process().wait(), 0);
  EXPECT_NE(t.process().stderr_text().find("serving MCP over stdio"), std::string::npos);
}

TEST_F(Stdio, AHangingScriptIsKilledAtItsToolsTimeout) {
  // things-sim hangs on every call; the tool's timeout kills its whole process group.
  std::string cfg = config(dir, "tools:\n  timeout:\n    add_todo: 400ms\n", "1ms");
  cfg.replace(cfg.find("backend:\n"), 9, "backend:\n  sim_hang_rate: 1\n");
  Takt t(dir, cfg);
  t.handshake();
  const auto start = std::chrono::steady_clock::now();
  auto r = t.tool(1, "add_todo", R"({"title":"never lands"})");
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(r["result"]["isError"].GetBool()) << json::dump(r);
  EXPECT_NE(std::string(r["result"]["content"][0]["text"].GetString()).find("did not answer in time"), std::string::npos);
  EXPECT_LT(took, 5s);
  // The server still serves, and no things-sim is left running against this database.
  EXPECT_TRUE(t.call(2, "ping").HasMember("result"));
  std::string out;
  // ([t] keeps pgrep from matching the shell that runs it.)
  run("pgrep -f '[t]hings-sim --db " + dir.file("things.sqlite") + "' || true", &out);
  EXPECT_EQ(out, "") << "a killed script left processes behind";
  EXPECT_EQ(sql_value(dir.file("things.sqlite"), "SELECT count(*) FROM TMTask WHERE title = 'never lands'"), "0");
}

// issue 16, documented (docs/architecture.md): one hung script fails every write batched
// with it, and none is tried again (the batch's deadline is spent); each error says the
// database shows it was not applied.
TEST_F(Stdio, AHungScriptFailsEveryWriteOfItsBatchSayingWhatTheDatabaseShows) {
  std::string cfg = config(dir, "tools:\n  timeout:\n    add_todo: 400ms\n", "1ms");
  cfg.replace(cfg.find("backend:\n"), 9, "backend:\n  sim_hang_rate: 1\n");
  Takt t(dir, cfg);
  t.handshake();
  for (int i = 0; i < 3; ++i)
    t.process().send(R"({"jsonrpc":"2.0","id":)" + std::to_string(10 + i) +
                     R"(,"method":"tools/call","params":{"name":"add_todo","arguments":{"title":"hung )" +
                     std::to_string(i) + R"("}}})");
  for (int i = 0; i < 3; ++i) {
    auto r = t.await(std::to_string(10 + i));
    ASSERT_TRUE(r["result"]["isError"].GetBool()) << text_of(r);
    const std::string text = r["result"]["content"][0]["text"].GetString();
    EXPECT_NE(text.find("did not answer in time"), std::string::npos) << text;
    EXPECT_NE(text.find("not applied: the database shows no such to-do"), std::string::npos) << text;
  }
  EXPECT_EQ(sql_value(dir.file("things.sqlite"), "SELECT count(*) FROM TMTask WHERE title LIKE 'hung %'"), "0");
}

TEST_F(Stdio, OverloadRejectAnswersAtOnceWhenFull) {
  Takt t(dir, config(dir, "server:\n  max_in_flight: 2\n  on_overload: reject\n", "300ms"));
  t.handshake();
  for (int i = 0; i < 8; ++i)
    t.process().send(R"({"jsonrpc":"2.0","id":)" + std::to_string(10 + i) +
                     R"(,"method":"tools/call","params":{"name":"add_todo","arguments":{"title":"r)" +
                     std::to_string(i) + R"("}}})");
  // In arrival order: the refusals come back at once, before any 300 ms script is done.
  int ok = 0, overloaded = 0;
  bool ok_seen = false;
  while (ok + overloaded < 8) {
    auto line = t.process().read_line();
    ASSERT_TRUE(line) << t.process().stderr_text();
    auto r = parse_json(*line);
    if (!r.HasMember("id")) continue;
    if (r.HasMember("error")) {
      EXPECT_EQ(r["error"]["code"].GetInt(), -32000);
      EXPECT_NE(std::string(r["error"]["message"].GetString()).find("retry later"), std::string::npos);
      EXPECT_FALSE(ok_seen) << "a refusal waited behind a script";
      ++overloaded;
    } else {
      ok_seen = true;
      ++ok;
    }
  }
  EXPECT_GE(ok, 1);
  EXPECT_GE(overloaded, 5);
}

TEST_F(Stdio, ABurstLargerThanTheInFlightLimitIsAllAnswered) {
  // The replies to one read's lines are held back to leave in one write; before the
  // reader blocks on a full pipeline they must go out, or nothing would free a slot.
  Takt t(dir, config(dir, "server:\n  max_in_flight: 2\n"));
  t.handshake();
  std::string burst;
  for (int i = 0; i < 500; ++i) burst += R"({"jsonrpc":"2.0","id":)" + std::to_string(100 + i) + R"(,"method":"ping"})" "\n";
  burst.pop_back();
  t.process().send(burst);
  for (int i = 0; i < 500; ++i) EXPECT_TRUE(t.await(std::to_string(100 + i), 10s).HasMember("result"));
}

TEST_F(Stdio, RepliesMadeOffTheReaderWhileItWaitsForASlotStillLeave) {
  // Identical cold reads: the first goes to the database on a worker thread, the rest
  // wait behind it (coalesced) and fill every slot, so the reader blocks. Their replies
  // are made on that worker thread while the reader waits: they must be written then,
  // not held for a reader batch that cannot end until they are.
  Takt t(dir, config(dir, "server:\n  max_in_flight: 4\ncache:\n  shared: false\n"));
  t.handshake();
  for (int round = 0; round < 5; ++round) {
    std::string burst;
    for (int i = 0; i < 40; ++i)
      burst += R"({"jsonrpc":"2.0","id":)" + std::to_string(1000 * round + i) +
               R"(,"method":"tools/call","params":{"name":"get_todos","arguments":{"limit":)" +
               std::to_string(round + 1) + "}}}\n";
    burst.pop_back();
    t.process().send(burst);
    for (int i = 0; i < 40; ++i) EXPECT_TRUE(t.await(std::to_string(1000 * round + i), 10s).HasMember("result"));
  }
}

// Reads through AppleScript (a Mac without Full Disk Access): every read tool answers from
// takt's mirror of Things, read by one script in the lane, and says what it cannot show;
// reads within tools.mirror_max_age share that script; takt's own write drops the mirror,
// so the next read shows it; a change made in Things shows once the mirror is too old.
TEST_F(Stdio, ReadsThroughAppleScriptAnswerFromTheMirror) {
  Takt t(dir, config(dir, "tools:\n  reads_via: applescript\n  mirror_max_age: 1s\ncache:\n  enabled: false\n"));
  t.handshake();
  auto list = t.call(1, "tools/list");
  const long long calls_before = stat_of(dir, "calls");
  const std::string project = structured(t.tool(2, "get_projects"))["items"][0]["id"].GetString();
  const std::map<std::string, std::string> args = {
      {"get_headings", R"({"project":")" + project + "\"}"},
      {"get_item", R"({"id":")" + project + "\"}"},
      {"search", R"({"query":"the"})"},
  };
  int id = 10;
  for (const auto& tool : list["result"]["tools"].GetArray()) {
    if (!tool["annotations"]["readOnlyHint"].GetBool()) continue;
    const std::string name = tool["name"].GetString();
    SCOPED_TRACE(name);
    auto it = args.find(name);
    auto r = t.tool(id++, name, it == args.end() ? "{}" : it->second);
    EXPECT_EQ(things::validate(tool["outputSchema"], structured(r)).value_or(""), "");
    if (name == "health_check" || name == "queue_status") continue;
    std::string text;
    for (const auto& c : r["result"]["content"].GetArray()) text += c["text"].GetString();
    EXPECT_NE(text.find("Read through Things' AppleScript"), std::string::npos) << text;
  }
  EXPECT_EQ(structured(t.tool(40, "get_inbox"))["total"].GetInt64(), 4);
  // Every read so far came from one script, or a few if a second passed meanwhile.
  EXPECT_LE(stat_of(dir, "calls") - calls_before, 3);

  auto w = t.tool(41, "add_todo", R"({"title":"read back through the mirror"})");
  EXPECT_FALSE(w["result"]["isError"].GetBool()) << text_of(w);
  EXPECT_EQ(structured(t.tool(42, "get_inbox"))["total"].GetInt64(), 5);

  // Things changes without takt: seen once the mirror is older than a second.
  ASSERT_EQ(run(std::string(THINGS_SIM_BINARY) + " --db " + dir.file("things.sqlite") +
                " --latency-ms 0:0 -e 'tell application \"Things3\" to make new to do with properties {name:\"outside\"}'"),
            0);
  std::this_thread::sleep_for(1100ms);
  EXPECT_EQ(structured(t.tool(43, "get_inbox"))["total"].GetInt64(), 6);
}

TEST_F(Stdio, MetricsDocumentedAreExactlyTheMetricsServed) {
  Takt t(dir, config(dir));
  t.handshake();
  t.tool(1, "get_inbox");
  t.tool(2, "add_todo", R"({"title":"documented"})");
  const int port = t.metrics_port();
  ASSERT_GT(port, 0);
  const auto scrape = http_get(port, "/metrics");
  std::set<std::string> served, documented;
  std::istringstream lines(scrape);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("# TYPE ", 0) == 0) served.insert(line.substr(7, line.find(' ', 7) - 7));
  std::ifstream doc(TAKT_SOURCE_DIR "/docs/metrics.md");
  ASSERT_TRUE(doc) << "docs/metrics.md is missing";
  for (std::string line; std::getline(doc, line);)
    if (line.rfind("| `takt_", 0) == 0 || line.rfind("| `exposer_", 0) == 0 || line.rfind("| `process_", 0) == 0)
      documented.insert(line.substr(3, line.find('`', 3) - 3));
  EXPECT_EQ(served, documented);
}
