#include "transports/local_socket.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <system_error>

#include "base/json.hpp"
#include "mcp/session.hpp"
#include "pipeline/pipeline.hpp"
#include "transports/stdio.hpp"

namespace takt {

namespace relay_hello {
std::string request(const std::string& database) {
  return R"({"takt_relay":1,"database":)" + json::quote(database) + "}";
}
std::string answer(bool ok, const std::string& why) {
  return std::string(R"({"takt_relay":1,"ok":)") + (ok ? "true" : "false") + (ok ? "" : R"(,"why":)" + json::quote(why)) + "}";
}
}  // namespace relay_hello

namespace {

constexpr int kHelloMillis = 5000;          ///< a connection that says nothing this long is dropped
constexpr std::size_t kHelloBytes = 16384;  ///< the longest hello line

std::string same_file(const std::string& path) {
  std::error_code ec;
  auto p = std::filesystem::weakly_canonical(path, ec);
  return ec ? path : p.string();
}

sockaddr_un address_of(const std::string& path) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (path.size() >= sizeof a.sun_path)
    throw std::runtime_error("the relay socket path " + path + " is longer than " +
                             std::to_string(sizeof a.sun_path - 1) + " bytes; set relay.socket to a shorter one");
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
  return a;
}

/// True when a process accepts connections at `path` now.
bool someone_listens(const std::string& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  const auto a = address_of(path);
  const bool yes = ::connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return yes;
}

/// One line from `fd` (blocking, up to kHelloMillis and kHelloBytes); nullopt when the
/// peer closed, said too much, said nothing in time, or `wake` became readable.
std::optional<std::string> read_hello(int fd, int wake) {
  std::string line;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(kHelloMillis);
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()).count();
    if (left <= 0) return std::nullopt;
    pollfd fds[2] = {{fd, POLLIN, 0}, {wake, POLLIN, 0}};
    if (::poll(fds, 2, static_cast<int>(left)) < 0) {
      if (errno == EINTR) continue;
      return std::nullopt;
    }
    if (fds[1].revents) return std::nullopt;
    if (!fds[0].revents) continue;
    char c = 0;
    const auto n = ::read(fd, &c, 1);  // byte by byte: nothing after the hello is read here
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    if (c == '\n') return line;
    if (line.size() >= kHelloBytes) return std::nullopt;
    line.push_back(c);
  }
}

void write_line(int fd, std::string line) {
  line.push_back('\n');
  std::size_t at = 0;
  while (at < line.size()) {
    const auto n = ::send(fd, line.data() + at, line.size() - at, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    at += static_cast<std::size_t>(n);
  }
}

/// A connection's way back: the writer, and the descriptor it writes to, closed only
/// after the writer is gone (a reply made late may still reach the writer, which drops
/// it; the descriptor's number is not reused meanwhile).
struct SocketOutput final : Output {
  struct OwnedFd {
    int fd;
    ~OwnedFd() { ::close(fd); }
  } owned;
  LineWriter writer;
  explicit SocketOutput(int fd) : owned{fd}, writer(fd, "a relay connection") {}
  void send(std::string line, std::function<void()> written) override { writer.send(std::move(line), std::move(written)); }
};

}  // namespace

struct LocalSocketServer::Connection {
  int fd;
  std::shared_ptr<SocketOutput> output;
  std::unique_ptr<LineReader> reader;
  std::thread thread;
  std::atomic<bool> finished{false};
};

LocalSocketServer::LocalSocketServer(Pipeline& pipeline, std::string path, std::string database, const ServerConfig& limits,
                                     OnSession on_session, std::function<void()> on_message)
    : pipeline_(pipeline), path_(std::move(path)), database_(same_file(database)), limits_(limits),
      on_session_(std::move(on_session)), on_message_(std::move(on_message)) {}

LocalSocketServer::~LocalSocketServer() {
  stop();
  close();
  for (int fd : wake_)
    if (fd >= 0) ::close(fd);
}

void LocalSocketServer::start() {
  const auto a = address_of(path_);
  struct stat st{};
  if (::lstat(path_.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode))
      throw std::runtime_error("the relay socket path " + path_ + " is taken by a file that is not a socket");
    if (someone_listens(path_))
      throw std::runtime_error("another takt already serves this user's clients at " + path_);
    ::unlink(path_.c_str());  // left behind by a takt that died
  }
  if (::pipe2(wake_, O_CLOEXEC) != 0) throw std::system_error(errno, std::system_category(), "pipe");
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::system_error(errno, std::system_category(), "socket");
  if (::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0 || ::chmod(path_.c_str(), 0600) != 0 ||
      ::listen(listen_fd_, 64) != 0)
    throw std::runtime_error("cannot listen at " + path_ + ": " + std::strerror(errno));
  acceptor_ = std::thread([this] { accept_loop(); });
}

void LocalSocketServer::accept_loop() {
  while (!stopping_.load()) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      spdlog::error("relay socket: poll: {}", std::strerror(errno));
      return;
    }
    if (fds[1].revents) return;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    auto c = std::make_shared<Connection>();
    c->fd = fd;
    std::lock_guard lock(mu_);
    // Connections that ended are joined here, so a daemon that runs for weeks keeps none.
    for (auto it = conns_.begin(); it != conns_.end();) {
      if ((*it)->finished.load()) {
        (*it)->thread.join();
        it = conns_.erase(it);
      } else {
        ++it;
      }
    }
    conns_.push_back(c);
    c->thread = std::thread([this, c] { serve(c); });
  }
}

void LocalSocketServer::serve(const std::shared_ptr<Connection>& c) {
  struct Finished {
    Connection& c;
    ~Finished() { c.finished.store(true); }
  } finished{*c};
  const auto hello = read_hello(c->fd, wake_[0]);
  if (!hello) {
    ::close(c->fd);
    return;
  }
  std::string why;
  rapidjson::Document doc;
  doc.Parse(hello->data(), hello->size());
  const auto database = !doc.HasParseError() && doc.IsObject() ? json::get_string(doc, "database") : std::nullopt;
  if (!database) why = "the hello line is not a takt relay's";
  else if (same_file(std::string(*database)) != database_)
    why = "this takt serves the database " + database_ + ", not " + std::string(*database);
  write_line(c->fd, relay_hello::answer(why.empty(), why));
  if (!why.empty()) {
    spdlog::info("relay socket: a client was turned away: {}", why);
    ::close(c->fd);
    return;
  }
  // Non-blocking before either side looks at it: the reader and the writer both keep
  // the flags they find and put them back, so they must find the same.
  ::fcntl(c->fd, F_SETFL, ::fcntl(c->fd, F_GETFL) | O_NONBLOCK);
  c->output = std::make_shared<SocketOutput>(c->fd);
  auto session = std::make_shared<Session>(c->output);
  if (on_session_) on_session_(session);
  {
    std::lock_guard lock(mu_);
    if (stopping_.load()) return;  // stop() came first: it would not find this reader
    c->reader = std::make_unique<LineReader>(c->fd, limits_.max_message_bytes, limits_.replies_per_write);
  }
  open_.fetch_add(1);
  spdlog::info("relay socket: a client joined ({} connected)", open_.load());
  auto& writer = c->output->writer;
  const auto flush = [&](bool waiting) { waiting ? writer.release() : writer.hold(); };
  c->reader->run(
      [&](std::string line, bool oversized) {
        if (on_message_) on_message_();
        return pipeline_.submit(session, std::move(line), oversized, flush);
      },
                 [&](bool begin) { begin ? writer.hold() : writer.release(); });
  open_.fetch_sub(1);
  if (!stopping_.load()) {
    // The client went away: what it queued and has not started is not wanted any more.
    session->cancel_all();
    writer.close();
    ::shutdown(c->fd, SHUT_RDWR);
    spdlog::info("relay socket: a client left ({} connected)", open_.load());
  }
}

void LocalSocketServer::stop() {
  if (stopping_.exchange(true)) return;
  if (wake_[1] >= 0) {
    const char x = 'x';
    [[maybe_unused]] auto n = ::write(wake_[1], &x, 1);
  }
  if (acceptor_.joinable()) acceptor_.join();
  std::lock_guard lock(mu_);
  for (auto& c : conns_)
    if (c->reader) c->reader->stop();
}

void LocalSocketServer::close() {
  std::list<std::shared_ptr<Connection>> conns;
  {
    std::lock_guard lock(mu_);
    conns.swap(conns_);
  }
  for (auto& c : conns) {
    if (c->thread.joinable()) c->thread.join();
    if (c->output) {
      c->output->writer.close();
      ::shutdown(c->fd, SHUT_RDWR);
    }
  }
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
    ::unlink(path_.c_str());
  }
}

}  // namespace takt
