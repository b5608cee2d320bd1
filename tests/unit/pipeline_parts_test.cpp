#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "pipeline/admission.hpp"
#include "pipeline/busy_clock.hpp"
#include "pipeline/cache.hpp"
#include "pipeline/job.hpp"
#include "transports/stdio.hpp"

using namespace takt;
using namespace std::chrono_literals;

TEST(BusyClock, CountsTheRunningScriptUpToTheScrape) {
  BusyClock c;
  const auto t0 = BusyClock::Clock::now();
  EXPECT_FALSE(c.running());
  EXPECT_EQ(c.seconds(t0), 0.0);
  c.start(t0);
  EXPECT_TRUE(c.running());
  // A scrape while the script runs sees the time it has taken so far, not the last total.
  EXPECT_DOUBLE_EQ(c.seconds(t0 + 500ms), 0.5);
  EXPECT_DOUBLE_EQ(c.stop(t0 + 800ms), 0.8);
  EXPECT_FALSE(c.running());
  EXPECT_DOUBLE_EQ(c.seconds(t0 + 5s), 0.8);  // idle time is not busy
  c.start(t0 + 1s);
  EXPECT_DOUBLE_EQ(c.seconds(t0 + 1500ms), 1.3);
  EXPECT_DOUBLE_EQ(c.stop(t0 + 2s), 1.0);
  EXPECT_DOUBLE_EQ(c.seconds(t0 + 3s), 1.8);
  EXPECT_EQ(c.stop(t0 + 4s), 0.0);  // nothing running: nothing added
  EXPECT_DOUBLE_EQ(c.seconds(t0 + 4s), 1.8);
}

TEST(BusyClock, NeverGoesBackwardsAcrossTheEndOfAScript) {
  BusyClock c;
  std::atomic<bool> done{false};
  std::thread lane([&] {
    for (int i = 0; i < 2000; ++i) {
      c.start();
      c.stop();
    }
    done = true;
  });
  double last = 0;
  int backwards = 0;
  while (!done) {
    const double now = c.seconds();
    backwards += now < last;
    last = now;
  }
  lane.join();
  EXPECT_EQ(backwards, 0);
}

TEST(Cache, HitsUntilTheTtlPasses) {
  ResponseCache c(10);
  auto t0 = ResponseCache::Clock::now();
  c.store("k", "v", 100ms, c.generation(), t0);
  EXPECT_EQ(c.lookup("k", t0 + 50ms), "v");
  EXPECT_FALSE(c.lookup("k", t0 + 100ms));
}

TEST(Cache, TheCoarseClockIsSteadyClockAFewMillisecondsBehindAtMost) {
  // Look-ups read the coarse clock, entries are stored with steady_clock: they must share
  // an epoch, or every entry would look expired (or never expire).
  for (int i = 0; i < 1000; ++i) {
    const auto coarse = ResponseCache::coarse_now();
    const auto precise = ResponseCache::Clock::now();
    ASSERT_LE(coarse, precise);
    ASSERT_LT(precise - coarse, 50ms);
  }
}

TEST(Cache, WritesInvalidateAndStaleReadsDoNotStore) {
  ResponseCache c(10);
  auto now = ResponseCache::Clock::now();
  const auto before = c.generation();
  c.store("a", "1", 1s, before, now);
  c.invalidate();  // a write finished
  EXPECT_FALSE(c.lookup("a", now));
  c.store("b", "stale", 1s, before, now);  // a read that began before the write
  EXPECT_FALSE(c.lookup("b", now));
  c.store("b", "fresh", 1s, c.generation(), now);
  EXPECT_EQ(c.lookup("b", now), "fresh");
}

TEST(Cache, BoundedOldestEvictedFirst) {
  ResponseCache c(2);
  auto now = ResponseCache::Clock::now();
  c.store("a", "1", 1s, 0, now);
  c.store("b", "2", 1s, 0, now);
  c.store("c", "3", 1s, 0, now);
  EXPECT_EQ(c.size(), 2u);
  EXPECT_FALSE(c.lookup("a", now));
  EXPECT_EQ(c.lookup("c", now), "3");
  EXPECT_EQ(c.evictions(), 1u);
}

TEST(Cache, BoundedInBytesOldestEvictedFirst) {
  // Room for two entries of 1000-byte answers (with their keys and fixed cost), not three.
  ResponseCache c(100, nullptr, {}, 2 * (1000 + 1 + 160) + 100);
  auto now = ResponseCache::Clock::now();
  const std::string big(1000, 'x');
  c.store("a", big, 1s, 0, now);
  c.store("b", big, 1s, 0, now);
  EXPECT_EQ(c.size(), 2u);
  c.store("c", big, 1s, 0, now);
  EXPECT_EQ(c.size(), 2u);
  EXPECT_FALSE(c.lookup("a", now));
  EXPECT_EQ(c.lookup("c", now), big);
  EXPECT_EQ(c.evictions(), 1u);
  EXPECT_LE(c.bytes(), 2 * (1000 + 1 + 160) + 100u);
  // An answer larger than the whole bound is not kept, and pushes nothing out.
  c.store("huge", std::string(5000, 'y'), 1s, 0, now);
  EXPECT_FALSE(c.lookup("huge", now));
  EXPECT_EQ(c.size(), 2u);
  c.invalidate();
  EXPECT_EQ(c.bytes(), 0u);
}

TEST(Admission, BlocksWhenFullUntilReleased) {
  Admission a(1);
  ASSERT_TRUE(a.acquire());
  std::atomic<bool> got{false};
  std::thread t([&] { got = a.acquire(); });
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(got.load());
  a.release();
  t.join();
  EXPECT_TRUE(got.load());
  a.close();
  EXPECT_FALSE(a.acquire());
}

TEST(Admission, ManyThreadsNeverExceedTheBoundAndNoWakeUpIsLost) {
  // Four threads fight over three slots, half of them letting replies go while they
  // wait: the bound must hold at every moment, and every acquire must return (a lost
  // wake-up hangs the test).
  constexpr std::size_t kSlots = 3;
  constexpr int kThreads = 4, kRounds = 20000;
  Admission a(kSlots);
  std::atomic<std::size_t> holding{0}, most{0};
  std::atomic<int> lets_go{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      const auto around = [&](bool waiting) { lets_go += waiting ? 1 : -1; };
      for (int i = 0; i < kRounds; ++i) {
        ASSERT_TRUE(t % 2 ? a.acquire(around) : a.acquire());
        const auto now = holding.fetch_add(1) + 1;
        for (auto m = most.load(); now > m && !most.compare_exchange_weak(m, now);) {
        }
        ASSERT_LE(now, kSlots);
        holding.fetch_sub(1);
        a.release();
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(a.in_flight(), 0u);
  EXPECT_LE(most.load(), kSlots);
  EXPECT_EQ(lets_go.load(), 0);  // every let-go was followed by a re-hold
}

TEST(Admission, CloseWakesEveryWaiter) {
  Admission a(1);
  ASSERT_TRUE(a.acquire());
  std::vector<std::thread> waiters;
  std::atomic<int> refused{0};
  for (int i = 0; i < 3; ++i) waiters.emplace_back([&] { refused += !a.acquire(); });
  std::this_thread::sleep_for(20ms);
  a.close();
  for (auto& t : waiters) t.join();
  EXPECT_EQ(refused.load(), 3);
  EXPECT_FALSE(a.try_acquire());
}

namespace {
std::vector<std::pair<std::string, bool>> read_all(const std::string& input, std::size_t max) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  std::thread w([&] {
    std::size_t off = 0;
    while (off < input.size()) off += static_cast<std::size_t>(write(fds[1], input.data() + off, input.size() - off));
    close(fds[1]);
  });
  std::vector<std::pair<std::string, bool>> lines;
  LineReader r(fds[0], max);
  r.run([&](std::string line, bool over) {
    lines.emplace_back(std::move(line), over);
    return true;
  });
  w.join();
  close(fds[0]);
  return lines;
}
}  // namespace

TEST(StdioReader, SplitsLinesStripsCrAndSkipsBlank) {
  auto lines = read_all("a\r\n\nbb\nlast", 10);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].first, "a");
  EXPECT_EQ(lines[1].first, "bb");
  EXPECT_EQ(lines[2].first, "last");
}

TEST(StdioReader, OverlongLineIsReportedOnceAndSkipped) {
  std::string big(300000, 'x');
  auto lines = read_all("ok\n" + big + "\nafter\n" + std::string(11, 'y') + "\n", 10);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].first, "ok");
  EXPECT_TRUE(lines[1].second);
  EXPECT_EQ(lines[2].first, "after");
  EXPECT_TRUE(lines[3].second);
}

/// The batches the reader makes of `input`, sent in one write: the lines of each.
std::vector<std::vector<std::string>> batches_of(const std::string& input, std::size_t max_batch) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  EXPECT_EQ(write(fds[1], input.data(), input.size()), static_cast<ssize_t>(input.size()));
  close(fds[1]);
  std::vector<std::vector<std::string>> batches;
  bool open = false;
  LineReader r(fds[0], 1024, max_batch);
  r.run(
      [&](std::string line, bool) {
        EXPECT_TRUE(open) << "a line outside a batch";
        batches.back().push_back(std::move(line));
        return true;
      },
      [&](bool begin) {
        EXPECT_NE(begin, open) << "batches nest or end twice";
        open = begin;
        if (begin) batches.emplace_back();
      });
  close(fds[0]);
  EXPECT_FALSE(open);
  return batches;
}

TEST(StdioReader, AReadOfManyLinesIsHandledInBatchesOfAtMostTheLimit) {
  std::string input;
  for (int i = 0; i < 40; ++i) input += std::to_string(i) + (i % 7 == 3 ? "\n\r\n" : "\n");  // blank lines too
  const auto batches = batches_of(input, 16);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[0].size(), 16u);
  EXPECT_EQ(batches[1].size(), 16u);
  EXPECT_EQ(batches[2].size(), 8u);
  EXPECT_EQ(batches[0].front(), "0");
  EXPECT_EQ(batches[1].front(), "16");
  EXPECT_EQ(batches[2].back(), "39");
  // Exactly the limit: one batch, no empty one after it.
  std::string sixteen;
  for (int i = 0; i < 16; ++i) sixteen += "x\n";
  EXPECT_EQ(batches_of(sixteen, 16).size(), 1u);
  // No limit: the whole read is one batch.
  EXPECT_EQ(batches_of(input, 0).size(), 1u);
  EXPECT_EQ(batches_of(input, 1).size(), 40u);
}

TEST(StdioReader, StopEndsTheRunWhetherInputKeepsComingOrNot) {
  for (const bool busy : {true, false}) {
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    std::atomic<bool> done{false};
    std::thread client([&] {  // a client that never pauses, or one that sends nothing
      const std::string lines(4096, '\n');
      while (busy && !done) (void)!send(fds[1], lines.data(), lines.size(), MSG_NOSIGNAL);
    });
    LineReader r(fds[0], 1024);
    std::thread stopper([&] {
      std::this_thread::sleep_for(50ms);
      r.stop();
    });
    r.run([](std::string, bool) { return true; });  // returns only once stopped
    done = true;
    stopper.join();
    close(fds[0]);  // a client blocked on a full socket gets EPIPE
    client.join();
    close(fds[1]);
  }
}

TEST(StdioReader, LeavesTheInputAsBlockingAsItFoundIt) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const int before = fcntl(fds[0], F_GETFL);
  {
    LineReader r(fds[0], 1024);
    EXPECT_TRUE(fcntl(fds[0], F_GETFL) & O_NONBLOCK);  // read first, wait only when empty
  }
  EXPECT_EQ(fcntl(fds[0], F_GETFL), before);
  close(fds[0]);
  close(fds[1]);
}

TEST(StdioWriter, ReportsEachLineWrittenOnlyAfterItLeft) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::atomic<int> written{0};
  {
    LineWriter w(fds[1]);
    // Nobody reads the pipe yet: a 1 MiB line cannot have left the process.
    w.send(std::string(1 << 20, 'x'), [&] { ++written; });
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(written.load(), 0);
    std::thread drain([&] {
      char buf[65536];
      std::size_t total = 0;
      while (total < (1u << 20) + 1) total += static_cast<std::size_t>(read(fds[0], buf, sizeof buf));
    });
    drain.join();
    w.close();
  }
  EXPECT_EQ(written.load(), 1);
  close(fds[0]);
  close(fds[1]);
}

TEST(StdioWriter, WritesEveryLineInOrder) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::string got;
  std::thread reader([&] {
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) got.append(buf, static_cast<std::size_t>(n));
  });
  {
    LineWriter w(fds[1]);
    for (int i = 0; i < 1000; ++i) w.send(std::to_string(i));
    w.close();
  }
  close(fds[1]);
  reader.join();
  close(fds[0]);
  std::string want;
  for (int i = 0; i < 1000; ++i) want += std::to_string(i) + "\n";
  EXPECT_EQ(got, want);
}

TEST(Session, CancellationThatOvertakesItsRequestStillApplies) {
  struct Null : Output {
    void send(std::string, std::function<void()> written) override {
      if (written) written();
    }
  };
  Session s(std::make_shared<Null>());
  EXPECT_FALSE(s.cancel("7"));  // not tracked yet: the graph reordered the two
  auto job = std::make_shared<Job>();
  s.track("7", job);
  EXPECT_TRUE(job->cancelled.load());
  auto other = std::make_shared<Job>();
  s.track("8", other);
  EXPECT_FALSE(other->cancelled.load());
  EXPECT_TRUE(s.cancel("8"));
  EXPECT_TRUE(other->cancelled.load());
}
