#include "transports/http/server.hpp"

#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include "base/json.hpp"
#include "flow/methods.hpp"
#include "mcp/jsonrpc.hpp"
#include "transports/http/policy.hpp"

namespace takt::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bh = boost::beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// The shapes of the lines the pipeline sends (mcp::make_result / make_error /
// make_notification): a reply names its id right after this prefix, a progress
// notification its token. An id or token is JSON text, in which `,"` cannot occur
// outside a string and `"` cannot occur unescaped inside one, so the first `,"result":`
// or `,"error":` after the prefix ends the id.
constexpr std::string_view kReplyPrefix = R"({"jsonrpc":"2.0","id":)";
constexpr std::string_view kProgressPrefix =
    R"({"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":)";
constexpr std::string_view kSessionHeader = "Mcp-Session-Id";
constexpr std::string_view kVersionHeader = "MCP-Protocol-Version";

/// The id of a reply line; empty when the line is no reply.
std::string_view reply_id(std::string_view line, bool& is_error) {
  if (line.substr(0, kReplyPrefix.size()) != kReplyPrefix) return {};
  const auto rest = line.substr(kReplyPrefix.size());
  const auto result = rest.find(R"(,"result":)");
  const auto error = rest.find(R"(,"error":)");
  is_error = error < result;
  const auto end = std::min(result, error);
  return end == std::string_view::npos ? std::string_view{} : rest.substr(0, end);
}

/// The progress token of a notifications/progress line; empty for any other line.
std::string_view progress_token(std::string_view line) {
  if (line.substr(0, kProgressPrefix.size()) != kProgressPrefix) return {};
  const auto rest = line.substr(kProgressPrefix.size());
  const auto end = rest.find(R"(,"progress":)");
  return end == std::string_view::npos ? std::string_view{} : rest.substr(0, end);
}

bool supported_version(std::string_view v) {
  return std::find(std::begin(kProtocolVersions), std::end(kProtocolVersions), v) != std::end(kProtocolVersions);
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[i])) != std::tolower(static_cast<unsigned char>(prefix[i]))) return false;
  return true;
}

/// The JSON-RPC error body of a refused HTTP request (as the reference servers send it).
std::string error_body(std::string_view message, int code = -32000) {
  return mcp::make_error("null", {code, std::string(message)});
}

}  // namespace

struct Impl;
class Connection;
class HttpSession;

/// One POST request waiting for its reply.
struct Exchange {
  std::shared_ptr<Connection> conn;  ///< kept alive until the reply came, even if the client left
  std::string id;                    ///< JSON text of the request's id
  std::string token;                 ///< JSON text of its progress token, if any
  bool sse = false;                  ///< answered as an event stream
  bool initialize = false;           ///< an initialize that opened its session
};

/// A message that could not be admitted at once, waiting for the feeding thread.
struct Queued {
  std::string line;
  bool request = false;  ///< counts against the session's requests in flight
  std::function<void(bool admitted)> admitted;
  Clock::time_point since;
};

/// One MCP session over HTTP: the MCP side (lifecycle, cancellation) and the way back to
/// its client: the POST waiting for each reply, and the session's GET stream.
class HttpSession final : public std::enable_shared_from_this<HttpSession> {
 public:
  HttpSession(std::string id, Impl& impl) : sid(std::move(id)), impl(impl), last_used(Clock::now()) {}
  void route(std::string line, std::function<void()> written);
  /// Registers a POST waiting for its reply; false when the session ended or the id is
  /// already waiting (an id names one request at a time).
  bool add_waiting(const std::shared_ptr<Exchange>& ex);
  /// Forgets `ex` if it still waits; true if it did.
  bool drop_waiting(const std::shared_ptr<Exchange>& ex);
  bool attach_stream(const std::shared_ptr<Connection>& c);
  void detach_stream(const Connection* c);
  void touch() {
    std::lock_guard lock(mu);
    last_used = Clock::now();
  }

  const std::string sid;
  Impl& impl;
  std::shared_ptr<Session> mcp;

  std::mutex mu;
  std::unordered_map<std::string, std::shared_ptr<Exchange>> waiting;
  std::unordered_map<std::string, std::string> id_of_token;
  std::weak_ptr<Connection> stream;
  bool ended = false;
  Clock::time_point last_used;
  double tokens = -1;               ///< the rate limit's bucket (-1: full, not yet used)
  Clock::time_point refilled;

  /// Requests admitted into the pipeline and not yet answered (at most session_max_in_flight).
  std::atomic<long> in_flight{0};
  /// Takes one request from the token bucket; false when the session is over its rate.
  bool take_token(double rate, unsigned burst) {
    if (rate <= 0) return true;
    std::lock_guard lock(mu);
    const auto now = Clock::now();
    if (tokens < 0) tokens = burst;
    else tokens = std::min<double>(burst, tokens + rate * std::chrono::duration<double>(now - refilled).count());
    refilled = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  }

  // Guarded by Impl::qmu: messages waiting for room in the ingress.
  std::deque<Queued> backlog;
  bool in_ring = false;
  std::atomic<std::size_t> backlog_size{0};
};

/// The Output the MCP session writes to: forwards to the HTTP session while it exists.
class Route final : public Output {
 public:
  explicit Route(std::weak_ptr<HttpSession> s) : s_(std::move(s)) {}
  void send(std::string line, std::function<void()> written) override {
    if (auto s = s_.lock()) s->route(std::move(line), std::move(written));
    else if (written) written();
  }

 private:
  std::weak_ptr<HttpSession> s_;
};

struct Impl {
  Impl(ServerOptions o, Ingress& in, std::function<void(const std::shared_ptr<Session>&)> on_s, Observer obs)
      : opt(std::move(o)), ingress(in), on_session(std::move(on_s)), observer(std::move(obs)),
        ioc(static_cast<int>(std::max(1u, opt.limits.threads))), acceptor(net::make_strand(ioc)), sweeper(ioc) {}

  void status(int code) const {
    if (observer.on_status) observer.on_status(code);
  }
  void sessions_changed(long open) const {
    if (observer.on_sessions) observer.on_sessions(open);
  }

  std::shared_ptr<HttpSession> create_session();
  std::shared_ptr<HttpSession> find(std::string_view sid) {
    std::lock_guard lock(mu);
    auto it = sessions.find(std::string(sid));
    return it == sessions.end() ? nullptr : it->second;
  }
  void end_session(const std::shared_ptr<HttpSession>& s, int status_for_waiting);
  void submit(const std::shared_ptr<HttpSession>& s, std::string line, bool request, std::function<void(bool)> admitted);
  /// A request of `s` was answered: its waiting messages may go on.
  void answered(const std::shared_ptr<HttpSession>& s);
  bool at_bound(const HttpSession& s) const {
    return s.in_flight.load(std::memory_order_acquire) >= static_cast<long>(opt.limits.session_max_in_flight);
  }
  void feed();
  void accept();
  void sweep();
  /// Remembers a connection, so that stop() can free the ones its handlers still hold.
  void track(const std::shared_ptr<Connection>& c) {
    std::lock_guard lock(conns_mu);
    if (conns.size() >= prune_at) {
      std::erase_if(conns, [](const std::weak_ptr<Connection>& w) { return w.expired(); });
      prune_at = std::max<std::size_t>(64, 2 * conns.size());
    }
    conns.push_back(c);
  }

  ServerOptions opt;
  Ingress& ingress;
  std::function<void(const std::shared_ptr<Session>&)> on_session;
  Observer observer;

  net::io_context ioc;  // first: outlives every socket and timer below
  tcp::acceptor acceptor;
  net::steady_timer sweeper;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::vector<std::thread> threads;
  unsigned short bound_port = 0;
  std::atomic<bool> accepting{false};
  std::atomic<long> pending_writes{0};  ///< lines handed to a connection, not yet written or dropped

  mutable std::mutex mu;
  std::unordered_map<std::string, std::shared_ptr<HttpSession>> sessions;

  std::mutex qmu;
  std::condition_variable qcv;
  std::deque<std::shared_ptr<HttpSession>> ring;  ///< sessions with a backlog, served in turn
  bool stopping = false;
  std::atomic<bool> stopping_flag{false};
  std::thread feeder;
  bool stopped = false;

  std::mutex conns_mu;
  std::vector<std::weak_ptr<Connection>> conns;  ///< every connection accepted (expired ones pruned)
  std::size_t prune_at = 64;
};

/// One TCP connection: reads requests one at a time and answers each, as JSON, as an event
/// stream, or (GET) by becoming its session's stream. Every member is touched only on the
/// connection's strand; deliver() and the others post to it from any thread.
class Connection final : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, Impl& impl) : stream_(std::move(socket)), impl_(impl), keepalive_(stream_.get_executor()) {}

  void start() {
    beast::error_code ec;
    stream_.socket().set_option(tcp::no_delay(true), ec);
    wait_request();
  }

  /// A line for `ex` (final: its reply, else a progress notification). `written` is
  /// called once it left, or was dropped because the client is gone.
  void deliver(std::shared_ptr<Exchange> ex, std::string line, std::function<void()> written, bool final, bool error) {
    net::post(stream_.get_executor(), [self = shared_from_this(), ex = std::move(ex), line = std::move(line),
                                       written = std::move(written), final, error]() mutable {
      self->on_deliver(ex, std::move(line), std::move(written), final, error);
    });
  }
  /// A message for the session's GET stream.
  void push_event(std::string line, std::function<void()> written) {
    net::post(stream_.get_executor(), [self = shared_from_this(), line = std::move(line), written = std::move(written)]() mutable {
      if (self->mode_ != Mode::Stream) return written();
      self->enqueue({Piece::Event, sse_event(line), std::move(written), nullptr});
      self->pump();
    });
  }
  /// Ends the exchange without a reply: `status` if nothing was sent yet, else the stream ends.
  void abandon(std::shared_ptr<Exchange> ex, int status, std::string message) {
    net::post(stream_.get_executor(), [self = shared_from_this(), ex = std::move(ex), status, message = std::move(message)] {
      if (self->current_ != ex || self->mode_ == Mode::Closed) return;
      if (self->mode_ == Mode::Sse) {
        self->enqueue({Piece::Last, {}, {}, nullptr});
        self->pump();
      } else {
        self->respond(status, error_body(message));
      }
    });
  }
  /// The session ended: its GET stream closes.
  void end_stream() {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->mode_ != Mode::Stream) return;
      self->keep_alive_ = false;
      self->enqueue({Piece::Last, {}, {}, nullptr});
      self->pump();
    });
  }
  /// The server stopped and its threads are gone: nothing runs on this strand again. Drops
  /// the exchange this connection answers, which holds the connection in turn, so both are
  /// freed with the handlers the io_context destroys (a reply whose write had not completed
  /// when the threads stopped left the two holding each other).
  void forget() {
    current_.reset();
    out_.clear();
  }
  /// Closes the connection now (shutdown).
  void shut() {
    net::post(stream_.get_executor(), [self = shared_from_this()] { self->close(); });
  }

 private:
  enum class Mode { Reading, Json, Sse, Stream, Closed };
  struct Piece {
    enum Kind { Head, Event, Last, Response } kind;
    std::string text;
    std::function<void()> written;
    std::shared_ptr<bh::response<bh::string_body>> response;
  };

  static std::string sse_event(std::string_view line) {
    std::string s;
    s.reserve(line.size() + 24);
    s.append("event: message\ndata: ").append(line).append("\n\n");
    return s;
  }

  Millis io_timeout() const { return impl_.opt.limits.read_timeout; }

  // ---- reading -------------------------------------------------------------------
  void wait_request() {
    mode_ = Mode::Reading;
    ++round_;
    current_.reset();
    if (buffer_.size() > 0) return read_request();
    // Between requests a kept-alive connection may stay silent for idle_timeout.
    stream_.expires_after(impl_.opt.limits.idle_timeout);
    stream_.async_read_some(buffer_.prepare(16 * 1024), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
      if (ec) return self->close();
      self->buffer_.commit(n);
      self->read_request();
    });
  }

  void read_request() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(impl_.opt.limits.max_header_bytes));
    parser_->body_limit(impl_.opt.max_body_bytes);
    // The whole request within read_timeout: a client sending a byte at a time
    // (slow loris) holds the connection no longer than that.
    stream_.expires_after(impl_.opt.limits.read_timeout);
    bh::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (mode_ == Mode::Closed) return;
    if (ec == bh::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset) return close();
    keep_alive_ = false;  // after an error the stream's framing is lost
    if (ec == beast::error::timeout) {  // the stream closed the socket: counted as a 408, nothing can be sent
      impl_.status(408);
      return close();
    }
    if (ec == bh::error::header_limit) return linger(413, "Payload Too Large: the headers are too large");
    if (ec == bh::error::body_limit) return linger(413, "Payload Too Large: the body is larger than the server accepts");
    if (ec.category() == bh::make_error_code(bh::error::bad_method).category())
      return linger(400, "Bad Request: malformed HTTP request");
    if (ec) return close();
    stream_.expires_never();
    auto req = parser_->release();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    handle(std::move(req));
  }

  // ---- one request ---------------------------------------------------------------
  void handle(bh::request<bh::string_body>&& req) {
    auto target = std::string_view(req.target());
    target = target.substr(0, target.find('?'));
    if (target != "/mcp") return respond(404, error_body("Not Found: MCP is served at /mcp"));
    if (!host_allowed(req[bh::field::host], impl_.opt.host))
      return respond(403, error_body("Forbidden: the Host header does not name this server"));
    if (auto origin = req[bh::field::origin]; !origin.empty() && !origin_allowed(origin))
      return respond(403, error_body("Forbidden: requests from this origin are not allowed"));
    if (!impl_.opt.token.empty() && !bearer_matches(req[bh::field::authorization], impl_.opt.token))
      return respond(401, error_body("Unauthorized: send Authorization: Bearer <token>"));
    if (auto v = req[kVersionHeader]; !v.empty() && !supported_version(v))
      return respond(400, error_body("Bad Request: unsupported MCP-Protocol-Version " + std::string(v)));
    switch (req.method()) {
      case bh::verb::post: return post(std::move(req));
      case bh::verb::get: return get(req);
      case bh::verb::delete_: return del(req);
      default: return respond(405, error_body("Method Not Allowed"), "GET, POST, DELETE");
    }
  }

  /// The session a request names: nullptr after answering 400 (none named) or 404.
  std::shared_ptr<HttpSession> named_session(const bh::request<bh::string_body>& req) {
    const auto sid = req[kSessionHeader];
    if (sid.empty()) {
      respond(400, error_body("Bad Request: the Mcp-Session-Id header is required"));
      return nullptr;
    }
    auto s = impl_.find(sid);
    if (!s) respond(404, error_body("Not Found: no such session (it ended or expired); initialize a new one", -32001));
    return s;
  }

  void post(bh::request<bh::string_body>&& req) {
    if (!starts_with_ci(req[bh::field::content_type], "application/json"))
      return respond(415, error_body("Unsupported Media Type: the body must be application/json"));
    const auto accepts = parse_accept(req[bh::field::accept]);
    if (!accepts.json && !accepts.sse)
      return respond(406, error_body("Not Acceptable: accept application/json or text/event-stream"));
    auto parsed = mcp::parse_message(req.body(), impl_.opt.max_json_depth);
    if (!parsed.message) return respond(400, mcp::make_error(parsed.id, *parsed.error));
    const auto& msg = *parsed.message;
    if (impl_.observer.on_message) impl_.observer.on_message();
    const bool request = msg.kind == mcp::Message::Kind::Request;
    std::shared_ptr<HttpSession> s;
    bool opened = false;
    if (req[kSessionHeader].empty() && request && msg.method == "initialize") {
      s = impl_.create_session();
      if (!s) return respond(503, error_body("Service Unavailable: too many sessions; retry later"), {}, true);
      opened = true;
    } else if (!(s = named_session(req))) {
      return;
    }
    s->touch();
    if (!request) {  // a notification or a response: 202 once admitted
      mode_ = Mode::Json;
      impl_.submit(s, std::move(req.body()), false, [self = shared_from_this()](bool ok) {
        net::post(self->stream_.get_executor(), [self, ok] {
          if (self->mode_ != Mode::Json || self->current_) return;
          ok ? self->respond(202, {}) : self->respond(503, error_body("Service Unavailable: takt is stopping"));
        });
      });
      watch();
      return;
    }
    if (!s->take_token(impl_.opt.limits.session_rate, impl_.opt.limits.session_burst)) {
      if (opened) impl_.end_session(s, 404);
      return respond(429, error_body("Too Many Requests: this session is over its rate (http.session_rate)"), {}, true);
    }
    auto ex = std::make_shared<Exchange>();
    ex->conn = shared_from_this();
    ex->id = msg.id;
    ex->initialize = opened;
    if (msg.params)
      if (const auto* meta = json::member(*msg.params, "_meta"); meta && meta->IsObject())
        if (const auto* token = json::member(*meta, "progressToken")) ex->token = json::dump(*token);
    ex->sse = accepts.sse && (!accepts.json || !ex->token.empty());
    if (!s->add_waiting(ex)) {
      if (opened) impl_.end_session(s, 404);
      return respond(400, mcp::make_error(msg.id, {mcp::kInvalidRequest,
                                                   "Invalid Request: a request with this id is still in flight"}));
    }
    current_ = ex;
    session_id_ = s->sid;
    if (ex->sse) {
      mode_ = Mode::Sse;
      start_stream(opened ? s->sid : std::string{});
    } else {
      mode_ = Mode::Json;
    }
    watch();
    impl_.submit(s, std::move(req.body()), true, [s, ex](bool ok) {
      if (ok || !s->drop_waiting(ex)) return;
      ex->conn->abandon(ex, s->ended ? 404 : 503, s->ended ? "Not Found: the session ended" : "Service Unavailable: takt is stopping");
      if (ex->initialize) s->impl.end_session(s, 503);
    });
  }

  void get(const bh::request<bh::string_body>& req) {
    if (!parse_accept(req[bh::field::accept]).sse)
      return respond(406, error_body("Not Acceptable: a GET stream is text/event-stream"));
    auto s = named_session(req);
    if (!s) return;
    if (!s->attach_stream(shared_from_this()))
      return respond(409, error_body("Conflict: this session already has a GET stream open"));
    s->touch();
    stream_session_ = s;
    mode_ = Mode::Stream;
    start_stream({});
    watch();
    schedule_keepalive();
  }

  void del(const bh::request<bh::string_body>& req) {
    auto s = named_session(req);
    if (!s) return;
    impl_.end_session(s, 404);
    respond(200, {});
  }

  // ---- answering -----------------------------------------------------------------
  void on_deliver(const std::shared_ptr<Exchange>& ex, std::string line, std::function<void()> written, bool final,
                  bool error) {
    if (mode_ == Mode::Closed || ex != current_) return written();
    if (ex->sse) {
      enqueue({Piece::Event, sse_event(line), std::move(written), nullptr});
      if (final) enqueue({Piece::Last, {}, {}, nullptr});
      return pump();
    }
    if (!final) return written();  // progress of a JSON answer has nowhere to go but the GET stream
    auto res = make_response(200);
    res->set(bh::field::content_type, "application/json");
    if (ex->initialize) {
      if (error) impl_.end_session(impl_.find(session_id_), 404);
      else res->set(kSessionHeader, session_id_);
    }
    res->body() = std::move(line);
    res->prepare_payload();
    impl_.status(200);
    enqueue({Piece::Response, {}, std::move(written), std::move(res)});
    pump();
  }

  std::shared_ptr<bh::response<bh::string_body>> make_response(int status) {
    auto res = std::make_shared<bh::response<bh::string_body>>(static_cast<bh::status>(status), version_);
    res->set(bh::field::server, "takt");
    res->keep_alive(keep_alive_);
    return res;
  }

  /// A whole answer to the request just read (errors, 202, DELETE).
  void respond(int status, std::string body, std::string_view allow = {}, bool retry_after = false) {
    if (mode_ == Mode::Closed) return;
    if (mode_ == Mode::Reading) mode_ = Mode::Json;
    auto res = make_response(status);
    if (!body.empty()) res->set(bh::field::content_type, "application/json");
    if (!allow.empty()) res->set(bh::field::allow, allow);
    if (retry_after) res->set(bh::field::retry_after, "5");
    if (status == 401) res->set(bh::field::www_authenticate, "Bearer");
    res->body() = std::move(body);
    res->prepare_payload();
    impl_.status(status);
    enqueue({Piece::Response, {}, {}, std::move(res)});
    pump();
  }

  /// An answer, then the connection closes without reading the rest of the request:
  /// the unread bytes are drained for a while so the client sees the answer, not a reset.
  void linger(int status, std::string message) {
    keep_alive_ = false;
    lingering_ = true;
    respond(status, error_body(message));
  }

  void start_stream(const std::string& sid) {
    auto head = std::make_shared<bh::response<bh::empty_body>>(bh::status::ok, version_);
    head->set(bh::field::server, "takt");
    head->set(bh::field::content_type, "text/event-stream");
    head->set(bh::field::cache_control, "no-cache");
    if (!sid.empty()) head->set(kSessionHeader, sid);
    head->keep_alive(keep_alive_);
    head->chunked(true);
    head_ = head;
    serializer_ = std::make_shared<bh::response_serializer<bh::empty_body>>(*head_);
    impl_.status(200);
    enqueue({Piece::Head, {}, {}, nullptr});
    pump();
  }

  void enqueue(Piece p) {
    if (mode_ == Mode::Closed) {
      if (p.written) p.written();
      return;
    }
    out_.push_back(std::move(p));
  }

  void pump() {
    if (writing_ || out_.empty() || mode_ == Mode::Closed) return;
    writing_ = true;
    stream_.expires_after(io_timeout());  // a client that does not read is cut off
    auto& p = out_.front();
    auto done = [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_written(ec); };
    switch (p.kind) {
      case Piece::Head: return bh::async_write_header(stream_, *serializer_, std::move(done));
      case Piece::Event: return net::async_write(stream_, bh::make_chunk(net::buffer(p.text)), std::move(done));
      case Piece::Last: return net::async_write(stream_, bh::make_chunk_last(), std::move(done));
      case Piece::Response: return bh::async_write(stream_, *p.response, std::move(done));
    }
  }

  void on_written(beast::error_code ec) {
    writing_ = false;
    stream_.expires_never();
    auto p = std::move(out_.front());
    out_.pop_front();
    if (p.written) p.written();
    if (ec || mode_ == Mode::Closed) return close();
    if (p.kind == Piece::Last || p.kind == Piece::Response) {
      if (lingering_) return drain_and_close();
      if (!keep_alive_) return graceful_close();
      return wait_request();
    }
    pump();
  }

  // ---- a client that went away ---------------------------------------------------
  /// While an answer is pending, notices the client closing its end (it is gone: nothing
  /// more can reach it) without reading what it may have sent next.
  ///
  /// A wake-up alone proves nothing: the reactor is edge-triggered, and the edge of bytes
  /// that were already read (a request read at once, before the reactor saw its arrival)
  /// may wake this wait later, with nothing left to read. Only a peek that finds the end
  /// of the stream (or an error) means the client left; finding nothing, the watch waits
  /// again; finding bytes, they are the client's next request and stay for the next read.
  void watch() {
    if (watching_ == round_) return;
    watching_ = round_;
    stream_.socket().async_wait(tcp::socket::wait_read, [self = shared_from_this(), round = round_](beast::error_code ec) {
      // A watch of an earlier request: the bytes that woke it are the next request's.
      if (round != self->round_) return;
      self->watching_ = 0;
      if (ec || self->mode_ == Mode::Closed || self->mode_ == Mode::Reading) return;
      switch (self->peek()) {
        case Peek::Gone: return self->close();
        case Peek::Nothing: return self->watch();
        case Peek::Bytes: return;
      }
    });
  }

  enum class Peek { Gone, Nothing, Bytes };
  /// What the socket holds now, without taking it and without blocking.
  Peek peek() {
    char byte;
    for (;;) {
      const auto n = ::recv(stream_.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
      if (n > 0) return Peek::Bytes;
      if (n == 0) return Peek::Gone;
      if (errno == EINTR) continue;
      return errno == EAGAIN || errno == EWOULDBLOCK ? Peek::Nothing : Peek::Gone;
    }
  }

  void schedule_keepalive() {
    keepalive_.expires_after(impl_.opt.limits.keepalive);
    keepalive_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (ec || self->mode_ != Mode::Stream) return;
      if (self->out_.empty()) {
        self->enqueue({Piece::Event, ": keepalive\n\n", {}, nullptr});
        self->pump();
      }
      self->schedule_keepalive();
    });
  }

  void graceful_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    close();
  }

  void drain_and_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(io_timeout());
    stream_.async_read_some(buffer_.prepare(64 * 1024), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return self->close();
      self->buffer_.consume(self->buffer_.size());
      self->drain_and_close();
    });
  }

  void close() {
    if (mode_ == Mode::Closed) return;
    const bool was_stream = mode_ == Mode::Stream;
    mode_ = Mode::Closed;
    keepalive_.cancel();
    beast::error_code ec;
    stream_.socket().close(ec);
    // What is queued will never be written; the piece being written completes (aborted).
    const auto keep = writing_ ? 1u : 0u;
    while (out_.size() > keep) {
      auto p = std::move(out_.back());
      out_.pop_back();
      if (p.written) p.written();
    }
    if (was_stream)
      if (auto s = stream_session_.lock()) s->detach_stream(this);
    // The exchange holds this connection until its reply comes; this connection need not
    // hold the exchange any more (what comes for a closed connection is dropped). Without
    // this, a request that is never answered (its session ended) kept both for ever.
    current_.reset();
  }

  beast::tcp_stream stream_;
  Impl& impl_;
  net::steady_timer keepalive_;
  beast::flat_buffer buffer_;
  std::optional<bh::request_parser<bh::string_body>> parser_;
  Mode mode_ = Mode::Reading;
  std::shared_ptr<Exchange> current_;
  std::string session_id_;
  std::weak_ptr<HttpSession> stream_session_;
  std::deque<Piece> out_;
  std::shared_ptr<bh::response<bh::empty_body>> head_;
  std::shared_ptr<bh::response_serializer<bh::empty_body>> serializer_;
  bool writing_ = false;
  std::uint64_t round_ = 1;    ///< requests read so far (+1): tells a watch of an earlier one
  std::uint64_t watching_ = 0; ///< the round a watch is pending for
  bool keep_alive_ = true;
  bool lingering_ = false;
  unsigned version_ = 11;
};

// ---- sessions ----------------------------------------------------------------------

void HttpSession::route(std::string line, std::function<void()> written) {
  impl.pending_writes.fetch_add(1, std::memory_order_relaxed);
  auto done = [&impl = impl, written = std::move(written)] {
    if (written) written();
    impl.pending_writes.fetch_sub(1, std::memory_order_relaxed);
  };
  bool error = false;
  if (auto id = reply_id(line, error); !id.empty()) {
    std::shared_ptr<Exchange> ex;
    {
      std::lock_guard lock(mu);
      if (auto it = waiting.find(std::string(id)); it != waiting.end()) {
        ex = std::move(it->second);
        waiting.erase(it);
        if (!ex->token.empty()) id_of_token.erase(ex->token);
      }
      last_used = Clock::now();
    }
    if (ex) {
      in_flight.fetch_sub(1, std::memory_order_acq_rel);
      impl.answered(shared_from_this());
      auto conn = ex->conn;
      return conn->deliver(std::move(ex), std::move(line), std::move(done), true, error);
    }
  } else if (auto token = progress_token(line); !token.empty()) {
    std::shared_ptr<Exchange> ex;
    {
      std::lock_guard lock(mu);
      if (auto t = id_of_token.find(std::string(token)); t != id_of_token.end())
        if (auto it = waiting.find(t->second); it != waiting.end() && it->second->sse) ex = it->second;
    }
    if (ex) return ex->conn->deliver(ex, std::move(line), std::move(done), false, false);
  }
  std::shared_ptr<Connection> to;
  {
    std::lock_guard lock(mu);
    to = stream.lock();
  }
  if (to) to->push_event(std::move(line), std::move(done));
  else done();  // no stream open: a message not tied to a request has nowhere to go
}

bool HttpSession::add_waiting(const std::shared_ptr<Exchange>& ex) {
  std::lock_guard lock(mu);
  if (ended || !waiting.emplace(ex->id, ex).second) return false;
  if (!ex->token.empty()) id_of_token[ex->token] = ex->id;
  return true;
}

bool HttpSession::drop_waiting(const std::shared_ptr<Exchange>& ex) {
  std::lock_guard lock(mu);
  auto it = waiting.find(ex->id);
  if (it == waiting.end() || it->second != ex) return false;
  waiting.erase(it);
  if (!ex->token.empty()) id_of_token.erase(ex->token);
  return true;
}

bool HttpSession::attach_stream(const std::shared_ptr<Connection>& c) {
  std::lock_guard lock(mu);
  if (ended || !stream.expired()) return false;
  stream = c;
  return true;
}

void HttpSession::detach_stream(const Connection* c) {
  std::lock_guard lock(mu);
  if (stream.lock().get() == c) stream.reset();
  last_used = Clock::now();
}

std::shared_ptr<HttpSession> Impl::create_session() {
  auto s = std::make_shared<HttpSession>(new_session_id(), *this);
  s->mcp = std::make_shared<Session>(std::make_shared<Route>(s));
  long open = 0;
  {
    std::lock_guard lock(mu);
    if (sessions.size() >= opt.limits.max_sessions) return nullptr;
    sessions.emplace(s->sid, s);
    open = static_cast<long>(sessions.size());
  }
  sessions_changed(open);
  if (on_session) on_session(s->mcp);
  return s;
}

void Impl::end_session(const std::shared_ptr<HttpSession>& s, int status_for_waiting) {
  if (!s) return;
  long open = 0;
  {
    std::lock_guard lock(mu);
    sessions.erase(s->sid);
    open = static_cast<long>(sessions.size());
  }
  std::unordered_map<std::string, std::shared_ptr<Exchange>> waiting;
  std::shared_ptr<Connection> stream;
  {
    std::lock_guard lock(s->mu);
    if (s->ended) return;
    s->ended = true;
    waiting.swap(s->waiting);
    s->id_of_token.clear();
    stream = s->stream.lock();
    s->stream.reset();
  }
  sessions_changed(open);
  std::deque<Queued> backlog;
  {
    std::lock_guard lock(qmu);
    backlog.swap(s->backlog);
    s->backlog_size.store(0);
  }
  // Work not yet admitted is dropped; admitted work is cancelled: what waits in a queue
  // never runs, a write already running completes (no half writes) and is not answered.
  for (auto& q : backlog) q.admitted(false);
  for (auto& [id, ex] : waiting) {
    s->mcp->cancel(id);
    ex->conn->abandon(ex, status_for_waiting, "the session ended");
  }
  if (stream) stream->end_stream();
}

void Impl::submit(const std::shared_ptr<HttpSession>& s, std::string line, bool request,
                  std::function<void(bool)> admitted) {
  if (s->backlog_size.load(std::memory_order_acquire) == 0 && !stopping_flag.load(std::memory_order_acquire) &&
      !(request && at_bound(*s))) {
    // Counted before it goes in: its reply may come back before try_submit returns.
    if (request) s->in_flight.fetch_add(1, std::memory_order_acq_rel);
    switch (ingress.try_submit(s->mcp, line)) {
      case Ingress::Admit::Admitted:
        if (observer.on_backlog_wait) observer.on_backlog_wait(0.0);
        return admitted(true);
      case Ingress::Admit::Closed:
        if (request) s->in_flight.fetch_sub(1, std::memory_order_acq_rel);
        return admitted(false);
      case Ingress::Admit::Full:
        if (request) s->in_flight.fetch_sub(1, std::memory_order_acq_rel);
        break;
    }
  }
  {
    std::unique_lock lock(qmu);
    if (stopping) {
      lock.unlock();
      return admitted(false);
    }
    s->backlog.push_back({std::move(line), request, std::move(admitted), Clock::now()});
    s->backlog_size.fetch_add(1, std::memory_order_release);
    if (!s->in_ring) {
      s->in_ring = true;
      ring.push_back(s);
    }
  }
  qcv.notify_one();
}

void Impl::answered(const std::shared_ptr<HttpSession>& s) {
  {
    std::lock_guard lock(qmu);
    if (s->in_ring || s->backlog.empty() || stopping) return;
    s->in_ring = true;
    ring.push_back(s);
  }
  qcv.notify_one();
}

/// The feeding thread: takes the waiting messages one session at a time, in turn, and
/// waits for room for each; a session with many waiting does not delay the others'.
void Impl::feed() {
  for (;;) {
    std::unique_lock lock(qmu);
    qcv.wait(lock, [&] { return stopping || !ring.empty(); });
    if (stopping) {
      std::vector<Queued> refused;
      for (auto& s : ring) {
        for (auto& q : s->backlog) refused.push_back(std::move(q));
        s->backlog.clear();
        s->backlog_size.store(0);
        s->in_ring = false;
      }
      ring.clear();
      lock.unlock();
      for (auto& q : refused) q.admitted(false);
      return;
    }
    auto s = std::move(ring.front());
    ring.pop_front();
    // A session at its bound of requests in flight leaves the ring until one is answered
    // (answered() brings it back): its backlog waits, the other sessions' does not.
    if (s->backlog.empty() || (s->backlog.front().request && at_bound(*s))) {
      s->in_ring = false;
      continue;
    }
    auto q = std::move(s->backlog.front());
    s->backlog.pop_front();
    if (s->backlog.empty()) s->in_ring = false;
    else ring.push_back(s);
    lock.unlock();
    if (q.request) s->in_flight.fetch_add(1, std::memory_order_acq_rel);
    const bool ok = ingress.submit(s->mcp, std::move(q.line));
    if (!ok && q.request) s->in_flight.fetch_sub(1, std::memory_order_acq_rel);
    s->backlog_size.fetch_sub(1, std::memory_order_release);
    if (observer.on_backlog_wait)
      observer.on_backlog_wait(std::chrono::duration<double>(Clock::now() - q.since).count());
    q.admitted(ok);
  }
}

void Impl::accept() {
  acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (!accepting.load()) return;
    if (!ec) {
      auto c = std::make_shared<Connection>(std::move(socket), *this);
      track(c);
      c->start();
    }
    accept();
  });
}

/// Ends sessions that had no request for session_idle and have nothing open.
void Impl::sweep() {
  const auto every = std::min<Millis>(Millis{1000}, std::max<Millis>(Millis{10}, opt.limits.session_idle / 4));
  sweeper.expires_after(every);
  sweeper.async_wait([this](beast::error_code ec) {
    if (ec) return;
    std::vector<std::shared_ptr<HttpSession>> idle;
    const auto now = Clock::now();
    {
      std::lock_guard lock(mu);
      for (auto& [sid, s] : sessions) {
        std::lock_guard slock(s->mu);
        if (s->waiting.empty() && s->stream.expired() && s->backlog_size.load() == 0 &&
            now - s->last_used >= opt.limits.session_idle)
          idle.push_back(s);
      }
    }
    for (auto& s : idle) end_session(s, 404);
    sweep();
  });
}

// ---- the server ----------------------------------------------------------------------

Server::Server(ServerOptions options, Ingress& ingress, std::function<void(const std::shared_ptr<Session>&)> on_session,
               Observer observer)
    : impl_(std::make_unique<Impl>(std::move(options), ingress, std::move(on_session), std::move(observer))) {}

Server::~Server() {
  stop_ingress();
  stop();
}

void Server::start() {
  auto& i = *impl_;
  beast::error_code ec;
  const auto address = net::ip::make_address(i.opt.host == "localhost" ? "127.0.0.1" : i.opt.host, ec);
  if (ec) throw std::runtime_error("http.listen: '" + i.opt.host + "' is not an IP address");
  const tcp::endpoint at(address, i.opt.port);
  i.acceptor.open(at.protocol(), ec);
  if (!ec) i.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) i.acceptor.bind(at, ec);
  if (!ec) i.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + i.opt.host + ":" + std::to_string(i.opt.port) + ": " + ec.message());
  i.bound_port = i.acceptor.local_endpoint().port();
  i.accepting = true;
  i.work.emplace(i.ioc.get_executor());
  i.accept();
  i.sweep();
  for (unsigned t = 0; t < std::max(1u, i.opt.limits.threads); ++t) i.threads.emplace_back([&i] { i.ioc.run(); });
  i.feeder = std::thread([&i] { i.feed(); });
}

unsigned short Server::port() const { return impl_->bound_port; }

std::string Server::url() const {
  const auto& h = impl_->opt.host;
  return "http://" + (h.find(':') != std::string::npos ? "[" + h + "]" : h) + ":" + std::to_string(port()) + "/mcp";
}

std::size_t Server::sessions() const {
  std::lock_guard lock(impl_->mu);
  return impl_->sessions.size();
}

void Server::stop_ingress() {
  auto& i = *impl_;
  {
    std::lock_guard lock(i.qmu);
    i.stopping = true;
    i.stopping_flag = true;
  }
  i.qcv.notify_all();
  if (i.feeder.joinable()) i.feeder.join();
}

void Server::stop() {
  auto& i = *impl_;
  if (i.stopped || i.threads.empty()) return;
  i.stopped = true;
  i.accepting = false;
  net::post(i.acceptor.get_executor(), [&i] {
    beast::error_code ec;
    i.acceptor.close(ec);
  });
  std::vector<std::shared_ptr<HttpSession>> all;
  {
    std::lock_guard lock(i.mu);
    for (auto& [sid, s] : i.sessions) all.push_back(s);
  }
  for (auto& s : all) i.end_session(s, 503);
  // The replies already handed to connections get a second to leave.
  const auto until = Clock::now() + std::chrono::seconds(1);
  while (i.pending_writes.load() > 0 && Clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  i.work.reset();
  i.ioc.stop();
  for (auto& t : i.threads) t.join();
  i.threads.clear();
  std::vector<std::weak_ptr<Connection>> conns;
  {
    std::lock_guard lock(i.conns_mu);
    conns.swap(i.conns);
  }
  for (auto& w : conns)
    if (auto c = w.lock()) c->forget();
}

}  // namespace takt::http
