#pragma once
// Test support: the real takt binary as a child process, driven over stdio like an MCP
// client drives it, plus small helpers for the tests around it.

#include <rapidjson/document.h>

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace takt::test {

using namespace std::chrono_literals;

/// A fresh directory under /tmp, removed with everything in it at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  void write(const std::string& name, const std::string& text) const;

 private:
  std::string path_;
};

/// Runs a program with pipes on stdin, stdout and stderr; stderr is collected by a thread.
class Child {
 public:
  /// `env`: NAME=VALUE settings added to the child's environment.
  Child(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  void send(const std::string& line);  ///< writes line + '\n'
  /// The next stdout line, or nullopt when none comes within `timeout` (or at EOF).
  std::optional<std::string> read_line(std::chrono::milliseconds timeout = 10s);
  void close_stdin();
  void signal(int sig);
  /// Waits for exit; returns the exit code, 128+signal, or -1 on timeout (then kills it).
  int wait(std::chrono::milliseconds timeout = 20s);
  std::string stderr_text();
  int pid() const { return pid_; }

 private:
  int pid_ = -1;
  int in_ = -1, out_ = -1, err_ = -1;
  std::string out_buf_;
  std::mutex err_mu_;
  std::string err_text_;
  std::thread err_thread_;
  int status_ = -1;
  bool reaped_ = false;
};

/// takt under test, with helpers for JSON-RPC round trips.
class Takt {
 public:
  /// Starts takt with `config_yaml` written into `dir`, and XDG_CACHE_HOME in `dir` (the
  /// shared cache's default place), so tests share no cache unless they configure one.
  Takt(const TempDir& dir, const std::string& config_yaml);

  Child& process() { return child_; }
  /// Sends a request and waits for the response with that id; notifications that arrive
  /// meanwhile are kept in notifications().
  rapidjson::Document call(int id, const std::string& method, const std::string& params_json = "{}");
  /// A tools/call round trip; returns the whole response.
  rapidjson::Document tool(int id, const std::string& name, const std::string& args_json = "{}");
  /// Sends a raw line and waits for the next response line that is not a notification.
  rapidjson::Document raw(const std::string& line);
  /// initialize + notifications/initialized.
  void handshake();
  /// Waits for the response with `id` (JSON text), keeping notifications.
  rapidjson::Document await(const std::string& id, std::chrono::milliseconds timeout = 20s);
  std::vector<std::string>& notifications() { return notes_; }
  /// The metrics URL port takt printed on stderr, or 0.
  int metrics_port();

 private:
  Child child_;
  std::vector<std::string> notes_;
  std::vector<std::string> stash_;  ///< responses read while waiting for another id
};

rapidjson::Document parse_json(const std::string& text);
/// HTTP GET on 127.0.0.1:port; returns the body ("" on failure).
std::string http_get(int port, const std::string& path);
/// Runs a shell command; returns its exit code and stdout.
int run(const std::string& command, std::string* out = nullptr);
/// A single-value SQL query on an SQLite file ("" when no row).
std::string sql_value(const std::string& db, const std::string& sql);

}  // namespace takt::test
