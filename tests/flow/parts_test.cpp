#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "flow/admission.hpp"
#include "flow/busy_clock.hpp"
#include "flow/cache.hpp"
#include "flow/job.hpp"

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
