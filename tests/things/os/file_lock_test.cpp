// The locks takt's AppleScript lane takes to survive many processes: the file locks (and
// the kernel dropping them when a holder is killed) and the private lock directory.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "things/os/file_lock.hpp"

using namespace takt;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct ScratchDir {
  ScratchDir() {
    char pattern[] = "/tmp/takt-faults-unit-XXXXXX";
    if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
    path = pattern;
  }
  ~ScratchDir() { fs::remove_all(path); }
  std::string file(const std::string& name) const { return path + "/" + name; }
  std::string path;
};

std::chrono::steady_clock::time_point in(std::chrono::milliseconds d) { return std::chrono::steady_clock::now() + d; }

/// A child process that takes the flock on `path` with raw system calls, says so through
/// a pipe, and holds it until it is killed.
pid_t holder(const std::string& path) {
  int ready[2];
  if (pipe(ready) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid == 0) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT, 0600);
    if (fd < 0 || ::flock(fd, LOCK_EX) != 0) _exit(1);
    if (::write(ready[1], "x", 1) != 1) _exit(1);
    for (;;) pause();
  }
  close(ready[1]);
  char c = 0;
  const bool ok = ::read(ready[0], &c, 1) == 1;
  close(ready[0]);
  if (!ok) throw std::runtime_error("the lock holder did not start");
  return pid;
}

}  // namespace

TEST(FileLock, WaitsUntilTheDeadlineThenGetsItOnceReleased) {
  ScratchDir dir;
  const auto path = dir.file("a.lock");
  auto held = FileLock::try_lock(path);
  ASSERT_TRUE(held);
  EXPECT_FALSE(FileLock::try_lock(path));  // another open file of the same process conflicts
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(FileLock::lock_until(path, in(150ms)));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
  // Released while someone waits: the waiter gets it.
  std::thread releaser([&] {
    std::this_thread::sleep_for(100ms);
    held->release();
  });
  auto got = FileLock::lock_until(path, in(10s));
  releaser.join();
  EXPECT_TRUE(got);
  // The helper of the abandoned wait above dropped its lock when it finally got it.
  got->release();
  EXPECT_TRUE(FileLock::lock_until(path, in(5s)));
}

TEST(FileLock, AHolderKilledBySigkillDoesNotWedgeTheOthers) {
  ScratchDir dir;
  const auto path = dir.file("machine.lock");
  const pid_t pid = holder(path);
  EXPECT_FALSE(FileLock::try_lock(path));
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  // The kernel dropped the dead holder's lock.
  EXPECT_TRUE(FileLock::lock_until(path, in(5s)));
}

TEST(FileLock, RefusesSymbolicLinks) {
  ScratchDir dir;
  fs::create_symlink(dir.file("elsewhere"), dir.file("planted.lock"));
  EXPECT_THROW(FileLock::try_lock(dir.file("planted.lock")), std::runtime_error);
  EXPECT_FALSE(fs::exists(dir.file("elsewhere")));
}

TEST(MachineLock, OneHolderAtATimeAndTheWaiterGoesNext) {
  ScratchDir dir;
  MachineLock lock(dir.file("things.lock"));
  auto first = lock.acquire(in(1s));
  ASSERT_TRUE(first);
  EXPECT_FALSE(lock.acquire(in(100ms)));
  std::atomic<int> turn{0};
  int waiter_turn = 0;
  std::thread waiter([&] {
    auto got = lock.acquire(in(20s));
    if (!got) return;
    waiter_turn = ++turn;
    std::this_thread::sleep_for(100ms);
  });
  std::this_thread::sleep_for(300ms);  // the waiter now holds the turnstile
  first->release();
  // The releaser coming straight back has to queue behind the waiter.
  auto again = lock.acquire(in(20s));
  const int my_turn = ++turn;
  waiter.join();
  EXPECT_TRUE(again);
  EXPECT_EQ(waiter_turn, 1);
  EXPECT_EQ(my_turn, 2);
}

TEST(PrivateDir, CreatedPrivateAndRefusedWhenUnsafe) {
  ScratchDir dir;
  const auto fresh = dir.file("run/takt");
  ensure_private_dir(fresh);
  struct stat st {};
  ASSERT_EQ(stat(fresh.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ensure_private_dir(fresh);  // an existing private directory is fine

  const auto open_dir = dir.file("open");
  fs::create_directory(open_dir);
  chmod(open_dir.c_str(), 0755);
  EXPECT_THROW(ensure_private_dir(open_dir), std::runtime_error);

  const auto link = dir.file("link");
  fs::create_directory_symlink(fresh, link);
  EXPECT_THROW(ensure_private_dir(link), std::runtime_error);
}
