// The circuit breaker of the AppleScript lane: it opens after consecutive failures, lets
// one probe through after the cool-down, and closes when Things answers again.

#include <gtest/gtest.h>

#include <chrono>

#include "flow/breaker.hpp"

using namespace takt;
using namespace std::chrono_literals;

TEST(CircuitBreaker, OpensAfterConsecutiveFailuresProbesAfterTheCooldownAndCloses) {
  const auto t0 = std::chrono::steady_clock::now();
  CircuitBreaker b(3, 1000ms);
  EXPECT_TRUE(b.allow(t0));
  b.failed("x", t0);
  b.failed("y", t0);
  b.succeeded();  // a success in between resets the count
  for (int i = 0; i < 2; ++i) b.failed("timed out", t0);
  EXPECT_TRUE(b.allow(t0));
  EXPECT_EQ(b.snapshot(t0).state, CircuitBreaker::State::Closed);
  b.failed("Application isn't running. (-600)", t0);
  auto s = b.snapshot(t0 + 200ms);
  EXPECT_EQ(s.state, CircuitBreaker::State::Open);
  EXPECT_EQ(s.consecutive_failures, 3u);
  EXPECT_EQ(s.reason, "Application isn't running. (-600)");
  EXPECT_NEAR(s.retry_in_seconds, 0.8, 1e-6);
  EXPECT_EQ(s.opened, 1u);
  EXPECT_FALSE(b.allow(t0 + 999ms));
  EXPECT_NE(b.open_message(t0 + 500ms).find("circuit breaker open"), std::string::npos);
  // After the cool-down one probe runs; it fails: open again for another cool-down.
  EXPECT_TRUE(b.allow(t0 + 1000ms));
  EXPECT_EQ(b.snapshot(t0 + 1000ms).state, CircuitBreaker::State::HalfOpen);
  b.failed("still down", t0 + 1100ms);
  EXPECT_EQ(b.snapshot(t0 + 1100ms).opened, 2u);
  EXPECT_FALSE(b.allow(t0 + 2000ms));
  // The next probe works: closed.
  EXPECT_TRUE(b.allow(t0 + 2100ms));
  b.succeeded();
  EXPECT_EQ(b.snapshot(t0 + 2100ms).state, CircuitBreaker::State::Closed);
  EXPECT_EQ(b.snapshot(t0 + 2100ms).consecutive_failures, 0u);
  EXPECT_TRUE(b.allow(t0 + 2100ms));
}
