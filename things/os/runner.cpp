#include "things/os/runner.hpp"

// Boost.Process v2 only: v1 (boost/process.hpp as it was, boost/process/extend.hpp) left
// those paths in Boost 1.88, the Boost Homebrew ships. Up to 1.87 v2 lives under
// boost/process/v2/; from 1.88 it is the top level of boost/process/ (the v2/ headers
// remain as the implementation). The namespace boost::process::v2 names it in both.
#include <boost/version.hpp>
#if BOOST_VERSION >= 108800
#include <boost/process/posix/default_launcher.hpp>
#include <boost/process/process.hpp>
#include <boost/process/stdio.hpp>
#else
#include <boost/process/v2/posix/default_launcher.hpp>
#include <boost/process/v2/process.hpp>
#include <boost/process/v2/stdio.hpp>
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
#include <cerrno>
#include <csignal>
#include <exception>
#include <optional>

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

/// A Boost.Process v2 launcher initializer for what v2 does not offer itself: a process
/// group of the script's own (v2 has no process-group initializer on POSIX), dying with
/// takt on Linux (PR_SET_PDEATHSIG), and exactly one inherited descriptor besides stdio.
/// v2 does close the descriptors not on the launcher's fd_whitelist, but up to Boost 1.87
/// it skips the gaps between whitelisted descriptors (close_handles compares each entry
/// with itself), so the keep_fd lock would open a hole for leaks; the close-on-exec sweep
/// here does not depend on that.
struct ChildSetup {
  int keep_fd = -1;
  pid_t parent = ::getpid();

  /// In takt, before fork: v2 keeps the descriptors on the whitelist open in the child.
  template <class Launcher>
  bp::error_code on_setup(Launcher& launcher, const bp::filesystem::path&, const char* const*) const {
    if (keep_fd >= 0) launcher.fd_whitelist.push_back(keep_fd);
    return {};
  }

  /// In the child, between fork and exec.
  template <class Launcher>
  bp::error_code on_exec_setup(Launcher&, const bp::filesystem::path&, const char* const*) const {
    // A group of its own, so a timeout or an abandon kills the script's children too.
    // Done here, before exec, so the group exists when the launcher returns to takt.
    if (::setpgid(0, 0) != 0) return {errno, bp::system_category()};
#ifdef __linux__
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(137);  // the parent died before prctl took effect
#endif
    cloexec_from_3();
    if (keep_fd >= 0) {
      const int flags = ::fcntl(keep_fd, F_GETFD);
      if (flags < 0 || ::fcntl(keep_fd, F_SETFD, flags & ~FD_CLOEXEC) != 0)
        return {errno, bp::system_category()};
    }
    return {};
  }
};

}  // namespace

ScriptOutput run_script(const ScriptCommand& cmd, const std::string& script, Millis timeout,
                        const std::function<bool()>& abandon) {
  ScriptOutput result;
  asio::io_context ioc;
  asio::writable_pipe in(ioc);
  asio::readable_pipe out(ioc), err(ioc);
  bp::error_code ec;
  std::optional<bp::basic_process<asio::io_context::executor_type>> child;
  try {
    // The child's ends of the three pipes live in `stdio` and close when this block ends:
    // takt then holds only its own ends, and sees an end of file when the script's group
    // is gone.
    bp::process_stdio stdio{in, out, err};
    bp::posix::default_launcher launch;
    child.emplace(launch(ioc.get_executor(), ec, cmd.program, cmd.args, stdio, ChildSetup{cmd.keep_fd}));
#if BOOST_VERSION < 108800
    // Before 1.88 a child whose exec failed is left unreaped by the launcher.
    if (ec && launch.pid > 0) {
      while (::waitpid(launch.pid, nullptr, 0) == -1 && errno == EINTR) {
      }
    }
#endif
  } catch (const std::exception& e) {  // the pipes could not be made (out of descriptors)
    result.started = false;
    result.exit_code = -1;
    result.err = cmd.program + ": " + e.what();
    return result;
  }
  if (ec) {
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
