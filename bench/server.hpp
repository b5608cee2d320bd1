#pragma once
/// The server under test: a child process started from a command line, its stdin and
/// stdout on pipes (non-blocking on our side), its stderr read by a thread that keeps the
/// last lines, copies them to a log file if asked, and notices a Prometheus address
/// announced as `metrics: http://HOST:PORT/metrics`. Also reads the child's memory and
/// CPU figures from /proc. Not thread-safe, except metrics_url() and stderr_tail(), which
/// may be called from any thread.

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace bench {

class Server {
 public:
  /// Starts `argv` (searched in PATH). Throws std::runtime_error if it cannot start.
  Server(const std::vector<std::string>& argv, const std::string& stderr_log);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  pid_t pid() const { return pid_; }
  int in_fd() const { return in_fd_; }    ///< the server's stdin (ours to write)
  int out_fd() const { return out_fd_; }  ///< the server's stdout (ours to read)

  /// The metrics address the server printed on stderr, waiting up to `wait` for it.
  std::optional<std::string> metrics_url(std::chrono::milliseconds wait);
  /// The last lines the server wrote on stderr, waiting up to `wait` for its stderr to
  /// close (so that a server that just died has its last words in it).
  std::string stderr_tail(std::chrono::milliseconds wait = std::chrono::milliseconds(0));

  /// From /proc/PID/status: peak resident set (VmHWM) and current one (VmRSS), in KiB;
  /// -1 if unreadable (the process is gone).
  long vm_hwm_kib() const;
  long vm_rss_kib() const;
  /// User + system CPU time of the process (all its threads, not its children), seconds.
  double cpu_seconds() const;

  /// Ends the session the way an MCP client does: closes stdin, reads (and discards)
  /// stdout until the server exits or `grace` passes, then SIGTERM, then SIGKILL.
  /// Returns how it ended ("exit 0", "signal 9 after SIGKILL", ...).
  std::string stop(std::chrono::milliseconds grace);

 private:
  void read_stderr();
  long status_field(const char* name) const;

  pid_t pid_ = -1;
  int in_fd_ = -1, out_fd_ = -1, err_fd_ = -1;
  std::thread err_thread_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> tail_;
  std::optional<std::string> metrics_url_;
  bool err_closed_ = false;
  std::string log_path_;
  bool reaped_ = false;
};

}  // namespace bench
