// One takt for all of a user's clients (issue 13, stdio clients join too): a takt started
// over stdio that finds a running `takt --daemon` of the same database relays its client
// to it, so every client shares one AppleScript lane; with none, or one of another
// database, it serves by itself. Driven as clients drive takt: real binaries, real sockets.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include "base/json.hpp"
#include "support/takt_process.hpp"

using namespace takt;
using namespace takt::test;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string config(const std::string& db, const std::string& socket, const std::string& extra = "") {
  return "backend:\n  database: " + db + "\n  sim_per_op: 0ms\n  sim_latency: " + (extra.empty() ? "1ms" : extra) +
         "\n  script_timeout: 20s\nlane:\n  batch_max: 1\nrelay:\n  socket: " + socket + "\nmetrics:\n  enabled: false\n";
}

/// takt --daemon on `yaml`, waited for until its socket answers.
std::unique_ptr<Child> start_daemon(const TempDir& dir, const std::string& yaml, const std::string& socket) {
  dir.write("daemon.yaml", yaml);
  auto d = std::make_unique<Child>(std::vector<std::string>{TAKT_BINARY, "--daemon", "--config", dir.file("daemon.yaml")},
                                   std::vector<std::string>{"XDG_CACHE_HOME=" + dir.file("xdg-cache")});
  for (int i = 0; i < 200; ++i) {
    struct stat st{};
    if (::stat(socket.c_str(), &st) == 0 && contains(d->stderr_text(), "serving every client")) return d;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "the daemon did not start: " << d->stderr_text();
  return d;
}

std::string title_count(const std::string& db, const std::string& title) {
  return sql_value(db, "SELECT count(*) FROM TMTask WHERE title = '" + title + "'");
}

}  // namespace

TEST(Relay, StdioClientsShareTheDaemonsLane) {
  TempDir dir;
  const auto db = dir.file("things.sqlite"), socket = dir.file("takt.sock");
  auto daemon = start_daemon(dir, config(db, socket), socket);
  struct stat st{};
  ASSERT_EQ(::stat(socket.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);  // the user's own, no one else's
  TempDir a_dir, b_dir;
  Takt a(a_dir, config(db, socket)), b(b_dir, config(db, socket));
  a.handshake();
  b.handshake();
  // Interleaved writes and reads of two clients, each answered to its own client.
  for (int i = 0; i < 6; ++i) {
    a.process().send(R"({"jsonrpc":"2.0","id":)" + std::to_string(10 + i) +
                     R"(,"method":"tools/call","params":{"name":"add_todo","arguments":{"title":"from a )" + std::to_string(i) + "\"}}}");
    b.process().send(R"({"jsonrpc":"2.0","id":)" + std::to_string(10 + i) +
                     R"(,"method":"tools/call","params":{"name":"add_todo","arguments":{"title":"from b )" + std::to_string(i) + "\"}}}");
  }
  auto inbox = b.tool(30, "get_inbox", R"({"limit":3})");
  EXPECT_FALSE(inbox["result"]["isError"].GetBool());
  for (int i = 0; i < 6; ++i) {
    for (auto* t : {&a, &b}) {
      auto r = t->await(std::to_string(10 + i), std::chrono::seconds(30));
      ASSERT_TRUE(r.HasMember("result")) << json::dump(r);
      EXPECT_FALSE(r["result"]["isError"].GetBool()) << json::dump(r);
      const std::string title = r["result"]["structuredContent"]["title"].GetString();
      EXPECT_EQ(title, std::string(t == &a ? "from a " : "from b ") + std::to_string(i));
      EXPECT_EQ(title_count(db, title), "1");
    }
  }
  a.process().close_stdin();
  b.process().close_stdin();
  EXPECT_EQ(a.process().wait(), 0);
  EXPECT_EQ(b.process().wait(), 0);
  // The stdio takts ran no backend of their own: they relayed.
  for (auto* t : {&a, &b}) {
    EXPECT_TRUE(contains(t->process().stderr_text(), "relaying this client")) << t->process().stderr_text();
    EXPECT_FALSE(contains(t->process().stderr_text(), "serving MCP over stdio")) << t->process().stderr_text();
  }
  EXPECT_TRUE(contains(daemon->stderr_text(), "(2 connected)")) << daemon->stderr_text();
  daemon->signal(SIGTERM);
  EXPECT_EQ(daemon->wait(), 0);
  EXPECT_NE(::stat(socket.c_str(), &st), 0);  // the socket goes with the daemon
}

TEST(Relay, AStdioTaktForAnotherDatabaseServesItsClientItself) {
  TempDir dir;
  const auto socket = dir.file("takt.sock");
  auto daemon = start_daemon(dir, config(dir.file("daemons.sqlite"), socket), socket);
  TempDir own;
  Takt t(own, config(own.file("mine.sqlite"), socket));
  t.handshake();
  auto r = t.tool(2, "add_todo", R"({"title":"mine"})");
  EXPECT_FALSE(r["result"]["isError"].GetBool()) << json::dump(r);
  EXPECT_EQ(title_count(own.file("mine.sqlite"), "mine"), "1");
  EXPECT_EQ(title_count(dir.file("daemons.sqlite"), "mine"), "0");
  t.process().close_stdin();
  EXPECT_EQ(t.process().wait(), 0);
  EXPECT_TRUE(contains(t.process().stderr_text(), "serving this client here")) << t.process().stderr_text();
  EXPECT_TRUE(contains(daemon->stderr_text(), "was turned away")) << daemon->stderr_text();
}

TEST(Relay, WithoutADaemonAndWithJoinOffTheStdioTaktServesAsAlways) {
  TempDir dir;
  const auto db = dir.file("things.sqlite"), socket = dir.file("takt.sock");
  {
    Takt t(dir, config(db, socket));  // nobody listens: served here
    t.handshake();
    EXPECT_FALSE(t.tool(2, "get_inbox")["result"]["isError"].GetBool());
    t.process().close_stdin();
    EXPECT_EQ(t.process().wait(), 0);
    EXPECT_TRUE(contains(t.process().stderr_text(), "serving MCP over stdio"));
  }
  auto daemon = start_daemon(dir, config(db, socket), socket);
  TempDir own;
  Takt t(own, "backend:\n  database: " + db + "\n  sim_latency: 1ms\nrelay:\n  socket: " + socket +
                  "\n  join: false\nmetrics:\n  enabled: false\n");
  t.handshake();
  EXPECT_FALSE(t.tool(2, "get_inbox")["result"]["isError"].GetBool());
  t.process().close_stdin();
  EXPECT_EQ(t.process().wait(), 0);
  EXPECT_TRUE(contains(t.process().stderr_text(), "serving MCP over stdio")) << t.process().stderr_text();
}

// A relay whose daemon goes away answers every request it passed on and has no answer
// for, saying so, and ends with a failure (its client restarts it). What the daemon
// answered as done stays done.
TEST(Relay, ADaemonThatGoesAwayLeavesNoRequestUnanswered) {
  TempDir dir;
  const auto db = dir.file("things.sqlite"), socket = dir.file("takt.sock");
  auto daemon = start_daemon(dir, config(db, socket, "1500ms"), socket);
  TempDir own;
  Takt t(own, config(db, socket));
  t.handshake();
  auto done = t.tool(2, "get_inbox", R"({"limit":1})");
  EXPECT_FALSE(done["result"]["isError"].GetBool());
  t.process().send(R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"add_todo","arguments":{"title":"in flight"}}})");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  daemon->signal(SIGKILL);
  auto r = t.await("3", std::chrono::seconds(10));
  ASSERT_TRUE(r.HasMember("error")) << json::dump(r);
  EXPECT_EQ(r["error"]["code"].GetInt(), -32000);
  EXPECT_TRUE(contains(r["error"]["message"].GetString(), "went away")) << json::dump(r);
  EXPECT_EQ(t.process().wait(), 1);
}

// A client that leaves: its queued writes that have not started are dropped, the one
// running finishes, and nothing is done twice.
TEST(Relay, AClientThatLeavesDropsItsWritesThatHaveNotStarted) {
  TempDir dir;
  const auto db = dir.file("things.sqlite"), socket = dir.file("takt.sock");
  auto daemon = start_daemon(dir, config(db, socket, "1000ms"), socket);
  TempDir own;
  Takt t(own, config(db, socket));
  t.handshake();
  for (int i = 0; i < 5; ++i)
    t.process().send(R"({"jsonrpc":"2.0","id":)" + std::to_string(10 + i) +
                     R"(,"method":"tools/call","params":{"name":"add_todo","arguments":{"title":"queued )" + std::to_string(i) + "\"}}}");
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  t.process().signal(SIGKILL);  // the relay (and its client) vanish
  t.process().wait();
  std::this_thread::sleep_for(std::chrono::milliseconds(3000));  // long enough for two more scripts, had they run
  int made = 0;
  for (int i = 0; i < 5; ++i) made += std::stoi(title_count(db, "queued " + std::to_string(i)));
  EXPECT_LE(made, 2) << daemon->stderr_text();
  EXPECT_TRUE(contains(daemon->stderr_text(), "a client left")) << daemon->stderr_text();
  // The daemon serves the next client as ever.
  Takt next(own, config(db, socket));
  next.handshake();
  EXPECT_FALSE(next.tool(2, "get_inbox", R"({"limit":1})")["result"]["isError"].GetBool());
}

TEST(Relay, OneDaemonPerSocketAndAStaleSocketIsReplaced) {
  TempDir dir;
  const auto db = dir.file("things.sqlite"), socket = dir.file("takt.sock");
  {  // a socket file left by a takt that died: nobody listens on it
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strcpy(a.sun_path, socket.c_str());
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ::close(fd);
  }
  auto daemon = start_daemon(dir, config(db, socket), socket);
  TempDir other;
  other.write("d.yaml", config(db, socket));
  Child second({TAKT_BINARY, "--daemon", "--config", other.file("d.yaml")}, {"XDG_CACHE_HOME=" + other.file("c")});
  EXPECT_EQ(second.wait(), 1);
  EXPECT_TRUE(contains(second.stderr_text(), "another takt already serves this user's clients at " + socket))
      << second.stderr_text();
}

// takt owes no reply to a request the client cancelled; a relay that waited for one
// would never end when its client's input closes.
TEST(Relay, ACancelledRequestIsNotWaitedFor) {
  TempDir dir;
  const auto db = dir.file("things.sqlite"), socket = dir.file("takt.sock");
  auto daemon = start_daemon(dir, config(db, socket, "1500ms"), socket);
  TempDir own;
  Takt t(own, config(db, socket));
  t.handshake();
  t.process().send(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"add_todo","arguments":{"title":"first"}}})");
  t.process().send(R"({"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"add_todo","arguments":{"title":"never mind"}}})");
  t.process().send(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":2}})");
  t.process().close_stdin();
  EXPECT_EQ(t.process().wait(std::chrono::seconds(15)), 0) << t.process().stderr_text() << daemon->stderr_text();
  EXPECT_EQ(title_count(db, "never mind"), "0");  // queued, cancelled, never sent to Things
}

// The relay knows an answer by its id, read from takt's reply as takt writes it: ids of
// every shape a client may choose come back matched, so the relay ends once they are.
TEST(Relay, EveryKindOfIdIsMatchedToItsAnswer) {
  TempDir dir;
  const auto db = dir.file("things.sqlite"), socket = dir.file("takt.sock");
  auto daemon = start_daemon(dir, config(db, socket), socket);
  TempDir own;
  Takt t(own, config(db, socket));
  t.handshake();
  const std::vector<std::string> ids = {R"("a\"b\\c")", R"("\u00e9t\u00e9 \ud83d\ude00")", "9007199254740993", "-7",
                                        "0", R"("")", "18446744073709551615"};
  for (const auto& id : ids) t.process().send(R"({"jsonrpc":"2.0","id":)" + id + R"(,"method":"ping"})");
  t.process().send(R"({"jsonrpc":"2.0","id":{"not":"an id"},"method":"ping"})");  // refused, with a null id
  t.process().close_stdin();
  EXPECT_EQ(t.process().wait(std::chrono::seconds(15)), 0) << t.process().stderr_text() << daemon->stderr_text();
  int answered = 0;
  while (auto line = t.process().read_line(std::chrono::milliseconds(500))) ++answered;
  EXPECT_EQ(answered, static_cast<int>(ids.size()) + 1);
}
