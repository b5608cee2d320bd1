// takt over Streamable HTTP, the real binary with things-sim behind it: many sessions at
// once writing and reading, a client that vanishes mid-stream, a slow-loris connection,
// and the refusals at start-up that keep the endpoint private.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <regex>
#include <thread>

#include "base/json.hpp"
#include "support/takt_process.hpp"

using namespace takt;
using namespace takt::test;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace bh = boost::beast::http;
using tcp = net::ip::tcp;

namespace {

std::string config(const TempDir& dir, const std::string& http_extra = "") {
  return "backend:\n  database: " + dir.file("things.sqlite") +
         "\n  sim_per_op: 0ms\n  sim_latency: 1ms..5ms\nmetrics:\n  enabled: false\ncache:\n  dir: " +
         dir.file("cache") + "\nrelay:\n  socket: " + dir.file("takt.sock") + "\n" +
         (http_extra.empty() ? "" : "http:\n" + http_extra);
}

/// takt serving HTTP on a free port; the port is read from its start-up line.
class HttpTakt {
 public:
  HttpTakt(const TempDir& dir, const std::string& yaml, const std::vector<std::string>& env = {})
      : child_(
            [&] {
              dir.write("takt.yaml", yaml);
              return std::vector<std::string>{TAKT_BINARY, "--config", dir.file("takt.yaml"), "--http", "127.0.0.1:0"};
            }(),
            env) {
    const std::regex re("serving MCP over HTTP at http://127\\.0\\.0\\.1:([0-9]+)/mcp");
    for (int i = 0; i < 1000 && port_ == 0; ++i) {
      std::smatch m;
      const auto err = child_.stderr_text();
      if (std::regex_search(err, m, re)) port_ = static_cast<unsigned short>(std::stoi(m[1]));
      else std::this_thread::sleep_for(10ms);
    }
  }
  unsigned short port() const { return port_; }
  Child& process() { return child_; }

 private:
  Child child_;
  unsigned short port_ = 0;
};

struct Answer {
  int status = 0;
  std::string session;
  std::string body;
};

/// How long a client waits for an answer before it calls the request lost: far above any
/// answer's time even under a sanitizer, so that a request takt never answers fails the
/// test with its name instead of hanging it until ctest's time-out.
constexpr auto kAnswerWithin = 60s;

/// One MCP client over HTTP: its own kept-alive connection and session.
class Client {
 public:
  explicit Client(unsigned short port) : socket_(ioc_) { socket_.connect({net::ip::make_address("127.0.0.1"), port}); }

  Answer post(const std::string& body, const std::string& accept = "application/json, text/event-stream") {
    bh::request<bh::string_body> req{bh::verb::post, "/mcp", 11};
    req.set(bh::field::host, "127.0.0.1");
    req.set(bh::field::content_type, "application/json");
    req.set(bh::field::accept, accept);
    if (!session_.empty()) {
      req.set("Mcp-Session-Id", session_);
      req.set("MCP-Protocol-Version", "2025-11-25");
    }
    req.body() = body;
    req.prepare_payload();
    bh::write(socket_, req);
    bh::response<bh::string_body> res;
    beast::error_code ec = net::error::timed_out;
    bh::async_read(socket_, buffer_, res, [&](beast::error_code e, std::size_t) { ec = e; });
    ioc_.restart();
    ioc_.run_for(kAnswerWithin);
    Answer a;
    if (!ioc_.stopped()) {  // still reading: no answer in time
      socket_.cancel();
      ioc_.run();
      a.body = "no answer within " + std::to_string(kAnswerWithin.count()) + " s to " + body;
      return a;
    }
    if (ec) {
      a.body = "no answer: " + ec.message() + " to " + body;
      return a;
    }
    a.status = static_cast<int>(res.result_int());
    a.session = std::string(res["Mcp-Session-Id"]);
    a.body = res.body();
    return a;
  }
  void handshake() {
    auto a = post(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"system-test","version":"1"}}})");
    ASSERT_EQ(a.status, 200) << a.body;
    session_ = a.session;
    ASSERT_EQ(session_.size(), 32u);
    ASSERT_EQ(post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})").status, 202);
  }
  /// A tools/call answered as JSON: its result.
  rapidjson::Document tool(int id, const std::string& name, const std::string& args = "{}") {
    auto a = post(R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":"tools/call","params":{"name":")" + name +
                      R"(","arguments":)" + args + "}}",
                  "application/json");
    EXPECT_EQ(a.status, 200) << a.body;
    return parse_json(a.status == 200 ? a.body : "{}");
  }
  tcp::socket& socket() { return socket_; }
  const std::string& session() const { return session_; }

 private:
  net::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
  std::string session_;
};

bool closed_by_server(tcp::socket& s) {
  beast::error_code ec;
  char byte;
  s.read_some(net::buffer(&byte, 1), ec);
  return ec == net::error::eof || ec == net::error::connection_reset;
}

}  // namespace

TEST(Http, FiftySessionsAtOnceWriteAndReadAndEveryWriteLandsOnce) {
  TempDir dir;
  HttpTakt takt(dir, config(dir));
  ASSERT_NE(takt.port(), 0) << takt.process().stderr_text();
  constexpr int kSessions = 50, kWrites = 2, kReads = 3;
  std::atomic<int> answered{0}, failed{0};
  std::vector<std::thread> clients;
  for (int s = 0; s < kSessions; ++s) {
    clients.emplace_back([&, s] {
      Client c(takt.port());
      c.handshake();
      int id = 1;
      for (int i = 0; i < kWrites + kReads; ++i) {
        const bool write = i % 2 == 0 && i / 2 < kWrites;
        auto r = write ? c.tool(id++, "add_todo", R"({"title":"http s)" + std::to_string(s) + " w" + std::to_string(i / 2) + R"("})")
                       : c.tool(id++, "get_inbox", R"({"limit":5})");
        if (r.HasMember("result") && !r["result"]["isError"].GetBool()) ++answered;
        else ++failed;
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(answered.load(), kSessions * (kWrites + kReads));
  if (HasFailure()) {
    const auto err = takt.process().stderr_text();
    ADD_FAILURE() << "takt's log ends with:\n" << err.substr(err.size() > 8000 ? err.size() - 8000 : 0);
  }
  const auto db = dir.file("things.sqlite");
  EXPECT_EQ(sql_value(db, "SELECT count(*) FROM TMTask WHERE title LIKE 'http s%'"), std::to_string(kSessions * kWrites));
  EXPECT_EQ(sql_value(db, "SELECT count(DISTINCT title) FROM TMTask WHERE title LIKE 'http s%'"),
            std::to_string(kSessions * kWrites));  // none twice
  takt.process().signal(SIGTERM);
  EXPECT_EQ(takt.process().wait(), 0);
}

TEST(Http, AClientThatVanishesMidStreamLosesNoWriteAndOthersGoOn) {
  TempDir dir;
  HttpTakt takt(dir, config(dir));
  ASSERT_NE(takt.port(), 0) << takt.process().stderr_text();
  Client other(takt.port());
  other.handshake();
  {
    Client gone(takt.port());
    gone.handshake();
    // A write asking for progress is answered as a stream; the client reads its first
    // bytes and goes away.
    bh::request<bh::string_body> req{bh::verb::post, "/mcp", 11};
    req.set(bh::field::host, "127.0.0.1");
    req.set(bh::field::content_type, "application/json");
    req.set(bh::field::accept, "application/json, text/event-stream");
    req.set("Mcp-Session-Id", gone.session());
    req.body() =
        R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"add_todo","arguments":{"title":"vanished mid-stream"},"_meta":{"progressToken":"p"}}})";
    req.prepare_payload();
    bh::write(gone.socket(), req);
    char some[64];
    gone.socket().read_some(net::buffer(some));
  }
  // The write was accepted: it is carried out, once, though its client is gone.
  const auto db = dir.file("things.sqlite");
  for (int i = 0; i < 500 && sql_value(db, "SELECT count(*) FROM TMTask WHERE title = 'vanished mid-stream'") != "1"; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(sql_value(db, "SELECT count(*) FROM TMTask WHERE title = 'vanished mid-stream'"), "1");
  auto r = other.tool(2, "get_inbox");
  ASSERT_TRUE(r.HasMember("result"));
  EXPECT_NE(json::dump(r["result"]).find("vanished mid-stream"), std::string::npos);
  takt.process().signal(SIGTERM);
  EXPECT_EQ(takt.process().wait(), 0);
}

TEST(Http, ASlowLorisConnectionIsClosedByTheReadTimeoutWhileOthersAreServed) {
  TempDir dir;
  HttpTakt takt(dir, config(dir, "  read_timeout: 500ms\n"));
  ASSERT_NE(takt.port(), 0) << takt.process().stderr_text();
  net::io_context ioc;
  tcp::socket loris(ioc);
  loris.connect({net::ip::make_address("127.0.0.1"), takt.port()});
  net::write(loris, net::buffer(std::string("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\n")));
  std::atomic<bool> closed{false};
  std::thread drip([&] {  // one header byte every 100 ms: never a whole request
    for (int i = 0; i < 100 && !closed; ++i) {
      beast::error_code ec;
      net::write(loris, net::buffer("X", 1), ec);
      if (ec) return;
      std::this_thread::sleep_for(100ms);
    }
  });
  Client c(takt.port());
  c.handshake();
  EXPECT_TRUE(c.tool(1, "get_today").HasMember("result"));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(closed_by_server(loris));
  closed = true;
  drip.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  takt.process().signal(SIGTERM);
  EXPECT_EQ(takt.process().wait(), 0);
}

TEST(Http, RefusesToServeOtherMachinesWithoutAToken) {
  TempDir dir;
  dir.write("takt.yaml", config(dir));
  Child open_to_all({TAKT_BINARY, "--config", dir.file("takt.yaml"), "--http", "0.0.0.0:0"});
  EXPECT_EQ(open_to_all.wait(), 1);
  EXPECT_NE(open_to_all.stderr_text().find("without a token"), std::string::npos) << open_to_all.stderr_text();
  // A token file others may read is refused too, saying so.
  dir.write("token", "0123456789abcdef0123\n");
  ::chmod(dir.file("token").c_str(), 0644);
  dir.write("leaky.yaml", config(dir, "  token_file: " + dir.file("token") + "\n"));
  Child leaky({TAKT_BINARY, "--config", dir.file("leaky.yaml"), "--http", "127.0.0.1:0"});
  EXPECT_EQ(leaky.wait(), 1);
  EXPECT_NE(leaky.stderr_text().find("chmod 600"), std::string::npos) << leaky.stderr_text();
}

TEST(Http, WithATokenEveryRequestMustCarryIt) {
  TempDir dir;
  HttpTakt takt(dir, config(dir), {"TAKT_HTTP_TOKEN=a-long-enough-test-token"});
  ASSERT_NE(takt.port(), 0) << takt.process().stderr_text();
  Client c(takt.port());
  auto a = c.post(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})");
  EXPECT_EQ(a.status, 401);
  takt.process().signal(SIGTERM);
  EXPECT_EQ(takt.process().wait(), 0);
}

// A takt serving HTTP also serves the takts that stdio clients start, through its relay
// socket; when another takt holds that socket it serves HTTP all the same and says so.
TEST(Http, ASecondHttpTaktServesWithoutTheRelaySocketAnotherHolds) {
  TempDir first_dir, second_dir;
  HttpTakt first(first_dir, config(first_dir));
  ASSERT_NE(first.port(), 0) << first.process().stderr_text();
  auto yaml = config(second_dir);
  yaml.replace(yaml.find(second_dir.file("takt.sock")), second_dir.file("takt.sock").size(), first_dir.file("takt.sock"));
  HttpTakt second(second_dir, yaml);
  ASSERT_NE(second.port(), 0) << second.process().stderr_text();
  EXPECT_NE(second.process().stderr_text().find("not serving the takts stdio clients start: another takt already serves"),
            std::string::npos)
      << second.process().stderr_text();
  Client c(second.port());
  c.handshake();
  EXPECT_TRUE(c.tool(1, "get_inbox").HasMember("result"));
  for (auto* t : {&first, &second}) {
    t->process().signal(SIGTERM);
    EXPECT_EQ(t->process().wait(), 0);
  }
}

TEST(Http, MetricsShowSessionsStatusesAndMessagesByTransport) {
  TempDir dir;
  auto yaml = config(dir);
  const std::string off = "metrics:\n  enabled: false";
  yaml.replace(yaml.find(off), off.size(), "metrics:\n  listen: 127.0.0.1:0");
  HttpTakt takt(dir, yaml);
  ASSERT_NE(takt.port(), 0) << takt.process().stderr_text();
  Client a(takt.port()), b(takt.port());
  a.handshake();
  b.handshake();
  a.tool(1, "get_today");
  Client stranger(takt.port());
  EXPECT_EQ(stranger.post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})").status, 400);  // no session
  std::smatch m;
  const auto err = takt.process().stderr_text();
  ASSERT_TRUE(std::regex_search(err, m, std::regex("metrics: http://127\\.0\\.0\\.1:([0-9]+)/metrics"))) << err;
  const auto text = http_get(std::stoi(m[1]), "/metrics");
  EXPECT_NE(text.find("takt_http_sessions 2"), std::string::npos) << text;
  EXPECT_NE(text.find("takt_http_responses_total{code=\"400\"} 1"), std::string::npos);
  EXPECT_NE(text.find("takt_http_responses_total{code=\"202\"} 2"), std::string::npos);
  EXPECT_NE(text.find("takt_messages_total{transport=\"http\"} 6"), std::string::npos);
  EXPECT_NE(text.find("takt_http_backlog_wait_seconds_count"), std::string::npos);
  EXPECT_EQ(text.find(a.session()), std::string::npos);  // no label per session
  takt.process().signal(SIGTERM);
  EXPECT_EQ(takt.process().wait(), 0);
}
