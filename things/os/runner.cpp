#include "things/os/runner.hpp"

// boost/process.hpp is slow to parse: it is included here and nowhere else.
#include <boost/asio/io_context.hpp>
#include <boost/process.hpp>
#include <boost/process/extend.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <csignal>
#include <future>

namespace takt::things {

namespace bp = boost::process;
namespace asio = boost::asio;

void ignore_sigpipe() { std::signal(SIGPIPE, SIG_IGN); }

namespace {

/// Runs in the child between fork and exec: dies with its parent (Linux), and keeps the
/// descriptor it is asked to keep (the machine lock) open across exec.
struct ChildSetup : bp::extend::handler {
  int keep_fd = -1;
  pid_t parent = ::getpid();
  template <class Executor>
  void on_exec_setup(Executor&) const {
#ifdef __linux__
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(137);  // the parent died before prctl took effect
#endif
    if (keep_fd >= 0) ::fcntl(keep_fd, F_SETFD, ::fcntl(keep_fd, F_GETFD) & ~FD_CLOEXEC);
  }
};

}  // namespace

ScriptOutput run_script(const ScriptCommand& cmd, const std::string& script, Millis timeout,
                        const std::function<bool()>& abandon) {
  ScriptOutput result;
  asio::io_context ioc;
  std::future<std::string> out, err;
  bp::group group;
  std::error_code ec;
  // The stdin buffer (`script`) outlives the io_context's run below.
  ChildSetup setup;
  setup.keep_fd = cmd.keep_fd;
  bp::child child(bp::exe = cmd.program, bp::args = cmd.args, bp::std_in < asio::buffer(script),
                  bp::std_out > out, bp::std_err > err, ioc, group, ec, setup);
  if (ec) {
    result.started = false;
    result.exit_code = -1;
    result.err = cmd.program + ": " + ec.message();
    return result;
  }
  // child::wait_for is unreliable in Boost.Process 1.74: bound the run of the io_context
  // instead, and on timeout kill the whole group (grandchildren would keep the pipes open).
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
    group.terminate(ec);
    ioc.restart();
    ioc.run();
  }
  child.wait(ec);
  result.exit_code = child.exit_code();
  const int status = child.native_exit_code();
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  result.out = out.get();
  result.err = err.get();
  return result;
}

}  // namespace takt::things
