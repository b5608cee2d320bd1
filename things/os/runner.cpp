#include "things/os/runner.hpp"

// Boost.Process v2 only: v1 (boost/process.hpp as it was, boost/process/extend.hpp) left
// those paths in Boost 1.88, the Boost Homebrew ships. Up to 1.87 v2 lives under
// boost/process/v2/; from 1.88 it is the top level of boost/process/ (the v2/ headers
// remain as the implementation). The namespace boost::process::v2 names it in both.
#include <boost/version.hpp>
#if BOOST_VERSION >= 108800
#include <boost/process/process.hpp>
#else
#include <boost/process/v2/process.hpp>
#endif
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/readable_pipe.hpp>
#include <boost/asio/writable_pipe.hpp>
#include <boost/asio/write.hpp>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <optional>
#include <utility>
#include <vector>

extern char** environ;

namespace takt::things {

namespace bp = boost::process::v2;
namespace asio = boost::asio;

void ignore_sigpipe() { std::signal(SIGPIPE, SIG_IGN); }

namespace {

/// Marks every descriptor from 3 up close-on-exec, in the child between fork and exec
/// (async-signal-safe calls only). takt's other descriptors (the database, sockets, the
/// pipes of scripts other threads are starting at this moment) must not reach the script:
/// a script's pipe held open by another script keeps takt waiting for an end of file
/// until that other script ends.
void cloexec_from_3() {
#if defined(__linux__) && defined(SYS_close_range)
  constexpr unsigned kCloseRangeCloexec = 1U << 2;  // CLOSE_RANGE_CLOEXEC, Linux 5.11
  if (::syscall(SYS_close_range, 3U, ~0U, kCloseRangeCloexec) == 0) return;
#endif
  rlimit lim{};
  long top = 1L << 16;
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY)
    top = static_cast<long>(std::min<rlim_t>(lim.rlim_cur, rlim_t{1} << 20));
  for (int fd = 3; fd < top; ++fd) {
    const int flags = ::fcntl(fd, F_GETFD);
    if (flags >= 0 && !(flags & FD_CLOEXEC)) ::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
  }
}

/// A descriptor closed with its owner unless released.
struct Fd {
  int fd = -1;
  Fd() = default;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  int release() { return std::exchange(fd, -1); }
};

/// A new pipe, both ends close-on-exec and above 2: the child's stdio is made by dup2
/// onto 0, 1 and 2 in turn, which must not overwrite a pipe end still to be moved (takt
/// may run with its own stdin closed). Returns errno, 0 on success.
int make_pipe(Fd& read_end, Fd& write_end) {
  int ends[2];
#ifdef __linux__
  if (::pipe2(ends, O_CLOEXEC) != 0) return errno;
#else
  if (::pipe(ends) != 0) return errno;  // a fork meanwhile is covered by cloexec_from_3
#endif
  read_end.fd = ends[0];
  write_end.fd = ends[1];
  for (Fd* end : {&read_end, &write_end}) {
    if (end->fd < 3) {
      const int moved = ::fcntl(end->fd, F_DUPFD_CLOEXEC, 3);
      if (moved < 0) return errno;
      end->reset();
      end->fd = moved;
    } else if (::fcntl(end->fd, F_SETFD, FD_CLOEXEC) != 0) {
      return errno;
    }
  }
  return 0;
}

/// In the child, between fork and exec: the script's stdio, a process group of its own
/// (so a timeout or an abandon kills the script's children too; made before exec, so it
/// exists when takt goes on), dying with takt on Linux (PR_SET_PDEATHSIG), and exactly one
/// inherited descriptor besides stdio (`keep_fd`, the lane's lock). Returns errno, 0 when
/// all is set. Async-signal-safe calls only.
int set_up_child(int in, int out, int err, int keep_fd, pid_t parent) {
  if (::dup2(in, STDIN_FILENO) < 0 || ::dup2(out, STDOUT_FILENO) < 0 || ::dup2(err, STDERR_FILENO) < 0) return errno;
  if (::setpgid(0, 0) != 0) return errno;
#ifdef __linux__
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(137);  // the parent died before prctl took effect
#else
  (void)parent;
#endif
  cloexec_from_3();
  if (keep_fd >= 0) {
    const int flags = ::fcntl(keep_fd, F_GETFD);
    if (flags < 0 || ::fcntl(keep_fd, F_SETFD, flags & ~FD_CLOEXEC) != 0) return errno;
  }
  return 0;
}

/// Starts `cmd` with its stdio on three new pipes, whose other ends go to `in`, `out` and
/// `err`.
///
/// Not Boost.Process's own launcher: up to at least Boost 1.81 its child tells the
/// io_context of the fork before exec, and asio's service registry allocates there. takt
/// has other threads; whatever lock one of them held at the fork (an allocator's: glibc's
/// malloc takes care of its own, AddressSanitizer's allocator in GCC 12 does not) stays
/// held for ever in the child, and the script never starts (seen as writes that hung under
/// AddressSanitizer). Here the child makes only async-signal-safe calls until exec, and
/// reports a failed exec through a close-on-exec pipe.
std::optional<bp::basic_process<asio::io_context::executor_type>> launch(asio::io_context& ioc, const ScriptCommand& cmd,
                                                                         asio::writable_pipe& in, asio::readable_pipe& out,
                                                                         asio::readable_pipe& err, bp::error_code& ec) {
  std::array<Fd, 8> fds;  // stdin read/write, stdout, stderr, the exec report
  auto& [in_r, in_w, out_r, out_w, err_r, err_w, report_r, report_w] = fds;
  const std::pair<Fd*, Fd*> pipes[] = {{&in_r, &in_w}, {&out_r, &out_w}, {&err_r, &err_w}, {&report_r, &report_w}};
  for (auto [r, w] : pipes)
    if (const int e = make_pipe(*r, *w)) {
      ec.assign(e, bp::system_category());
      return std::nullopt;
    }
  std::vector<char*> argv;  // made before the fork: the child may not allocate
  argv.push_back(const_cast<char*>(cmd.program.c_str()));
  for (const auto& a : cmd.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid < 0) {
    ec.assign(errno, bp::system_category());
    return std::nullopt;
  }
  if (pid == 0) {
    int e = set_up_child(in_r.fd, out_w.fd, err_w.fd, cmd.keep_fd, parent);
    if (e == 0) {
      ::execve(argv[0], argv.data(), environ);
      e = errno;
    }
    [[maybe_unused]] const auto n = ::write(report_w.fd, &e, sizeof e);
    ::_exit(127);
  }
  in_r.reset();
  out_w.reset();
  err_w.reset();
  report_w.reset();
  int child_error = 0;
  ssize_t n;
  while ((n = ::read(report_r.fd, &child_error, sizeof child_error)) < 0 && errno == EINTR) {
  }
  if (n > 0) {  // the exec failed: the child has exited
    while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
    }
    ec.assign(child_error, bp::system_category());
    return std::nullopt;
  }
  in.assign(in_w.release());
  out.assign(out_r.release());
  err.assign(err_r.release());
  return bp::basic_process<asio::io_context::executor_type>(ioc.get_executor(), pid);
}

}  // namespace

ScriptOutput run_script(const ScriptCommand& cmd, const std::string& script, Millis timeout,
                        const std::function<bool()>& abandon) {
  ScriptOutput result;
  asio::io_context ioc;
  asio::writable_pipe in(ioc);
  asio::readable_pipe out(ioc), err(ioc);
  bp::error_code ec;
  auto child = launch(ioc, cmd, in, out, err, ec);
  if (!child) {
    result.started = false;
    result.exit_code = -1;
    result.err = cmd.program + ": " + ec.message();
    return result;
  }
  const pid_t group = child->id();

  // The script goes to stdin while stdout and stderr are read, all at once: a script
  // that writes much before reading all of its input cannot deadlock against takt.
  asio::async_write(in, asio::buffer(script), [&](const bp::error_code&, std::size_t) {
    bp::error_code ignored;
    in.close(ignored);  // the end of file tells the script its input is complete
  });
  asio::async_read(out, asio::dynamic_buffer(result.out), [](const bp::error_code&, std::size_t) {});
  asio::async_read(err, asio::dynamic_buffer(result.err), [](const bp::error_code&, std::size_t) {});
  bool reaped = false;
  child->async_wait([&](const bp::error_code& wait_ec, int) { reaped = !wait_ec; });

  // Done when the script has exited and its group has closed stdout and stderr.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  constexpr Millis kPoll{20};
  while (!ioc.stopped()) {
    const auto left = std::chrono::duration_cast<Millis>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      break;
    }
    ioc.run_for(abandon ? std::min(left, kPoll) : left);
    if (!ioc.stopped() && abandon && abandon()) {
      result.abandoned = true;
      break;
    }
  }
  if (result.timed_out || result.abandoned) {
    // The whole group: grandchildren would keep the pipes open. The group outlives its
    // leader's exit while a member is alive, so its id is still ours to signal.
    ::killpg(group, SIGKILL);
    ioc.restart();
    ioc.run_for(Millis{2000});
    if (!ioc.stopped()) {
      // Something that left the group holds the pipes: stop reading, keep what came.
      bp::error_code ignored;
      out.close(ignored);
      err.close(ignored);
      in.close(ignored);
      ioc.restart();
      ioc.run_for(Millis{2000});
    }
  }
  if (!reaped) {
    ioc.stop();
    child->wait(ec);  // the leader was sent SIGKILL above if it had not ended
  }
  const int status = child->native_exit_code();
  result.exit_code = bp::evaluate_exit_code(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

}  // namespace takt::things
