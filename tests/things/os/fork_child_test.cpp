// The script's process makes no allocation between fork and exec. takt has other threads;
// a lock one of them held at the fork (an allocator's) stays held for ever in the child,
// so a child that allocates may never reach exec, and takt waits on it for ever (seen
// under AddressSanitizer, whose allocator GCC 12 does not prepare for fork).
//
// This binary's operator new ends any forked child that calls it, with a code of its own:
// a launcher that allocates in the child shows as a script that exited with that code
// instead of running.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <new>
#include <thread>
#include <vector>

#include "things/os/runner.hpp"

namespace {

constexpr int kAllocatedInChild = 86;
/// While set, the process whose id it holds is the only one allowed to allocate.
std::atomic<pid_t> only_in{0};

void* allocate(std::size_t n) {
  if (const pid_t parent = only_in.load(std::memory_order_relaxed); parent != 0 && ::getpid() != parent)
    ::_exit(kAllocatedInChild);
  return std::malloc(n == 0 ? 1 : n);
}

}  // namespace

// The plain forms only (the aligned ones stay the runtime's, new and delete in pairs).
// GCC sees free() of what operator new returned, not that this operator new is malloc.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void* operator new(std::size_t n) {
  if (void* p = allocate(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return allocate(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return allocate(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

using namespace takt;
using namespace std::chrono_literals;

TEST(Runner, TheChildAllocatesNothingBeforeExec) {
  things::ignore_sigpipe();  // as takt does: a child that ended early does not take the test with it
  only_in = ::getpid();
  std::vector<things::ScriptOutput> runs;
  for (int i = 0; i < 3; ++i)
    runs.push_back(things::run_script({"/bin/sh", {"-c", "cat"}, -1}, "ran\n", 30000ms));
  // A missing program: the child's failed exec is reported without allocating either.
  runs.push_back(things::run_script({"/nonexistent/takt-no-such-program", {}, -1}, "", 30000ms));
  only_in = 0;
  for (int i = 0; i < 3; ++i) {
    EXPECT_NE(runs[i].exit_code, kAllocatedInChild) << "the child allocated between fork and exec";
    EXPECT_EQ(runs[i].exit_code, 0);
    EXPECT_EQ(runs[i].out, "ran\n");
  }
  EXPECT_FALSE(runs[3].started);
  EXPECT_NE(runs[3].err.find("No such file"), std::string::npos) << runs[3].err;
}
