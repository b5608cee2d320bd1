#include "bench/server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

extern char** environ;

namespace bench {
namespace {

constexpr std::size_t kTailLines = 40;

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Reads a small /proc file into `buf` (NUL-terminated); returns its length or -1.
ssize_t read_proc(const char* path, char* buf, std::size_t size) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = ::read(fd, buf, size - 1);
  ::close(fd);
  if (n < 0) return -1;
  buf[n] = '\0';
  return n;
}

}  // namespace

Server::Server(const std::vector<std::string>& argv, const std::string& stderr_log) : log_path_(stderr_log) {
  if (argv.empty()) throw std::runtime_error("no server command given (put it after --)");
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  // dup2 clears close-on-exec on the target, so the child keeps exactly 0, 1 and 2.
  posix_spawn_file_actions_adddup2(&fa, in[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&fa, out[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&fa, err[1], STDERR_FILENO);
  // The child gets default signal dispositions (we ignore SIGPIPE; it should not).
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t defaults;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  posix_spawnattr_setsigdefault(&attr, &defaults);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const int rc = ::posix_spawnp(&pid_, args[0], &fa, &attr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  if (rc != 0) {
    ::close(in[1]);
    ::close(out[0]);
    ::close(err[0]);
    throw std::runtime_error("cannot start '" + argv[0] + "': " + std::strerror(rc));
  }
  in_fd_ = in[1];
  out_fd_ = out[0];
  err_fd_ = err[0];
  set_nonblocking(in_fd_);
  set_nonblocking(out_fd_);
  err_thread_ = std::thread([this] { read_stderr(); });
}

Server::~Server() {
  if (!reaped_) stop(std::chrono::milliseconds(2000));
  if (err_thread_.joinable()) err_thread_.join();
  if (out_fd_ >= 0) ::close(out_fd_);
}

void Server::read_stderr() {
  std::FILE* log = log_path_.empty() ? nullptr : std::fopen(log_path_.c_str(), "a");
  std::string pending;
  char buf[8192];
  while (true) {
    const ssize_t n = ::read(err_fd_, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (log) std::fwrite(buf, 1, static_cast<std::size_t>(n), log);
    pending.append(buf, static_cast<std::size_t>(n));
    std::size_t start = 0, nl;
    while ((nl = pending.find('\n', start)) != std::string::npos) {
      std::string line = pending.substr(start, nl - start);
      start = nl + 1;
      std::lock_guard lock(mu_);
      if (!metrics_url_) {
        const auto at = line.find("metrics: http://");
        if (at != std::string::npos) {
          const auto b = at + 9;
          const auto e = line.find_first_of("; \t\r", b);
          metrics_url_ = line.substr(b, e == std::string::npos ? std::string::npos : e - b);
          cv_.notify_all();
        }
      }
      tail_.push_back(std::move(line));
      if (tail_.size() > kTailLines) tail_.pop_front();
    }
    pending.erase(0, start);
  }
  if (log) std::fclose(log);
  ::close(err_fd_);
  std::lock_guard lock(mu_);
  err_closed_ = true;
  cv_.notify_all();
}

std::optional<std::string> Server::metrics_url(std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, wait, [&] { return metrics_url_.has_value() || err_closed_; });
  return metrics_url_;
}

std::string Server::stderr_tail(std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, wait, [&] { return err_closed_; });
  std::string s;
  for (const auto& l : tail_) s += "  | " + l + "\n";
  return s;
}

long Server::status_field(const char* name) const {
  char path[64], buf[4096];
  std::snprintf(path, sizeof path, "/proc/%d/status", static_cast<int>(pid_));
  if (read_proc(path, buf, sizeof buf) < 0) return -1;
  const char* p = std::strstr(buf, name);
  if (!p) return -1;
  return std::strtol(p + std::strlen(name), nullptr, 10);
}

long Server::vm_hwm_kib() const { return status_field("VmHWM:"); }
long Server::vm_rss_kib() const { return status_field("VmRSS:"); }

double Server::cpu_seconds() const {
  char path[64], buf[1024];
  std::snprintf(path, sizeof path, "/proc/%d/stat", static_cast<int>(pid_));
  if (read_proc(path, buf, sizeof buf) < 0) return -1;
  const char* p = std::strrchr(buf, ')');  // the command name may hold spaces
  if (!p) return -1;
  // After ')': state is field 3; utime and stime are fields 14 and 15.
  char* cur = const_cast<char*>(p + 1);
  for (int field = 3; field < 14; ++field) {
    while (*cur == ' ') ++cur;
    while (*cur && *cur != ' ') ++cur;
  }
  const unsigned long long ut = std::strtoull(cur, &cur, 10);
  const unsigned long long st = std::strtoull(cur, &cur, 10);
  return static_cast<double>(ut + st) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::string Server::stop(std::chrono::milliseconds grace) {
  using Clock = std::chrono::steady_clock;
  if (reaped_) return "already stopped";
  if (in_fd_ >= 0) {
    ::close(in_fd_);
    in_fd_ = -1;
  }
  int status = 0;
  const auto exited = [&] {
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    return r == pid_ || (r < 0 && errno == ECHILD);
  };
  // Keep reading stdout: a server blocked writing its last replies cannot exit.
  const auto drain_until = [&](Clock::time_point deadline) {
    char buf[65536];
    while (Clock::now() < deadline) {
      if (exited()) return true;
      if (out_fd_ >= 0) {
        pollfd pfd{out_fd_, POLLIN, 0};
        ::poll(&pfd, 1, 20);
        if (pfd.revents) {
          const ssize_t n = ::read(out_fd_, buf, sizeof buf);
          if (n == 0) {
            ::close(out_fd_);
            out_fd_ = -1;
          }
        }
      } else {
        ::usleep(10'000);
      }
    }
    return exited();
  };
  std::string how;
  if (drain_until(Clock::now() + grace)) {
    how = "";
  } else {
    ::kill(pid_, SIGTERM);
    if (drain_until(Clock::now() + std::chrono::seconds(3))) {
      how = " after SIGTERM";
    } else {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
      how = " after SIGKILL";
    }
  }
  reaped_ = true;
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status)) + how;
  if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status)) + how;
  return "ended" + how;
}

}  // namespace bench
