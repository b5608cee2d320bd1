#pragma once
/// One takt for all of a user's clients, stdio ones included. A takt started with
/// `--daemon` listens on a Unix socket (mode 0600, in the user's private runtime
/// directory), and a takt that a client starts over stdio relays that client's messages to
/// it (transports/relay.hpp), so every client shares the one AppleScript lane, cache and
/// leveling. Each connection is one MCP session of the pipeline, spoken as over stdio: one
/// JSON-RPC message per line.
///
/// A connection opens with a hello line naming the Things database the relay's takt was
/// configured for; the daemon answers whether it serves that database, and a relay for
/// another one serves its client by itself. A connection that closes is a client gone:
/// its requests that have not started are cancelled (a write not yet sent to Things is
/// dropped, never half done), and whatever already runs finishes.

#include <atomic>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "base/config.hpp"

namespace takt {

class Pipeline;
class Session;

/// The two lines that open a relay connection (one JSON object each).
namespace relay_hello {
std::string request(const std::string& database);
/// The daemon's answer: ok, or why not.
std::string answer(bool ok, const std::string& why);
}  // namespace relay_hello

class LocalSocketServer {
 public:
  /// Called with each connection's new session (takt attaches it to the log sink, so a
  /// client that asks for log messages gets them as it would from its own takt).
  using OnSession = std::function<void(const std::shared_ptr<Session>&)>;
  /// `database`: the one this takt serves (a relay's hello must name the same file).
  /// `on_message`: called for each message a client sends (takt counts them by transport).
  LocalSocketServer(Pipeline& pipeline, std::string path, std::string database, const ServerConfig& limits,
                    OnSession on_session = {}, std::function<void()> on_message = {});
  ~LocalSocketServer();
  LocalSocketServer(const LocalSocketServer&) = delete;
  LocalSocketServer& operator=(const LocalSocketServer&) = delete;

  /// Listens at the path (its directory must exist and be private). A socket file that no
  /// takt answers on (left by one that died) is replaced; one a takt answers on is not:
  /// throws std::runtime_error saying so, as for any other failure.
  void start();
  /// Stops accepting and stops reading every connection; what they sent is still
  /// answered (the pipeline's drain() finishes it), then close() ends them.
  void stop();
  /// Writes what is queued to every connection and closes them. After the pipeline drained.
  void close();
  /// Connections open now.
  std::size_t connections() const { return open_.load(std::memory_order_relaxed); }
  const std::string& path() const { return path_; }

 private:
  struct Connection;
  void accept_loop();
  void serve(const std::shared_ptr<Connection>& c);

  Pipeline& pipeline_;
  std::string path_, database_;
  ServerConfig limits_;
  OnSession on_session_;
  std::function<void()> on_message_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  std::atomic<bool> stopping_{false};
  std::atomic<std::size_t> open_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::list<std::shared_ptr<Connection>> conns_;
};

}  // namespace takt
