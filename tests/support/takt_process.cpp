#include "takt_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <regex>
#include <stdexcept>

#include "base/json.hpp"

namespace takt::test {

TempDir::TempDir() {
  char tmpl[] = "/tmp/takt-test-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void TempDir::write(const std::string& name, const std::string& text) const {
  std::ofstream(file(name)) << text;
}

Child::Child(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  int in[2], out[2], err[2];
  // Close-on-exec: another Child started later must not hold this one's pipes open (its
  // stdin would never reach end-of-file). dup2 below clears the flag on 0, 1 and 2.
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    for (int fd : {in[0], in[1], out[0], out[1], err[0], err[1]}) close(fd);
    for (const auto& e : env) putenv(const_cast<char*>(e.c_str()));  // lives until execv
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  in_ = in[1];
  out_ = out[0];
  err_ = err[0];
  ::signal(SIGPIPE, SIG_IGN);
  err_thread_ = std::thread([this] {
    char buf[4096];
    ssize_t n;
    while ((n = ::read(err_, buf, sizeof buf)) > 0) {
      std::lock_guard lock(err_mu_);
      err_text_.append(buf, static_cast<std::size_t>(n));
    }
  });
}

Child::~Child() {
  if (!reaped_) {
    kill(pid_, SIGKILL);
    wait(5s);
  }
  if (in_ >= 0) close(in_);
  close(out_);
  if (err_thread_.joinable()) err_thread_.join();
  close(err_);
}

void Child::send(const std::string& line) {
  std::string s = line + "\n";
  std::size_t off = 0;
  while (off < s.size()) {
    auto n = ::write(in_, s.data() + off, s.size() - off);
    if (n <= 0) throw std::runtime_error("takt's stdin is closed");
    off += static_cast<std::size_t>(n);
  }
}

std::optional<std::string> Child::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (auto nl = out_buf_.find('\n'); nl != std::string::npos) {
      auto line = out_buf_.substr(0, nl);
      out_buf_.erase(0, nl + 1);
      return line;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    pollfd p{out_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[65536];
    auto n = ::read(out_, buf, sizeof buf);
    if (n <= 0) return std::nullopt;
    out_buf_.append(buf, static_cast<std::size_t>(n));
  }
}

void Child::close_stdin() {
  if (in_ >= 0) close(in_);
  in_ = -1;
}

void Child::signal(int sig) {
  if (pid_ > 0) kill(pid_, sig);
}

int Child::wait(std::chrono::milliseconds timeout) {
  if (reaped_) return status_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int st = 0;
  while (waitpid(pid_, &st, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &st, 0);
      reaped_ = true;
      status_ = -1;
      return -1;
    }
    std::this_thread::sleep_for(5ms);
  }
  reaped_ = true;
  status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  // Everything it wrote to stderr is read once the pipe reaches its end.
  if (err_thread_.joinable()) err_thread_.join();
  return status_;
}

std::string Child::stderr_text() {
  std::lock_guard lock(err_mu_);
  return err_text_;
}

rapidjson::Document parse_json(const std::string& text) {
  rapidjson::Document d;
  d.Parse(text.c_str());
  if (d.HasParseError()) throw std::runtime_error("not JSON: " + text);
  return d;
}

Takt::Takt(const TempDir& dir, const std::string& config_yaml)
    : child_([&] {
        dir.write("takt.yaml", config_yaml);
        return std::vector<std::string>{TAKT_BINARY, "--config", dir.file("takt.yaml")};
      }(),
             {"XDG_CACHE_HOME=" + dir.file("xdg-cache")}) {}

rapidjson::Document Takt::await(const std::string& id, std::chrono::milliseconds timeout) {
  for (auto it = stash_.begin(); it != stash_.end(); ++it) {
    auto d = parse_json(*it);
    if (json::dump(d["id"]) == id) {
      stash_.erase(it);
      return d;
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto line = child_.read_line(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
    if (!line) break;
    auto d = parse_json(*line);
    if (!d.HasMember("id")) {
      notes_.push_back(*line);
      continue;
    }
    if (json::dump(d["id"]) == id) return d;
    stash_.push_back(*line);
  }
  throw std::runtime_error("no response with id " + id + "; stderr:\n" + child_.stderr_text());
}

rapidjson::Document Takt::call(int id, const std::string& method, const std::string& params_json) {
  child_.send(R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":")" + method + R"(","params":)" +
              params_json + "}");
  return await(std::to_string(id));
}

rapidjson::Document Takt::tool(int id, const std::string& name, const std::string& args_json) {
  return call(id, "tools/call", R"({"name":")" + name + R"(","arguments":)" + args_json + "}");
}

rapidjson::Document Takt::raw(const std::string& line) {
  child_.send(line);
  for (;;) {
    auto l = child_.read_line();
    if (!l) throw std::runtime_error("no answer to: " + line.substr(0, 200));
    auto d = parse_json(*l);
    if (d.HasMember("id")) return d;
    notes_.push_back(*l);
  }
}

void Takt::handshake() {
  auto r = call(0, "initialize",
                R"({"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"takt-tests","version":"1"}})");
  if (!r.HasMember("result")) throw std::runtime_error("initialize failed");
  child_.send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
}

int Takt::metrics_port() {
  static const std::regex re(R"(metrics: http://127\.0\.0\.1:(\d+)/metrics)");
  for (int i = 0; i < 200; ++i) {
    std::smatch m;
    auto text = child_.stderr_text();
    if (std::regex_search(text, m, re)) return std::stoi(m[1]);
    std::this_thread::sleep_for(10ms);
  }
  return 0;
}

std::string http_get(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    return "";
  }
  std::string req = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  if (::write(fd, req.data(), req.size()) < 0) {
    close(fd);
    return "";
  }
  std::string resp;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) resp.append(buf, static_cast<std::size_t>(n));
  close(fd);
  auto body = resp.find("\r\n\r\n");
  return body == std::string::npos ? "" : resp.substr(body + 4);
}

int run(const std::string& command, std::string* out) {
  FILE* p = popen(command.c_str(), "r");
  if (!p) return -1;
  std::string text;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) text.append(buf, n);
  int st = pclose(p);
  if (out) *out = text;
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

std::string sql_value(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(h);
    throw std::runtime_error("cannot open " + db);
  }
  // The database may be mid-write (things-sim, or the recovery of one it crashed in):
  // wait for the lock, as takt's own connections do, instead of failing the test.
  sqlite3_busy_timeout(h, 10000);
  sqlite3_stmt* s = nullptr;
  std::string v;
  if (sqlite3_prepare_v2(h, sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
    std::string e = sqlite3_errmsg(h);
    sqlite3_close(h);
    throw std::runtime_error("bad SQL: " + e);
  }
  if (sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0))
    v = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  sqlite3_close(h);
  return v;
}

}  // namespace takt::test
