#include "transports/relay.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <rapidjson/reader.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdint>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>
#include <string_view>
#include <thread>

#include "base/json.hpp"
#include "transports/local_socket.hpp"
#include "transports/stdio.hpp"

namespace takt {

namespace {

constexpr int kAnswerMillis = 5000;  ///< how long the daemon may take to answer the hello

/// What the relay needs to know of a message: the id of a request or of a reply (JSON
/// text, written as takt writes ids back), or the id a notifications/cancelled gives up
/// on (no reply is owed to it).
struct Seen {
  std::string id;
  bool reply = false;
  std::string cancels;
};

/// A client's line, parsed whole: only a line takt can read has a request id that takt
/// will answer under (a line it cannot parse is answered with a null id).
Seen look_at_request(const std::string& line) {
  Seen s;
  rapidjson::Document d;
  d.Parse(line.data(), line.size());
  if (d.HasParseError() || !d.IsObject()) return s;
  const auto method = json::get_string(d, "method");
  if (method && *method == "notifications/cancelled") {
    const auto* params = json::member(d, "params");
    const auto* of = params && params->IsObject() ? json::member(*params, "requestId") : nullptr;
    if (of) s.cancels = json::dump(*of);
  }
  const auto* id = json::member(d, "id");
  if (!method || !id || !(id->IsString() || id->IsNumber())) return s;
  s.id = json::dump(*id);
  return s;
}

/// Reads a line of takt's only as far as its top-level "id" and what follows it: a reply
/// can be a page of a thousand items, and the relay needs a dozen bytes of it.
struct ReplyId : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, ReplyId> {
  int depth = 0;
  bool want_id = false, has_method = false, has_body = false;
  std::string id;

  bool done() const { return !id.empty() && (has_body || has_method); }
  template <class Write>
  bool scalar(Write write) {
    if (want_id && depth == 1) {
      rapidjson::StringBuffer b;
      rapidjson::Writer<rapidjson::StringBuffer> w(b);
      write(w);
      id.assign(b.GetString(), b.GetSize());
    }
    want_id = false;
    return !done();
  }
  bool Default() { return scalar([](auto&) {}); }
  bool Int(int i) { return scalar([i](auto& w) { w.Int(i); }); }
  bool Uint(unsigned i) { return scalar([i](auto& w) { w.Uint(i); }); }
  bool Int64(int64_t i) { return scalar([i](auto& w) { w.Int64(i); }); }
  bool Uint64(uint64_t i) { return scalar([i](auto& w) { w.Uint64(i); }); }
  bool Double(double d) { return scalar([d](auto& w) { w.Double(d); }); }
  bool String(const char* str, rapidjson::SizeType len, bool) {
    return scalar([&](auto& w) { w.String(str, len); });
  }
  bool Key(const char* str, rapidjson::SizeType len, bool) {
    if (depth != 1) return true;
    const std::string_view k(str, len);
    want_id = k == "id";
    has_method |= k == "method";
    has_body |= k == "result" || k == "error";
    return !done();
  }
  bool StartObject() { return ++depth, want_id = false, true; }
  bool EndObject(rapidjson::SizeType) { return --depth, true; }
  bool StartArray() { return ++depth, want_id = false, true; }
  bool EndArray(rapidjson::SizeType) { return --depth, true; }
};

Seen look_at_reply(const std::string& line) {
  ReplyId h;
  rapidjson::Reader reader;
  rapidjson::StringStream in(line.c_str());
  reader.Parse(in, h);  // stops early on purpose once it knows
  Seen s;
  s.reply = !h.id.empty() && !h.has_method;
  s.id = std::move(h.id);
  return s;
}

/// Sends all of `text`; false when the daemon is gone.
bool send_all(int fd, const std::string& text) {
  std::size_t at = 0;
  while (at < text.size()) {
    const auto n = ::send(fd, text.data() + at, text.size() - at, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {  // the daemon is slow to read: wait
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, -1);
      continue;
    }
    if (n <= 0) return false;
    at += static_cast<std::size_t>(n);
  }
  return true;
}

/// The daemon's answer to the hello: nullopt if it said nothing in time.
std::optional<std::string> read_answer(int fd) {
  std::string line;
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    const int r = ::poll(&p, 1, kAnswerMillis);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return std::nullopt;
    char c = 0;
    const auto n = ::read(fd, &c, 1);  // byte by byte: the rest of the stream is the relay's
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    if (c == '\n') return line;
    if (line.size() > 16384) return std::nullopt;
    line.push_back(c);
  }
}

}  // namespace

RelayResult relay_stdio(const std::string& socket_path, const std::string& database, const ServerConfig& limits) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (socket_path.empty() || socket_path.size() >= sizeof a.sun_path) return {RelayOutcome::NoDaemon, "no usable socket path"};
  std::memcpy(a.sun_path, socket_path.c_str(), socket_path.size() + 1);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return {RelayOutcome::NoDaemon, std::strerror(errno)};
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) return {RelayOutcome::NoDaemon, std::strerror(errno)};
  if (!send_all(fd, relay_hello::request(database) + "\n")) return {RelayOutcome::NoDaemon, "the daemon closed the connection"};
  const auto answer = read_answer(fd);
  if (!answer) return {RelayOutcome::NoDaemon, "the daemon did not answer"};
  rapidjson::Document d;
  d.Parse(answer->data(), answer->size());
  if (d.HasParseError() || !d.IsObject() || !json::get_bool(d, "ok"))
    return {RelayOutcome::NoDaemon, "what listens at " + socket_path + " is not a takt"};
  if (!*json::get_bool(d, "ok"))
    return {RelayOutcome::Refused, std::string(json::get_string(d, "why").value_or("refused"))};

  spdlog::info("relaying this client to the takt serving all clients at {}", socket_path);
  auto out = std::make_shared<LineWriter>(STDOUT_FILENO);
  std::mutex mu;
  std::condition_variable cv;
  std::set<std::string> in_flight;  // requests passed on and not answered yet
  bool input_done = false, daemon_gone = false;
  LineReader input(STDIN_FILENO, limits.max_message_bytes);

  std::thread from_daemon([&] {
    LineReader daemon(fd, std::size_t{1} << 30);
    // The answers of one read leave in one write, as takt's own stdio writer does it.
    daemon.run(
        [&](std::string line, bool) {
          const auto seen = look_at_reply(line);
          out->send(std::move(line));
          if (seen.reply) {
            std::lock_guard lock(mu);
            in_flight.erase(seen.id);
            if (input_done && in_flight.empty()) cv.notify_all();
          }
          return true;
        },
        [&](bool begin) { begin ? out->hold() : out->release(); });
    std::unique_lock lock(mu);
    if (input_done && in_flight.empty()) return;  // closed after the last answer: as it should be
    daemon_gone = true;
    spdlog::error("the takt serving all clients at {} went away; {} request(s) of this client were not answered",
                  socket_path, in_flight.size());
    for (const auto& id : in_flight)
      out->send(R"({"jsonrpc":"2.0","id":)" + id +
                R"(,"error":{"code":-32000,"message":"takt's shared server went away before answering; if this was a write, read the item back before sending it again"}})");
    in_flight.clear();
    cv.notify_all();
    lock.unlock();
    input.stop();
  });

  // The lines of one read go to the daemon in one write.
  std::string batch;
  bool send_failed = false;
  input.run(
      [&](std::string line, bool oversized) {
        if (oversized) {  // answered here, as takt answers it
          out->send(R"({"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"Invalid Request: message longer than )" +
                    std::to_string(limits.max_message_bytes) + R"( bytes"}})");
          return true;
        }
        const auto seen = look_at_request(line);
        {
          std::lock_guard lock(mu);
          if (daemon_gone || send_failed) return false;
          if (!seen.id.empty()) in_flight.insert(seen.id);
          if (!seen.cancels.empty()) in_flight.erase(seen.cancels);  // takt owes it no reply now
        }
        batch += line;
        batch += '\n';
        return true;
      },
      [&](bool begin) {
        if (begin || batch.empty()) return;
        if (!send_all(fd, batch)) send_failed = true;
        batch.clear();
      });
  {
    std::unique_lock lock(mu);
    input_done = true;
    cv.wait(lock, [&] { return in_flight.empty() || daemon_gone; });
  }
  ::shutdown(fd, SHUT_WR);  // the daemon sees its client leave once every answer is in
  from_daemon.join();
  out->close();
  return {daemon_gone ? RelayOutcome::DaemonLost : RelayOutcome::Finished, {}};
}

}  // namespace takt
