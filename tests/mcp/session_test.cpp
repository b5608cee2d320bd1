// A session's requests in flight, as notifications/cancelled finds them.

#include <gtest/gtest.h>

#include <atomic>
#include <memory>

#include "mcp/session.hpp"

using namespace takt;

TEST(Session, CancellationThatOvertakesItsRequestStillApplies) {
  struct Null : Output {
    void send(std::string, std::function<void()> written) override {
      if (written) written();
    }
  };
  Session s(std::make_shared<Null>());
  EXPECT_FALSE(s.cancel("7"));  // not tracked yet: the graph reordered the two
  auto job = std::make_shared<CancelFlag>(false);  // a request's cancel flag
  s.track("7", job);
  EXPECT_TRUE(job->load());
  auto other = std::make_shared<CancelFlag>(false);
  s.track("8", other);
  EXPECT_FALSE(other->load());
  EXPECT_TRUE(s.cancel("8"));
  EXPECT_TRUE(other->load());
}

// issue 16: two requests in flight under one id were both run and answered under it.
TEST(Session, AnIdNamesOneRequestInFlight) {
  struct Null : Output {
    void send(std::string, std::function<void()> written) override {
      if (written) written();
    }
  };
  Session s(std::make_shared<Null>());
  auto first = std::make_shared<CancelFlag>(false);
  EXPECT_TRUE(s.track("7", first));
  EXPECT_TRUE(s.track("7", first));  // the same request again (a follower read) is fine
  auto second = std::make_shared<CancelFlag>(false);
  EXPECT_FALSE(s.track("7", second));
  EXPECT_TRUE(s.cancel("7"));
  EXPECT_TRUE(first->load());
  EXPECT_FALSE(second->load());
  s.untrack("7", second.get());  // the refused one leaves the first in place
  auto third = std::make_shared<CancelFlag>(false);
  EXPECT_FALSE(s.track("7", third));
  s.untrack("7", first.get());
  EXPECT_TRUE(s.track("7", third));  // once answered, the id may be used again
  first.reset();
  auto fourth = std::make_shared<CancelFlag>(false);
  s.untrack("7", third.get());
  third.reset();
  EXPECT_TRUE(s.track("7", fourth));
}

TEST(Session, InitializeComesOnce) {
  struct Null : Output {
    void send(std::string, std::function<void()> written) override {
      if (written) written();
    }
  };
  Session s(std::make_shared<Null>());
  EXPECT_TRUE(s.begin_initialize());
  EXPECT_FALSE(s.begin_initialize());
  s.set_state(Session::State::Ready);
  EXPECT_FALSE(s.begin_initialize());
}
