// The runner that starts every script takt sends: the script on stdin, stdout and stderr
// back, the exit code, the whole process group killed on a timeout or an abandon, the
// lock descriptor inherited and no other, and no child left behind unreaped.

#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>

#include "things/os/runner.hpp"

using namespace takt;
using namespace std::chrono_literals;

namespace {

things::ScriptCommand sh(const std::string& line, int keep_fd = -1) { return {"/bin/sh", {"-c", line}, keep_fd}; }

/// Whether `pid` has ended (gone, or a zombie waiting for whoever adopted it).
bool ended(pid_t pid) {
#ifdef __linux__
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  std::string line;
  std::getline(stat, line);
  const auto close = line.rfind(')');
  return close == std::string::npos || close + 2 >= line.size() || line[close + 2] == 'Z' ||
         line[close + 2] == 'X';
#else
  return ::kill(pid, 0) == -1 && errno == ESRCH;
#endif
}

/// SIGKILL takes effect asynchronously: wait for it, within a bound far beyond any delay.
bool ends_soon(pid_t pid) {
  for (int i = 0; i < 1000 && !ended(pid); ++i) std::this_thread::sleep_for(10ms);
  return ended(pid);
}

pid_t first_pid(const std::string& out) {
  std::istringstream in(out);
  long pid = 0;
  in >> pid;
  return static_cast<pid_t>(pid);
}

/// No child of this process is left, running or unreaped.
bool no_children() {
  int status = 0;
  return ::waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD;
}

}  // namespace

TEST(Runner, ScriptOnStdinOutputAndExitCode) {
  const auto r = things::run_script(sh("read line; echo \"got $line\"; exit 3"), "hello\n", 30000ms);
  EXPECT_TRUE(r.started);
  EXPECT_FALSE(r.timed_out);
  EXPECT_FALSE(r.abandoned);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.signal, 0);
  EXPECT_EQ(r.out, "got hello\n");
  EXPECT_EQ(r.err, "");
}

TEST(Runner, StderrIsCollectedApartFromStdout) {
  const auto r = things::run_script(sh("echo to-out; echo to-err >&2"), "", 30000ms);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "to-out\n");
  EXPECT_EQ(r.err, "to-err\n");
}

TEST(Runner, ArgumentsReachTheProgramUnchanged) {
  const auto r = things::run_script({"/bin/sh", {"-c", "printf '%s|' \"$@\"", "sh", "a b", "", "'c'"}}, "", 30000ms);
  EXPECT_EQ(r.out, "a b||'c'|");
}

TEST(Runner, SignalThatEndedTheScriptIsReported) {
  const auto r = things::run_script(sh("kill -TERM $$"), "", 30000ms);
  EXPECT_EQ(r.signal, SIGTERM);
  EXPECT_FALSE(r.timed_out);
}

// Megabytes both ways at once: cat writes its output while takt is still writing its
// input, so writing everything before reading anything would deadlock on full pipes.
TEST(Runner, LargeStdinAndStdoutAtOnceDoNotDeadlock) {
  std::string script(8 << 20, '\0');
  for (std::size_t i = 0; i < script.size(); ++i) script[i] = static_cast<char>('a' + i % 26);
  const auto r = things::run_script({"/bin/cat", {}}, script, 120000ms);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.size(), script.size());
  EXPECT_TRUE(r.out == script);
}

// The script writes megabytes to stdout and stderr before it reads its stdin at all.
TEST(Runner, LargeOutputBeforeReadingInputDoesNotDeadlock) {
  const std::string script(4 << 20, 'x');
  const auto r = things::run_script(
      sh("head -c 3000000 /dev/zero; head -c 2000000 /dev/zero >&2; wc -c | tr -d ' ' >&2"), script, 120000ms);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.size(), 3000000u);
  EXPECT_EQ(r.err.size(), 2000000u + std::to_string(script.size()).size() + 1);
  EXPECT_EQ(r.err.substr(2000000), std::to_string(script.size()) + "\n");
}

// A script that exits without reading its input: takt must neither die of SIGPIPE nor hang.
TEST(Runner, ScriptThatIgnoresItsInputDoesNotKillTakt) {
  things::ignore_sigpipe();
  const auto r = things::run_script({"/bin/true", {}}, std::string(4 << 20, 'y'), 60000ms);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_FALSE(r.timed_out);
}

TEST(Runner, TimeoutKillsTheWholeGroupGrandchildrenToo) {
  // The grandchild `sleep` holds stdout open: unless the group dies, no end of file comes.
  // A second: time enough for the shell to start and print even on a loaded machine.
  const auto r = things::run_script(sh("sleep 30 & echo $!; sleep 30"), "", 1000ms);
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.abandoned);
  EXPECT_EQ(r.signal, SIGKILL);
  const pid_t grandchild = first_pid(r.out);
  ASSERT_GT(grandchild, 0) << r.out;
  EXPECT_TRUE(ends_soon(grandchild)) << "grandchild " << grandchild << " survived the timeout";
}

TEST(Runner, AbandonKillsTheWholeGroup) {
  // Abandoned once the grandchild exists (its id written out), however slow the start.
  const std::string started = ::testing::TempDir() + "/takt-runner-started-" + std::to_string(::getpid());
  std::remove(started.c_str());
  std::atomic<int> asked{0};
  const auto r = things::run_script(sh("sleep 30 & echo $! > " + started + ".part && mv " + started + ".part " + started +
                                       "; sleep 30"),
                                    "", 60000ms, [&] { return ++asked >= 3 && ::access(started.c_str(), F_OK) == 0; });
  EXPECT_TRUE(r.abandoned);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_GE(asked.load(), 3);
  std::ifstream file(started);
  const pid_t grandchild = first_pid(std::string(std::istreambuf_iterator<char>(file), {}));
  std::remove(started.c_str());
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(ends_soon(grandchild)) << "grandchild " << grandchild << " survived the abandon";
}

TEST(Runner, AbandonNotAskedForStopsNothing) {
  const auto r = things::run_script(sh("sleep 0.1; echo done"), "", 60000ms, [] { return false; });
  EXPECT_FALSE(r.abandoned);
  EXPECT_EQ(r.out, "done\n");
}

TEST(Runner, ScriptRunsInAProcessGroupOfItsOwn) {
  const auto r =
      things::run_script(sh("command -v ps >/dev/null || exit 77; ps -o pgid= -p $$ | tr -d ' '; echo $$"), "", 30000ms);
  if (r.exit_code == 77) GTEST_SKIP() << "ps is not installed";
  std::istringstream in(r.out);
  long pgid = 0, pid = 0;
  in >> pgid >> pid;
  ASSERT_GT(pid, 0) << r.out << r.err;
  EXPECT_EQ(pgid, pid);
  EXPECT_NE(pgid, static_cast<long>(::getpgrp()));
}

// The lock descriptor reaches the script, even when opened close-on-exec as takt opens
// it; descriptors takt did not mark close-on-exec, below and above it, do not.
TEST(Runner, KeepFdIsInheritedAndNoOtherDescriptor) {
  const int below = ::open("/dev/null", O_RDONLY);
  const int keep = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const int above = ::open("/dev/null", O_RDONLY);
  ASSERT_TRUE(below >= 0 && keep > below && above > keep);
  auto probe = [](int fd) {
    return "if [ -e /dev/fd/" + std::to_string(fd) + " ]; then echo " + std::to_string(fd) + "=open; else echo " +
           std::to_string(fd) + "=closed; fi; ";
  };
  const auto r = things::run_script(sh(probe(below) + probe(keep) + probe(above), keep), "", 30000ms);
  EXPECT_EQ(r.out, std::to_string(below) + "=closed\n" + std::to_string(keep) + "=open\n" + std::to_string(above) +
                       "=closed\n")
      << r.err;
  // Without keep_fd nothing is inherited either.
  const auto none = things::run_script(sh(probe(keep)), "", 30000ms);
  EXPECT_EQ(none.out, std::to_string(keep) + "=closed\n");
  ::close(below);
  ::close(keep);
  ::close(above);
}

TEST(Runner, MissingProgramSaysSoAndStartsNothing) {
  const std::string missing = "/nonexistent/takt-no-such-program";
  const auto r = things::run_script({missing, {}}, "script", 30000ms);
  EXPECT_FALSE(r.started);
  EXPECT_EQ(r.exit_code, -1);
  EXPECT_NE(r.err.find(missing), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("No such file or directory"), std::string::npos) << r.err;
  EXPECT_TRUE(no_children()) << "the failed start left its child unreaped";
}

TEST(Runner, ManyRunsLeaveNoChildBehind) {
  for (int i = 0; i < 100; ++i) {
    switch (i % 4) {
      case 0: EXPECT_EQ(things::run_script({"/bin/true", {}}, "", 30000ms).exit_code, 0); break;
      case 1: EXPECT_EQ(things::run_script({"/bin/false", {}}, "", 30000ms).exit_code, 1); break;
      case 2: EXPECT_FALSE(things::run_script({"/nonexistent/takt-missing", {}}, "", 30000ms).started); break;
      default: EXPECT_TRUE(things::run_script(sh("sleep 30"), "", 1ms).timed_out); break;
    }
  }
  EXPECT_TRUE(no_children()) << "a script was left unreaped";
}

// Scripts run from several threads at once (takt's lane and its probes) each get exactly
// their own output: no pipe of one reaches another.
TEST(Runner, ConcurrentScriptsKeepTheirOwnOutput) {
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &wrong] {
      for (int i = 0; i < 25; ++i) {
        const std::string word = "t" + std::to_string(t) + "-" + std::to_string(i);
        const auto r = things::run_script({"/bin/cat", {}}, word, 30000ms);
        if (r.out != word || r.exit_code != 0) ++wrong;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_TRUE(no_children());
}

#ifdef __linux__
// takt killed mid-script leaves no script behind (PR_SET_PDEATHSIG): a stand-in for takt
// starts a script that reports its pid and sleeps, and is killed with SIGKILL.
TEST(Runner, ScriptDiesWithTheProcessThatStartedIt) {
  int report[2];
  ASSERT_EQ(::pipe(report), 0);
  const pid_t stand_in = ::fork();
  ASSERT_GE(stand_in, 0);
  if (stand_in == 0) {
    ::close(report[0]);
    things::run_script(sh("echo $$ >&" + std::to_string(report[1]) + "; exec sleep 30", report[1]), "", 60000ms);
    ::_exit(0);
  }
  ::close(report[1]);
  char buf[32] = {};
  ssize_t got = 0, n = 0;
  while (got < static_cast<ssize_t>(sizeof buf) - 1 && (n = ::read(report[0], buf + got, sizeof buf - 1 - got)) > 0) {
    got += n;
    if (std::string(buf, static_cast<std::size_t>(got)).find('\n') != std::string::npos) break;
  }
  ::close(report[0]);
  const pid_t script = first_pid(buf);
  ::kill(stand_in, SIGKILL);
  int status = 0;
  ::waitpid(stand_in, &status, 0);
  ASSERT_GT(script, 0);
  EXPECT_TRUE(ends_soon(script)) << "script " << script << " outlived the process that started it";
}
#endif
