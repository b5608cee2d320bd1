// Resources, prompts and completion: the real takt over stdio, on a things-sim database of
// its own. A resource holds exactly what its read tool answers; prompts embed the current
// data; completion offers the names Things holds.

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/json.hpp"
#include "support/takt_process.hpp"

using namespace takt;
using namespace takt::test;

namespace {

std::string config(const TempDir& dir, const std::string& extra = "") {
  return "backend:\n  database: " + dir.file("things.sqlite") +
         "\n  sim_per_op: 0ms\n  sim_latency: 1ms..2ms\n  script_timeout: 10s\nmetrics:\n  listen: 127.0.0.1:0\n" + extra;
}

std::string text_of(const rapidjson::Value& v) { return json::dump(v); }

const rapidjson::Value& result(const rapidjson::Document& r) {
  EXPECT_TRUE(r.HasMember("result")) << text_of(r);
  return r["result"];
}

/// The JSON a resources/read answered, parsed.
rapidjson::Document read_resource(Takt& t, int id, const std::string& uri) {
  auto r = t.call(id, "resources/read", R"({"uri":)" + json::quote(uri) + "}");
  const auto& contents = result(r)["contents"];
  EXPECT_EQ(contents.Size(), 1u);
  EXPECT_EQ(std::string(contents[0]["uri"].GetString()), uri);
  EXPECT_STREQ(contents[0]["mimeType"].GetString(), "application/json");
  return parse_json(contents[0]["text"].GetString());
}

std::string tool_answer(Takt& t, int id, const std::string& name, const std::string& args = "{}") {
  auto r = t.tool(id, name, args);
  EXPECT_FALSE(result(r)["isError"].GetBool()) << text_of(r);
  return text_of(result(r)["structuredContent"]);
}

/// The id of the first item of a tool's list answer.
std::string first_id(Takt& t, int id, const std::string& tool) {
  auto d = parse_json(tool_answer(t, id, tool));
  EXPECT_GT(d["items"].Size(), 0u) << tool;
  return d["items"][0]["id"].GetString();
}

class Resources : public ::testing::Test {
 protected:
  TempDir dir;
};

}  // namespace

TEST_F(Resources, CapabilitiesAreDeclared) {
  Takt t(dir, config(dir));
  auto r = t.call(1, "initialize", R"({"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"x","version":"1"}})");
  const auto& caps = result(r)["capabilities"];
  ASSERT_TRUE(caps.HasMember("resources")) << text_of(caps);
  EXPECT_TRUE(caps["resources"].HasMember("subscribe"));
  EXPECT_TRUE(caps.HasMember("prompts"));
  EXPECT_TRUE(caps.HasMember("completions"));
}

TEST_F(Resources, EveryListResourceEqualsItsToolsAnswer) {
  Takt t(dir, config(dir));
  t.handshake();
  const std::pair<const char*, const char*> lists[] = {
      {"things://lists/inbox", "get_inbox"},     {"things://lists/today", "get_today"},
      {"things://lists/upcoming", "get_upcoming"}, {"things://lists/anytime", "get_anytime"},
      {"things://lists/someday", "get_someday"}, {"things://lists/logbook", "get_logbook"},
      {"things://lists/trash", "get_trash"},     {"things://projects", "get_projects"},
      {"things://areas", "get_areas"},           {"things://tags", "get_tags"}};
  int id = 10;
  std::set<std::string> listed;
  auto page = t.call(id++, "resources/list");
  for (const auto& r : result(page)["resources"].GetArray()) listed.insert(r["uri"].GetString());
  for (auto [uri, tool] : lists) {
    EXPECT_TRUE(listed.count(uri)) << uri << " is not in resources/list";
    auto resource = read_resource(t, id++, uri);
    EXPECT_EQ(text_of(resource), tool_answer(t, id++, tool)) << uri;
  }
}

TEST_F(Resources, ListIsPagedWithACursor) {
  Takt t(dir, config(dir));
  t.handshake();
  std::set<std::string> uris;
  std::string cursor;
  int pages = 0, id = 1;
  do {
    auto r = t.call(id++, "resources/list", cursor.empty() ? "{}" : R"({"cursor":)" + json::quote(cursor) + "}");
    const auto& res = result(r);
    for (const auto& e : res["resources"].GetArray()) EXPECT_TRUE(uris.insert(e["uri"].GetString()).second);
    cursor = res.HasMember("nextCursor") ? res["nextCursor"].GetString() : "";
    ++pages;
  } while (!cursor.empty() && pages < 100);
  // Every open project, area and tag is listed, by its template's uri.
  auto projects = parse_json(tool_answer(t, id++, "get_projects"));
  for (const auto& p : projects["items"].GetArray())
    EXPECT_TRUE(uris.count(std::string("things://projects/") + p["id"].GetString()));
  auto tags = parse_json(tool_answer(t, id++, "get_tags"));
  for (const auto& p : tags["items"].GetArray())
    EXPECT_TRUE(uris.count(std::string("things://tags/") + p["id"].GetString()));
  EXPECT_EQ(t.call(id++, "resources/list", R"({"cursor":"nonsense"})")["error"]["code"].GetInt(), -32602);
}

TEST_F(Resources, TemplatesReadOneItemProjectAreaAndTag) {
  Takt t(dir, config(dir));
  t.handshake();
  auto templates = t.call(1, "resources/templates/list");
  std::set<std::string> forms;
  for (const auto& e : result(templates)["resourceTemplates"].GetArray()) forms.insert(e["uriTemplate"].GetString());
  EXPECT_EQ(forms, (std::set<std::string>{"things://items/{id}", "things://projects/{id}", "things://areas/{id}",
                                          "things://tags/{id}"}));

  const auto project = first_id(t, 2, "get_projects");
  EXPECT_EQ(text_of(read_resource(t, 3, "things://projects/" + project)),
            tool_answer(t, 4, "get_item", R"({"id":)" + json::quote(project) + "}"));
  const auto todo = first_id(t, 5, "get_today");
  EXPECT_EQ(text_of(read_resource(t, 6, "things://items/" + todo)),
            tool_answer(t, 7, "get_item", R"({"id":)" + json::quote(todo) + "}"));

  const auto area = first_id(t, 8, "get_areas");
  auto a = read_resource(t, 9, "things://areas/" + area);
  EXPECT_EQ(std::string(a["area"]["id"].GetString()), area);
  EXPECT_EQ(text_of(a["projects"]), tool_answer(t, 10, "get_projects", R"({"area":)" + json::quote(area) + "}"));
  EXPECT_EQ(text_of(a["todos"]), tool_answer(t, 11, "get_todos", R"({"area":)" + json::quote(area) + "}"));

  const auto tag = first_id(t, 12, "get_tags");
  auto g = read_resource(t, 13, "things://tags/" + tag);
  EXPECT_EQ(std::string(g["tag"]["id"].GetString()), tag);
  EXPECT_EQ(text_of(g["items"]),
            tool_answer(t, 14, "search_advanced", R"({"tag":)" + json::quote(tag) + R"(,"status":"open"})"));

  // A to-do is no project; unknown uris and ids are "Resource not found".
  EXPECT_EQ(t.call(15, "resources/read", R"({"uri":"things://projects/)" + todo + R"("})")["error"]["code"].GetInt(),
            -32002);
  EXPECT_EQ(t.call(16, "resources/read", R"({"uri":"things://items/nope"})")["error"]["code"].GetInt(), -32002);
  EXPECT_EQ(t.call(17, "resources/read", R"({"uri":"file:///etc/passwd"})")["error"]["code"].GetInt(), -32002);
  EXPECT_EQ(t.call(18, "resources/read", "{}")["error"]["code"].GetInt(), -32602);
}

TEST_F(Resources, PromptsEmbedTheCurrentData) {
  Takt t(dir, config(dir));
  t.handshake();
  auto list = t.call(1, "prompts/list");
  std::set<std::string> names;
  for (const auto& p : result(list)["prompts"].GetArray()) names.insert(p["name"].GetString());
  EXPECT_EQ(names, (std::set<std::string>{"plan_day", "weekly_review", "process_inbox", "review_project"}));

  int id = 10;
  for (const char* name : {"plan_day", "weekly_review", "process_inbox"}) {
    auto r = t.call(id++, "prompts/get", R"({"name":")" + std::string(name) + R"("})");
    const auto& messages = result(r)["messages"];
    ASSERT_GE(messages.Size(), 2u) << name;
    EXPECT_STREQ(messages[0]["content"]["type"].GetString(), "text");
    for (rapidjson::SizeType i = 1; i < messages.Size(); ++i) {
      const auto& res = messages[i]["content"]["resource"];
      EXPECT_STREQ(messages[i]["content"]["type"].GetString(), "resource");
      // What is embedded is what resources/read gives for that uri now.
      EXPECT_EQ(text_of(parse_json(res["text"].GetString())), text_of(read_resource(t, id++, res["uri"].GetString())));
    }
  }
  // review_project with its argument completed from what was typed: the first match.
  auto projects = parse_json(tool_answer(t, id++, "get_projects"));
  const std::string title = projects["items"][0]["title"].GetString();
  const std::string project = projects["items"][0]["id"].GetString();
  auto c = t.call(id++, "completion/complete",
                  R"({"ref":{"type":"ref/prompt","name":"review_project"},"argument":{"name":"project","value":)" +
                      json::quote(title.substr(0, 3)) + "}}");
  const auto& values = result(c)["completion"]["values"];
  ASSERT_GT(values.Size(), 0u) << text_of(c);
  EXPECT_EQ(std::string(values[0].GetString()), title);
  auto r = t.call(id++, "prompts/get",
                  R"({"name":"review_project","arguments":{"project":)" + json::quote(values[0].GetString()) + "}}");
  const auto& messages = result(r)["messages"];
  ASSERT_EQ(messages.Size(), 2u) << text_of(r);
  EXPECT_EQ(std::string(messages[1]["content"]["resource"]["uri"].GetString()), "things://projects/" + project);
  // Missing or unknown arguments are invalid params.
  EXPECT_EQ(t.call(id++, "prompts/get", R"({"name":"review_project"})")["error"]["code"].GetInt(), -32602);
  EXPECT_EQ(t.call(id++, "prompts/get", R"({"name":"review_project","arguments":{"project":"No such project"}})")
                ["error"]["code"].GetInt(),
            -32602);
  EXPECT_EQ(t.call(id++, "prompts/get", R"({"name":"nope"})")["error"]["code"].GetInt(), -32602);
}

TEST_F(Resources, CompletionOffersNamesAndIdsBestFirst) {
  Takt t(dir, config(dir));
  t.handshake();
  int id = 1;
  // Template variables complete to ids; an empty value offers every area in Things' order.
  auto areas = parse_json(tool_answer(t, id++, "get_areas"));
  auto c = t.call(id++, "completion/complete",
                  R"({"ref":{"type":"ref/resource","uri":"things://areas/{id}"},"argument":{"name":"id","value":""}})");
  const auto& values = result(c)["completion"]["values"];
  ASSERT_EQ(values.Size(), areas["items"].Size()) << text_of(c);
  for (rapidjson::SizeType i = 0; i < values.Size(); ++i)
    EXPECT_STREQ(values[i].GetString(), areas["items"][i]["id"].GetString());
  EXPECT_EQ(result(c)["completion"]["total"].GetInt(), static_cast<int>(values.Size()));
  // A title that starts with what was typed comes before one that only holds it.
  auto tags = parse_json(tool_answer(t, id++, "get_tags"));
  const std::string tag_title = tags["items"][0]["title"].GetString();
  auto tc = t.call(id++, "completion/complete",
                   R"({"ref":{"type":"ref/resource","uri":"things://tags/{id}"},"argument":{"name":"id","value":)" +
                       json::quote(tag_title) + "}}");
  ASSERT_GT(result(tc)["completion"]["values"].Size(), 0u) << text_of(tc);
  EXPECT_STREQ(result(tc)["completion"]["values"][0].GetString(), tags["items"][0]["id"].GetString());
  // Nothing matches: an empty completion, not an error.
  auto none = t.call(id++, "completion/complete",
                     R"({"ref":{"type":"ref/prompt","name":"review_project"},"argument":{"name":"project","value":"zzzzqqq"}})");
  EXPECT_EQ(result(none)["completion"]["values"].Size(), 0u);
  EXPECT_EQ(t.call(id++, "completion/complete", R"({"ref":{"type":"ref/prompt","name":"nope"},"argument":{"name":"x","value":""}})")
                ["error"]["code"].GetInt(),
            -32602);
}

namespace {

/// Pings until a notification for `uri` arrived (true) or `within` passed (false).
bool notified(Takt& t, int& id, const std::string& uri, std::chrono::milliseconds within) {
  const auto until = std::chrono::steady_clock::now() + within;
  const auto wanted = R"("uri":)" + json::quote(uri);
  for (;;) {
    for (auto it = t.notifications().begin(); it != t.notifications().end(); ++it)
      if (it->find("notifications/resources/updated") != std::string::npos && it->find(wanted) != std::string::npos) {
        t.notifications().erase(it);
        return true;
      }
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(20ms);
    t.call(id++, "ping");
  }
}

/// Runs `sql` on the database from another process (the sqlite3 program), as Things or a
/// sync would change it.
void change_outside(const TempDir& dir, const std::string& sql) {
  ASSERT_EQ(run("sqlite3 -cmd '.timeout 10000' " + dir.file("things.sqlite") + " \"" + sql + "\""), 0) << sql;
}

}  // namespace

TEST_F(Resources, SubscribersAreToldOfOutsideChangesToTheirResourcesOnly) {
  Takt t(dir, config(dir, "cache:\n  ttl: 60s\n  watch: 50ms\n"));
  t.handshake();
  int id = 1;
  auto inbox = parse_json(tool_answer(t, id++, "get_inbox"));  // now cached for a minute
  ASSERT_GT(inbox["items"].Size(), 0u);
  const std::string todo = inbox["items"][0]["id"].GetString();
  for (const char* uri : {"things://lists/inbox", "things://tags"})
    EXPECT_TRUE(result(t.call(id++, "resources/subscribe", R"({"uri":")" + std::string(uri) + R"("})")).IsObject());
  read_resource(t, id++, "things://lists/inbox");  // cached too

  change_outside(dir, "UPDATE TMTask SET title = 'Changed by someone else' WHERE uuid = '" + todo + "'");
  EXPECT_TRUE(notified(t, id, "things://lists/inbox", 5s));
  // The cache was dropped with the same signal: neither the tool nor the resource answers
  // from before the change, though their TTL is a minute.
  EXPECT_NE(tool_answer(t, id++, "get_inbox").find("Changed by someone else"), std::string::npos);
  EXPECT_NE(text_of(read_resource(t, id++, "things://lists/inbox")).find("Changed by someone else"), std::string::npos);
  // The tags did not change: no word about them.
  EXPECT_FALSE(notified(t, id, "things://tags", 500ms));

  // Unsubscribed: no more notifications for the Inbox.
  EXPECT_TRUE(result(t.call(id++, "resources/unsubscribe", R"({"uri":"things://lists/inbox"})")).IsObject());
  change_outside(dir, "UPDATE TMTask SET title = 'Changed again' WHERE uuid = '" + todo + "'");
  EXPECT_FALSE(notified(t, id, "things://lists/inbox", 500ms));
  EXPECT_NE(tool_answer(t, id++, "get_inbox").find("Changed again"), std::string::npos);
}

TEST_F(Resources, ATemplateSubscriptionFollowsItsItem) {
  Takt t(dir, config(dir, "cache:\n  watch: 50ms\n"));
  t.handshake();
  int id = 1;
  auto projects = parse_json(tool_answer(t, id++, "get_projects"));
  const std::string project = projects["items"][0]["id"].GetString();
  const std::string other = projects["items"][1]["id"].GetString();
  for (const auto& p : {project, other})
    result(t.call(id++, "resources/subscribe", R"({"uri":"things://projects/)" + p + R"("})"));
  change_outside(dir, "UPDATE TMTask SET notes = 'new notes' WHERE uuid = '" + project + "'");
  EXPECT_TRUE(notified(t, id, "things://projects/" + project, 5s));
  EXPECT_FALSE(notified(t, id, "things://projects/" + other, 300ms));
  // Unknown resources cannot be subscribed to.
  EXPECT_EQ(t.call(id++, "resources/subscribe", R"({"uri":"things://projects/nope"})")["error"]["code"].GetInt(), -32002);
}

TEST_F(Resources, ShowOpensThingsAtAnItemOrAList) {
  Takt t(dir, config(dir));
  t.handshake();
  int id = 1;
  const auto project = first_id(t, id++, "get_projects");
  const auto area = first_id(t, id++, "get_areas");
  auto today = t.tool(id++, "show", R"({"list":"today"})");
  EXPECT_FALSE(result(today)["isError"].GetBool()) << text_of(today);
  EXPECT_STREQ(result(today)["structuredContent"]["title"].GetString(), "Today");
  auto shown = t.tool(id++, "show", R"({"id":)" + json::quote(project) + "}");
  EXPECT_FALSE(result(shown)["isError"].GetBool()) << text_of(shown);
  EXPECT_EQ(std::string(result(shown)["structuredContent"]["id"].GetString()), project);
  EXPECT_FALSE(result(t.tool(id++, "show", R"({"id":)" + json::quote(area) + "}"))["isError"].GetBool());
  // things-sim records what Things would show.
  std::string stats;
  ASSERT_EQ(run(std::string(THINGS_SIM_BINARY) + " --db " + dir.file("things.sqlite") + " --stats", &stats), 0);
  auto s = parse_json(stats);
  ASSERT_TRUE(s.HasMember("shown")) << stats;
  std::vector<std::string> seen;
  for (const auto& v : s["shown"].GetArray()) seen.emplace_back(v.GetString());
  EXPECT_EQ(seen, (std::vector<std::string>{"list TMTodayListSource", "project " + project, "area " + area}));
  // Exactly one of id and list; an id Things does not hold is a tool error.
  EXPECT_TRUE(result(t.tool(id++, "show", "{}"))["isError"].GetBool());
  EXPECT_TRUE(result(t.tool(id++, "show", R"({"id":"NoSuchIdAtAll00000000"})"))["isError"].GetBool());
}
