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
