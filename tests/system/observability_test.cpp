// Observability, end to end: the real takt binary scraped by Debian's real Prometheus
// while a mixed load runs, every PromQL expression of every shipped Grafana dashboard
// asked of it; the dashboards and provisioning files checked for what a stock Grafana
// needs; the shipped prometheus.yml through promtool; stage, tool and buffer metrics
// against the requests that made them; the log file with its rotation and request lines.

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "base/json.hpp"
#include "support/takt_process.hpp"

using namespace takt;
using namespace takt::test;
namespace fs = std::filesystem;

namespace {

const std::string kGrafana = TAKT_SOURCE_DIR "/grafana";
const std::string kDashboards = kGrafana + "/provisioning/dashboards/takt";

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::string> dashboard_files() {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(kDashboards))
    if (e.path().extension() == ".json") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

/// The uid of the provisioned Prometheus data source.
std::string datasource_uid() {
  auto y = YAML::LoadFile(kGrafana + "/provisioning/datasources/takt.yaml");
  return y["datasources"][0]["uid"].as<std::string>();
}

/// Every panel, rows' nested panels included.
void each_panel(const rapidjson::Value& panels, const std::function<void(const rapidjson::Value&)>& f) {
  for (const auto& p : panels.GetArray()) {
    f(p);
    if (p.HasMember("panels") && p["panels"].IsArray()) each_panel(p["panels"], f);
  }
}

struct Expr {
  std::string where;  ///< dashboard / panel title / refId
  std::string promql;
  bool instant = false;
};

struct Variable {
  std::string name, type, query;  ///< query: label_values(...) or a custom list
  std::string first_option;
};

std::vector<Variable> variables(const rapidjson::Document& d) {
  std::vector<Variable> out;
  for (const auto& v : d["templating"]["list"].GetArray()) {
    Variable var{v["name"].GetString(), v["type"].GetString(), "", ""};
    if (var.type == "query") var.query = v["query"].IsObject() ? v["query"]["query"].GetString() : v["query"].GetString();
    if (var.type == "custom") {
      var.query = v["query"].GetString();
      var.first_option = var.query.substr(0, var.query.find(','));
    }
    out.push_back(var);
  }
  return out;
}

/// Grafana's variables as a dashboard would resolve them here: multi-value query
/// variables set to "All" (a regex that matches everything), custom ones to their first
/// value, and the built-in intervals for a 1 s scrape interval.
std::string substitute(std::string q, const std::vector<Variable>& vars) {
  std::vector<std::pair<std::string, std::string>> subs = {
      {"$__rate_interval", "5s"}, {"$__interval", "1s"}, {"$__range", "30s"}};
  for (const auto& v : vars) subs.push_back({"$" + v.name, v.type == "custom" ? v.first_option : ".+"});
  std::sort(subs.begin(), subs.end(), [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  for (const auto& [from, to] : subs) {
    const std::string patterns[] = {from, "${" + from.substr(1) + "}"};
    for (const auto& pat : patterns)
      for (auto at = q.find(pat); at != std::string::npos; at = q.find(pat, at + to.size())) q.replace(at, pat.size(), to);
  }
  return q;
}

std::string url_encode(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

std::string which(const std::string& program) {
  std::string out;
  if (run("command -v " + program, &out) != 0) return "";
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back()))) out.pop_back();
  return out;
}

/// One series' value in a scrape ("" if absent).
double value_of(const std::string& scrape, const std::string& series) {
  const auto at = scrape.find("\n" + series + " ");
  return at == std::string::npos ? -1 : std::stod(scrape.substr(at + series.size() + 2));
}

std::string config(const TempDir& dir, const std::string& extra = "") {
  return "backend:\n  database: " + dir.file("things.sqlite") +
         "\n  sim_per_op: 0ms\n  sim_latency: 1ms..3ms\nmetrics:\n  listen: 127.0.0.1:0\n" + extra;
}

class Observability : public ::testing::Test {
 protected:
  TempDir dir;
};

}  // namespace

TEST_F(Observability, DashboardsAreGrafanaJsonAStockGrafanaProvisionsAsTheyAre) {
  const auto uid = datasource_uid();
  auto ds = YAML::LoadFile(kGrafana + "/provisioning/datasources/takt.yaml");
  EXPECT_EQ(ds["apiVersion"].as<int>(), 1);
  EXPECT_EQ(ds["datasources"][0]["type"].as<std::string>(), "prometheus");
  EXPECT_FALSE(ds["datasources"][0]["url"].as<std::string>().empty());
  auto provider = YAML::LoadFile(kGrafana + "/provisioning/dashboards/takt.yaml");
  EXPECT_EQ(provider["apiVersion"].as<int>(), 1);
  EXPECT_EQ(provider["providers"][0]["type"].as<std::string>(), "file");
  // The provider points where the JSON files are, relative to the provisioning directory.
  EXPECT_EQ(provider["providers"][0]["options"]["path"].as<std::string>(), "${GF_PATHS_PROVISIONING}/dashboards/takt");

  const std::set<std::string> stock = {"row", "timeseries", "stat", "gauge", "heatmap", "nodeGraph", "table", "bargauge", "text"};
  const auto files = dashboard_files();
  ASSERT_GE(files.size(), 5u);
  std::set<std::string> uids, titles;
  bool node_graph = false;
  for (const auto& file : files) {
    SCOPED_TRACE(file);
    rapidjson::Document d;
    d.Parse(slurp(file).c_str());
    ASSERT_FALSE(d.HasParseError());
    ASSERT_TRUE(d.IsObject());
    EXPECT_FALSE(d.HasMember("__inputs")) << "an exported-for-import dashboard does not provision";
    ASSERT_TRUE(d.HasMember("uid") && d["uid"].IsString());
    const std::string duid = d["uid"].GetString();
    EXPECT_TRUE(!duid.empty() && duid.size() <= 40) << duid;
    EXPECT_TRUE(uids.insert(duid).second) << "two dashboards share uid " << duid;
    ASSERT_TRUE(d.HasMember("title") && d["title"].IsString());
    EXPECT_TRUE(titles.insert(d["title"].GetString()).second);
    ASSERT_TRUE(d.HasMember("schemaVersion") && d["schemaVersion"].IsInt());
    EXPECT_GE(d["schemaVersion"].GetInt(), 36);  // Grafana 9.x and later migrate from here
    EXPECT_LE(d["schemaVersion"].GetInt(), 41);  // no newer than current Grafana writes
    ASSERT_TRUE(d.HasMember("panels") && d["panels"].IsArray() && !d["panels"].Empty());
    for (const auto& v : d["templating"]["list"].GetArray())
      if (std::string(v["type"].GetString()) == "query") {
        EXPECT_EQ(std::string(v["datasource"]["uid"].GetString()), uid);
      }
    std::set<int> ids;
    each_panel(d["panels"], [&](const rapidjson::Value& p) {
      const std::string type = p["type"].GetString();
      const std::string title = p.HasMember("title") ? p["title"].GetString() : "";
      SCOPED_TRACE(title);
      EXPECT_TRUE(stock.count(type)) << "not a stock panel type: " << type;
      ASSERT_TRUE(p.HasMember("id") && p["id"].IsInt());
      EXPECT_TRUE(ids.insert(p["id"].GetInt()).second) << "duplicate panel id";
      ASSERT_TRUE(p.HasMember("gridPos"));
      const auto& g = p["gridPos"];
      for (const char* k : {"h", "w", "x", "y"}) ASSERT_TRUE(g.HasMember(k) && g[k].IsInt()) << k;
      EXPECT_LE(g["x"].GetInt() + g["w"].GetInt(), 24);
      if (type == "row" || type == "text") return;
      ASSERT_TRUE(p.HasMember("datasource") && p["datasource"].IsObject());
      EXPECT_EQ(std::string(p["datasource"]["type"].GetString()), "prometheus");
      EXPECT_EQ(std::string(p["datasource"]["uid"].GetString()), uid);
      ASSERT_TRUE(p.HasMember("targets") && p["targets"].IsArray() && !p["targets"].Empty());
      std::set<std::string> refs;
      for (const auto& t : p["targets"].GetArray()) {
        EXPECT_TRUE(refs.insert(t["refId"].GetString()).second);
        EXPECT_FALSE(std::string(t["expr"].GetString()).empty());
        if (t.HasMember("datasource")) {
          EXPECT_EQ(std::string(t["datasource"]["uid"].GetString()), uid);
        }
        if (type == "heatmap") {
          EXPECT_STREQ(t["format"].GetString(), "heatmap");
        }
      }
      if (type == "nodeGraph") {
        // The panel takes a frame whose refId is "edges" with fields id, source, target
        // and mainstat: the query makes the first three labels, a transformation renames
        // the value (Prometheus' answer is checked in the next test).
        node_graph = true;
        EXPECT_STREQ(p["targets"][0]["refId"].GetString(), "edges");
        EXPECT_STREQ(p["targets"][0]["format"].GetString(), "table");
        const auto expr = std::string(p["targets"][0]["expr"].GetString());
        for (const char* label : {R"("id")", R"("source")", R"("target")"}) EXPECT_NE(expr.find(label), std::string::npos);
        EXPECT_STREQ(p["transformations"][0]["options"]["renameByName"]["Value"].GetString(), "mainstat");
      }
    });
  }
  EXPECT_TRUE(node_graph) << "no dashboard draws the request graph";
}

TEST_F(Observability, ShippedPrometheusConfigPassesPromtool) {
  if (which("promtool").empty()) GTEST_SKIP() << "promtool is not installed (scripts/install-deps.sh installs it)";
  std::string out;
  EXPECT_EQ(run("promtool check config " + kGrafana + "/prometheus.yml 2>&1", &out), 0) << out;
}

TEST_F(Observability, EveryDashboardQueryReturnsDataFromARealPrometheus) {
  const auto prometheus = which("prometheus");
  if (prometheus.empty()) GTEST_SKIP() << "prometheus is not installed (scripts/install-deps.sh installs it)";
  // A fresh XDG_DATA_HOME: takt creates its things-sim database there, as on a first start.
  setenv("XDG_DATA_HOME", dir.file("xdg").c_str(), 1);
  Takt t(dir, "backend:\n  sim_per_op: 0ms\n  sim_latency: 1ms..3ms\nmetrics:\n  listen: 127.0.0.1:0\ncache:\n  max_entries: 2\n");
  t.handshake();
  const int takt_port = t.metrics_port();
  ASSERT_GT(takt_port, 0) << t.process().stderr_text();
  EXPECT_TRUE(fs::exists(dir.file("xdg/takt/things-sim.sqlite")));

  const int prom_port = free_port();
  dir.write("prometheus.yml", "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: takt\n    static_configs:\n"
                              "      - targets: ['127.0.0.1:" + std::to_string(takt_port) + "']\n");
  Child prom({prometheus, "--config.file=" + dir.file("prometheus.yml"), "--storage.tsdb.path=" + dir.file("tsdb"),
              "--web.listen-address=127.0.0.1:" + std::to_string(prom_port), "--log.level=warn"});
  const auto api = [&](const std::string& path) {
    const auto body = http_get(prom_port, path);
    rapidjson::Document d;
    d.Parse(body.c_str());
    if (d.HasParseError() || !d.IsObject()) d.Parse(R"({"status":"error","error":"no JSON answer"})");
    return d;
  };
  for (int i = 0; i < 300 && http_get(prom_port, "/-/ready").find("Ready") == std::string::npos; ++i)
    std::this_thread::sleep_for(50ms);
  ASSERT_NE(http_get(prom_port, "/-/ready").find("Ready"), std::string::npos) << prom.stderr_text();

  // Prometheus' scrape manager takes its first targets a few seconds after start: wait
  // for the first scrape, so the whole load is seen.
  const auto up_now = [&] {
    auto r = api("/api/v1/query?query=" + url_encode("up{job=\"takt\"} == 1"));
    return std::string(r["status"].GetString()) == "success" && !r["data"]["result"].Empty();
  };
  for (int i = 0; i < 300 && !up_now(); ++i) std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(up_now()) << "Prometheus never scraped takt:\n" << prom.stderr_text();

  // A mixed load for a few scrapes: cached and uncached reads (the cache holds 2 entries,
  // so they evict), writes, a tool error, a JSON-RPC error, protocol messages.
  const auto load_start = std::chrono::system_clock::now();
  int id = 100;
  for (int round = 0; round < 25; ++round) {
    t.tool(id++, "get_inbox");
    t.tool(id++, "get_inbox");
    t.tool(id++, "get_today", R"({"limit":)" + std::to_string(1 + round % 4) + "}");
    t.tool(id++, "add_todo", R"({"title":"observed )" + std::to_string(round) + R"("})");
    t.tool(id++, "add_todo", R"({})");  // isError: no title
    t.tool(id++, "no_such_tool");       // JSON-RPC error
    t.call(id++, "ping");
    t.tool(id++, "queue_status");
    std::this_thread::sleep_for(150ms);
  }
  // Enough scrapes after the load for every rate() window.
  std::this_thread::sleep_for(2500ms);
  const auto end = std::chrono::system_clock::now();
  const auto secs = [](std::chrono::system_clock::time_point p) {
    return std::to_string(std::chrono::duration<double>(p.time_since_epoch()).count());
  };

  std::vector<Expr> exprs;
  std::vector<std::pair<std::string, std::string>> label_queries;  // where, label_values(...)
  for (const auto& file : dashboard_files()) {
    rapidjson::Document d;
    d.Parse(slurp(file).c_str());
    const auto vars = variables(d);
    const std::string board = fs::path(file).filename().string();
    for (const auto& v : vars)
      if (v.type == "query") label_queries.push_back({board + " $" + v.name, substitute(v.query, vars)});
    each_panel(d["panels"], [&](const rapidjson::Value& p) {
      if (!p.HasMember("targets")) return;
      for (const auto& tgt : p["targets"].GetArray())
        exprs.push_back({board + " / " + p["title"].GetString() + " / " + tgt["refId"].GetString(),
                         substitute(tgt["expr"].GetString(), vars), tgt.HasMember("instant") && tgt["instant"].GetBool()});
    });
  }
  ASSERT_GE(exprs.size(), 40u);
  int asked = 0;
  for (const auto& e : exprs) {
    SCOPED_TRACE(e.where + "\n" + e.promql);
    EXPECT_EQ(std::regex_replace(e.promql, std::regex(R"("\$1")"), "").find('$'), std::string::npos)
        << "a variable was left unsubstituted";
    const auto r = e.instant ? api("/api/v1/query?query=" + url_encode(e.promql) + "&time=" + secs(end))
                             : api("/api/v1/query_range?query=" + url_encode(e.promql) + "&start=" + secs(load_start) +
                                   "&end=" + secs(end) + "&step=1");
    ++asked;
    ASSERT_STREQ(r["status"].GetString(), "success") << (r.HasMember("error") ? r["error"].GetString() : "");
    EXPECT_FALSE(r["data"]["result"].Empty()) << "no data";
    if (e.where.find("Request graph") != std::string::npos) {
      // The node graph's frame: one row per edge with id, source and target, and traffic.
      const auto& rows = r["data"]["result"];
      EXPECT_GE(rows.Size(), 13u);
      double busiest = 0;
      for (const auto& row : rows.GetArray()) {
        for (const char* label : {"id", "source", "target"}) EXPECT_TRUE(row["metric"].HasMember(label)) << label;
        busiest = std::max(busiest, std::stod(row["value"][1].GetString()));
      }
      EXPECT_GT(busiest, 0) << "no edge carried traffic";
    }
  }
  for (const auto& [where, q] : label_queries) {
    SCOPED_TRACE(where + "\n" + q);
    static const std::regex lv(R"(label_values\((.*),\s*(\w+)\))");
    std::smatch m;
    ASSERT_TRUE(std::regex_match(q, m, lv));
    const auto r = api("/api/v1/label/" + m[2].str() + "/values?match[]=" + url_encode(m[1].str()));
    ASSERT_STREQ(r["status"].GetString(), "success");
    EXPECT_FALSE(r["data"].Empty()) << "the variable has no values";
  }
  EXPECT_EQ(asked, static_cast<int>(exprs.size()));
}

TEST_F(Observability, StageToolAndBufferMetricsFollowTheRequests) {
  Takt t(dir, config(dir, "cache:\n  max_entries: 1\n"));
  t.handshake();
  t.tool(1, "get_inbox");
  t.tool(2, "get_inbox");  // a hit
  t.tool(3, "get_today");  // evicts get_inbox
  t.tool(4, "add_todo", R"({"title":"timed"})");
  t.call(5, "ping");
  const int port = t.metrics_port();
  ASSERT_GT(port, 0);
  std::string s;
  for (int i = 0; i < 100; ++i) {  // the last reply's slot is freed once it is written
    s = http_get(port, "/metrics");
    if (value_of(s, "takt_requests_in_flight") == 0) break;
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(value_of(s, "takt_requests_in_flight"), 0) << s;
  EXPECT_EQ(value_of(s, R"(takt_queue_depth{queue="admission"})"), 0) << s;
  const auto count = [&](const char* stage) {
    return value_of(s, std::string("takt_stage_duration_seconds_count{stage=\"") + stage + "\"}");
  };
  // 7 messages: initialize, initialized, 5 requests.
  for (const char* stage : {"parse", "classify", "cache_lookup", "serialize", "egress"}) EXPECT_EQ(count(stage), 7) << stage;
  EXPECT_EQ(count("db_read"), 2);         // get_inbox once, get_today
  EXPECT_EQ(count("applescript"), 1);     // add_todo: one batch
  EXPECT_EQ(count("write_priority"), 1);
  EXPECT_EQ(count("cache_store"), 3);     // two reads and the write
  EXPECT_EQ(count("fast"), 3);            // initialize, initialized, ping
  for (const char* stage : {"parse", "db_read", "applescript", "egress"}) {
    const std::string sel = std::string("{stage=\"") + stage + "\"}";
    const double busy = value_of(s, "takt_stage_busy_seconds_total" + sel);
    EXPECT_GT(busy, 0) << stage;
    EXPECT_EQ(busy, value_of(s, "takt_stage_duration_seconds_sum" + sel)) << stage;
  }
  // The lane's batch took at least the 1 ms things-sim was told to take.
  EXPECT_GE(value_of(s, R"(takt_stage_duration_seconds_sum{stage="applescript"})"), 0.001);
  EXPECT_LT(value_of(s, R"(takt_stage_duration_seconds_sum{stage="parse"})"), 1.0);
  EXPECT_EQ(value_of(s, R"(takt_tool_duration_seconds_count{tool="get_inbox"})"), 2);
  EXPECT_EQ(value_of(s, R"(takt_tool_duration_seconds_count{tool="add_todo"})"), 1);
  EXPECT_GE(value_of(s, R"(takt_tool_duration_seconds_sum{tool="add_todo"})"), 0.001);
  EXPECT_EQ(value_of(s, R"(takt_tool_duration_seconds_count{tool="get_projects"})"), 0);
  EXPECT_EQ(value_of(s, "takt_cache_evictions_total"), 1) << s;
  EXPECT_LE(value_of(s, R"(takt_queue_depth{queue="cache"})"), 1);
  EXPECT_EQ(value_of(s, R"(takt_queue_capacity{queue="cache"})"), 1);
  EXPECT_EQ(value_of(s, R"(takt_queue_capacity{queue="overflow"})"), 64);
  EXPECT_GT(value_of(s, "process_open_fds"), 3);
  EXPECT_GT(value_of(s, "process_resident_memory_bytes"), 1e6);
  EXPECT_GT(value_of(s, "process_max_fds"), 0);
  const double started = value_of(s, "process_start_time_seconds");
  const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_NEAR(started, now, 120);
}

TEST_F(Observability, LogFileRotatesAndHasOneDebugLinePerRequest) {
  Takt t(dir, config(dir, "logging:\n  level: debug\n  file: " + dir.file("log/takt.log") +
                              "\n  max_size: 1KiB\n  max_files: 2\n"));
  t.handshake();
  for (int i = 0; i < 30; ++i) t.call(10 + i, "ping");
  t.tool(77, "get_inbox");
  t.process().close_stdin();
  ASSERT_EQ(t.process().wait(), 0) << t.process().stderr_text();
  EXPECT_TRUE(fs::exists(dir.file("log/takt.log")));
  EXPECT_TRUE(fs::exists(dir.file("log/takt.1.log")));
  EXPECT_TRUE(fs::exists(dir.file("log/takt.2.log")));
  EXPECT_FALSE(fs::exists(dir.file("log/takt.3.log"))) << "more rotated files than logging.max_files";
  for (const char* f : {"log/takt.1.log", "log/takt.2.log"}) EXPECT_LE(fs::file_size(dir.file(f)), 1024u) << f;
  const auto text = slurp(dir.file("log/takt.2.log")) + slurp(dir.file("log/takt.1.log")) + slurp(dir.file("log/takt.log"));
  static const std::regex line(
      R"(takt\[\d+\] debug request 77 tools/call get_inbox class=(fast|medium|slow) lane=database wait=[0-9.]+ms service=[0-9.]+ms total=[0-9.]+ms)");
  EXPECT_TRUE(std::regex_search(text, line)) << text;
  EXPECT_NE(text.find("debug request 39 ping class="), std::string::npos) << text;
  EXPECT_NE(text.find("takt stopped cleanly"), std::string::npos);

  Takt bad(dir, config(dir, "logging:\n  file: /proc/no/such/dir/takt.log\n"));
  EXPECT_EQ(bad.process().wait(), 1);
  EXPECT_NE(bad.process().stderr_text().find("cannot write the log file /proc/no/such/dir/takt.log"), std::string::npos)
      << bad.process().stderr_text();
}

TEST_F(Observability, ClientsAskingForDebugHearEachRequestsLine) {
  Takt t(dir, config(dir));
  t.handshake();
  t.call(1, "ping");
  for (const auto& n : t.notifications()) EXPECT_EQ(n.find("notifications/message"), std::string::npos) << n;
  EXPECT_TRUE(t.call(2, "logging/setLevel", R"({"level":"debug"})").HasMember("result"));
  t.tool(3, "get_inbox");
  t.call(4, "ping");  // the line for 3 is logged before its reply; 4 makes sure it came
  bool seen = false;
  for (const auto& n : t.notifications()) {
    auto d = parse_json(n);
    if (std::string(d["method"].GetString()) != "notifications/message") continue;
    EXPECT_STREQ(d["params"]["logger"].GetString(), "takt");
    const std::string data = d["params"]["data"].GetString();
    if (data.rfind("request 3 tools/call get_inbox class=", 0) == 0) {
      seen = true;
      EXPECT_STREQ(d["params"]["level"].GetString(), "debug");
      EXPECT_NE(data.find("lane=database"), std::string::npos) << data;
    }
  }
  EXPECT_TRUE(seen);
}
