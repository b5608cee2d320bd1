#pragma once
/// MCP over Streamable HTTP (protocol 2025-11-25) at one endpoint, `/mcp`, on Boost.Beast:
/// many clients, each an MCP session, all feeding one Ingress (the pipeline).
///
/// - POST a JSON-RPC message: a request is answered as application/json, or as a
///   text/event-stream carrying its progress notifications before the reply (chosen when
///   the request asks for progress and the client accepts a stream, or accepts only a
///   stream); a notification or a response gets 202 once it is admitted.
/// - GET opens the session's stream of server messages not tied to a POST (log
///   messages, progress of requests answered as JSON); one per session (409 for a second).
/// - DELETE ends the session: its waiting requests are cancelled (queued work that has not
///   started is dropped; a write already running completes).
/// A session id (128 random bits) is issued with the answer to `initialize`; every other
/// request must carry it (400 without, 404 for one unknown or ended). An unsupported
/// MCP-Protocol-Version is a 400; a foreign Host or Origin a 403; a missing or wrong
/// bearer token, when one is set, a 401; too large headers or body a 413; more sessions
/// than allowed a 503 with Retry-After.
///
/// Threads: `threads` run the connections (Asio); one more feeds the ingress when it is
/// full, so the connection threads, which write the replies that free room, never block.
/// A line that finds room is submitted on the connection's own thread (no hand-off).
/// Thread-safe: sessions' outputs are called from any thread.

#include <functional>
#include <memory>
#include <string>

#include "base/config.hpp"
#include "mcp/session.hpp"

namespace takt::http {

/// Where the sessions' messages go: the pipeline in takt (PipelineIngress), a stand-in in
/// tests. Both calls may run the message's first stages on the calling thread, and the
/// session's Output may be called before they return.
class Ingress {
 public:
  enum class Admit { Admitted, Full, Closed };
  virtual ~Ingress() = default;
  /// Admits `line` if there is room now; on Full or Closed, `line` is left as it was.
  virtual Admit try_submit(const std::shared_ptr<Session>& session, std::string& line) = 0;
  /// Admits `line`, waiting for room; false once the ingress is closed.
  virtual bool submit(const std::shared_ptr<Session>& session, std::string line) = 0;
};

/// What counts the server's traffic (metrics/ in takt; nothing in tests). Called from any
/// thread; must not block.
struct Observer {
  std::function<void(int status)> on_status;          ///< every HTTP answer, by status code
  std::function<void(long open)> on_sessions;         ///< sessions open, after each change
  std::function<void(double seconds)> on_backlog_wait; ///< a line's wait for room in the ingress
  std::function<void()> on_message;                    ///< every JSON-RPC message POSTed (valid ones)
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  unsigned short port = 0;        ///< 0: a free port (port() tells which)
  std::string token;              ///< bearer token; empty: none asked for
  std::size_t max_body_bytes = 4 * 1024 * 1024;  ///< a POST's body, at most (413 beyond)
  unsigned max_json_depth = 64;
  HttpConfig limits;              ///< threads, header size, timeouts, session cap
};

struct Impl;

class Server {
 public:
  /// `on_session` is called with each new session's MCP side (takt attaches its log sink).
  Server(ServerOptions options, Ingress& ingress, std::function<void(const std::shared_ptr<Session>&)> on_session = {},
         Observer observer = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Listens and starts the threads. Throws std::runtime_error saying why it cannot.
  void start();
  unsigned short port() const;
  /// `http://host:port/mcp`.
  std::string url() const;
  std::size_t sessions() const;

  /// Shutdown, first step: no new connection or message is taken; messages still waiting
  /// for room are answered 503. Returns once the feeding thread stopped.
  void stop_ingress();
  /// Second step, after the ingress drained: lets the replies being written go out (up to
  /// a second), ends every stream and connection, joins the threads. Idempotent.
  void stop();

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace takt::http
