// The AppleScript lane's policy (pipeline/leveling.hpp), as a plain object: its bounds
// hold for every sequence, not just the ones we thought of.

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <tuple>

#include "flow/leveling.hpp"
#include "mcp/session.hpp"

using namespace takt;

namespace {

JobPtr job(std::uint64_t seq, bool write, CostClass cost = CostClass::Medium) {
  auto j = std::make_shared<Job>();
  j->seq = seq;
  j->write = write;
  j->cost = cost;
  return j;
}

LevelingQueue::Policy policy(unsigned k, unsigned batch = 1) {
  LevelingQueue::Policy p;
  p.max_writes_passing_a_read = k;
  p.batch_max = batch;
  p.capacity = 100000;
  return p;
}

std::vector<std::uint64_t> drain(LevelingQueue& q) {
  std::vector<std::uint64_t> order;
  for (auto b = q.next_batch(); !b.empty(); b = q.next_batch())
    for (auto& j : b) order.push_back(j->seq);
  return order;
}

}  // namespace

TEST(Leveling, AWriteBehindABacklogOfReadsRunsNext) {
  LevelingQueue q(policy(4));
  for (int i = 0; i < 100; ++i) q.push(job(i, false));
  q.push(job(1000, true));
  auto first = q.next_batch();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0]->seq, 1000u);
}

TEST(Leveling, AReadIsPassedByAtMostKWrites) {
  for (unsigned k : {0u, 1u, 3u}) {
    LevelingQueue q(policy(k));
    q.push(job(0, false));
    for (int i = 1; i <= 20; ++i) q.push(job(i, true));
    auto order = drain(q);
    auto at = std::find(order.begin(), order.end(), 0u) - order.begin();
    EXPECT_EQ(at, static_cast<long>(k)) << "k=" << k;
  }
}

TEST(Leveling, ClassesAreInterleavedByWeight) {
  LevelingQueue::Policy p = policy(4);
  p.weights = {4, 2, 1};
  LevelingQueue q(p);
  int seq = 0;
  for (int i = 0; i < 70; ++i) q.push(job(seq++, true, CostClass::Slow));   // a burst of slow scripts
  for (int i = 0; i < 40; ++i) q.push(job(seq++, true, CostClass::Fast));
  for (int i = 0; i < 20; ++i) q.push(job(seq++, true, CostClass::Medium));
  std::map<CostClass, int> first_35;
  int n = 0;
  for (auto b = q.next_batch(); !b.empty() && n < 35; b = q.next_batch(), ++n) first_35[b[0]->cost]++;
  EXPECT_EQ(first_35[CostClass::Fast], 20);
  EXPECT_EQ(first_35[CostClass::Medium], 10);
  EXPECT_EQ(first_35[CostClass::Slow], 5);
}

TEST(Leveling, FirstComeFirstServedWithinAClass) {
  LevelingQueue q(policy(2));
  for (int i = 0; i < 50; ++i) q.push(job(i, i % 3 == 0, CostClass::Medium));
  auto order = drain(q);
  std::vector<std::uint64_t> writes, reads;
  for (auto s : order) (s % 3 == 0 ? writes : reads).push_back(s);
  EXPECT_TRUE(std::is_sorted(writes.begin(), writes.end()));
  EXPECT_TRUE(std::is_sorted(reads.begin(), reads.end()));
}

TEST(Leveling, BatchesAreOfOneKindAndKeepTheBound) {
  LevelingQueue q(policy(3, 10));
  q.push(job(0, false));
  for (int i = 1; i <= 25; ++i) q.push(job(i, true));
  auto first = q.next_batch();
  EXPECT_EQ(first.size(), 3u);  // three writes, then the read's bound is reached
  for (auto& j : first) EXPECT_TRUE(j->write);
  auto second = q.next_batch();
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0]->seq, 0u);
  auto third = q.next_batch();
  EXPECT_EQ(third.size(), 10u);
}

TEST(Leveling, CapacityIsABound) {
  LevelingQueue::Policy p = policy(1);
  p.capacity = 3;
  LevelingQueue q(p);
  EXPECT_TRUE(q.push(job(0, true)));
  EXPECT_TRUE(q.push(job(1, false)));
  EXPECT_TRUE(q.push(job(2, true)));
  EXPECT_FALSE(q.push(job(3, true)));
  EXPECT_EQ(q.size(), 3u);
  q.next_batch();
  EXPECT_TRUE(q.push(job(3, true)));
}

TEST(Leveling, PredictedOrderIsTheOrderThatRuns) {
  LevelingQueue q(policy(2));
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) q.push(job(i, rng() % 2, static_cast<CostClass>(rng() % 3)));
  std::vector<std::uint64_t> predicted;
  q.for_each_in_order([&](const JobPtr& j, std::size_t ahead) {
    EXPECT_EQ(ahead, predicted.size());
    predicted.push_back(j->seq);
  });
  EXPECT_EQ(predicted, drain(q));
}

// issue 16: a cancelled write still counted in the others' place ("3 ahead" after one of
// three was cancelled).
TEST(Leveling, ACancelledWriteIsNotAheadOfAnyone) {
  LevelingQueue q(policy(2));
  std::vector<JobPtr> writes;
  for (std::uint64_t i = 0; i < 4; ++i) {
    writes.push_back(job(i, true));
    q.push(writes.back());
  }
  writes[1]->cancelled.store(true);
  std::map<std::uint64_t, std::size_t> ahead;
  q.for_each_in_order([&](const JobPtr& j, std::size_t n) { ahead[j->seq] = n; });
  EXPECT_EQ(ahead, (std::map<std::uint64_t, std::size_t>{{0, 0}, {2, 1}, {3, 2}}));
  // A cancelled read may still run for the requests that share it: it keeps its place.
  auto read = job(9, false);
  read->cancelled.store(true);
  LevelingQueue r(policy(2));
  r.push(read);
  r.push(job(10, false));
  std::map<std::uint64_t, std::size_t> reads;
  r.for_each_in_order([&](const JobPtr& j, std::size_t n) { reads[j->seq] = n; });
  EXPECT_EQ(reads, (std::map<std::uint64_t, std::size_t>{{9, 0}, {10, 1}}));
}

// The property, over random arrivals and dispatches with random batch sizes: every job
// runs exactly once; no read is passed by more than K writes that were dispatched while
// it waited; a write never waits while a read that is within its bound runs.
TEST(Leveling, BoundsHoldUnderRandomArrivals) {
  std::mt19937 rng(12345);
  for (int round = 0; round < 20; ++round) {
    const unsigned k = rng() % 5;
    const unsigned batch = 1 + rng() % 6;
    LevelingQueue::Policy p = policy(k, batch);
    p.weights = {1 + static_cast<unsigned>(rng() % 5), 1 + static_cast<unsigned>(rng() % 5), 1 + static_cast<unsigned>(rng() % 5)};
    LevelingQueue q(p);
    std::map<std::uint64_t, std::uint64_t> read_arrival;  // seq -> writes dispatched when it arrived
    std::uint64_t writes = 0, next = 0, dispatched = 0;
    std::set<std::uint64_t> seen;
    for (int step = 0; step < 5000; ++step) {
      if (rng() % 3 != 0) {
        const bool w = rng() % 2;
        auto j = job(next, w, static_cast<CostClass>(rng() % 3));
        if (!w) read_arrival[next] = writes;
        ASSERT_TRUE(q.push(j));
        ++next;
      } else {
        for (auto& j : q.next_batch()) {
          ASSERT_TRUE(seen.insert(j->seq).second) << "ran twice";
          ++dispatched;
          if (j->write) {
            ++writes;
            for (auto& [seq, arrived] : read_arrival)
              ASSERT_LE(writes - arrived, static_cast<std::uint64_t>(k) + 0) << "read " << seq << " passed by too many writes";
          } else {
            read_arrival.erase(j->seq);
          }
        }
      }
    }
    for (auto& j : drain(q)) (void)j;
    EXPECT_EQ(q.size(), 0u);
  }
}

namespace {
std::shared_ptr<Session> a_session() { return std::make_shared<Session>(nullptr); }
JobPtr job_of(const std::shared_ptr<Session>& s, std::uint64_t seq, bool write, CostClass cost = CostClass::Medium) {
  auto j = job(seq, write, cost);
  j->session = s;
  return j;
}
}  // namespace

TEST(Leveling, SessionsTakeTurnsWithinAClass) {
  // Session A floods 500 writes; session B's one write, queued after all of them, runs
  // second: behind at most p·(S−1) = 1·(2−1) job of another session.
  LevelingQueue q(policy(4));
  auto a = a_session(), b = a_session();
  for (int i = 0; i < 500; ++i) q.push(job_of(a, i, true));
  q.push(job_of(b, 1000, true));
  auto order = drain(q);
  EXPECT_EQ(std::find(order.begin(), order.end(), 1000u) - order.begin(), 1);
  // Three sessions with work: strict rotation, FIFO within each.
  LevelingQueue r(policy(4));
  std::vector<std::shared_ptr<Session>> s{a_session(), a_session(), a_session()};
  for (int i = 0; i < 9; ++i) r.push(job_of(s[i / 3], i, true));  // 0,1,2 from s0; 3,4,5 from s1; ...
  EXPECT_EQ(drain(r), (std::vector<std::uint64_t>{0, 3, 6, 1, 4, 7, 2, 5, 8}));
}

TEST(Leveling, WithoutSessionTurnsAClassIsFirstComeFirstServed) {
  auto p = policy(4);
  p.session_turns = false;
  LevelingQueue q(p);
  auto a = a_session(), b = a_session();
  for (int i = 0; i < 50; ++i) q.push(job_of(a, i, true));
  q.push(job_of(b, 1000, true));
  auto order = drain(q);
  EXPECT_EQ(std::find(order.begin(), order.end(), 1000u) - order.begin(), 50);
}

TEST(Leveling, TheSessionBoundHoldsUnderRandomArrivals) {
  // For every write: the jobs of other sessions of its kind and class that ran between its
  // arrival and its run are at most p·(S−1), p its place in its session's queue of that
  // kind and class on arrival, S the most sessions with such jobs waiting meanwhile.
  std::mt19937 rng(7);
  for (int round = 0; round < 30; ++round) {
    const unsigned batch = 1 + rng() % 4;
    LevelingQueue q(policy(1 + rng() % 4, batch));
    std::vector<std::shared_ptr<Session>> sessions;
    for (int i = 0; i < 2 + static_cast<int>(rng() % 5); ++i) sessions.push_back(a_session());
    struct Info {
      const Session* session;
      bool write;
      CostClass cost;
      std::size_t place;       // p
      std::size_t max_sessions = 0;
      std::size_t others_ran = 0;
      bool done = false;
    };
    std::map<std::uint64_t, Info> info;
    std::uint64_t seq = 0;
    const auto waiting_key = [&](const Info& i) { return std::make_tuple(i.write, static_cast<int>(i.cost)); };
    const auto note_sessions = [&] {
      // S for every waiting job: sessions with jobs of its kind and class waiting now.
      std::map<std::tuple<bool, int>, std::set<const Session*>> by;
      for (auto& [s, i] : info)
        if (!i.done) by[waiting_key(i)].insert(i.session);
      for (auto& [s, i] : info)
        if (!i.done) i.max_sessions = std::max(i.max_sessions, by[waiting_key(i)].size());
    };
    for (int step = 0; step < 300; ++step) {
      const int arrivals = static_cast<int>(rng() % 4);
      for (int a = 0; a < arrivals; ++a) {
        auto& s = sessions[rng() % sessions.size()];
        const bool write = rng() % 3 != 0;
        const auto cost = static_cast<CostClass>(rng() % 3);
        std::size_t place = 1;
        for (auto& [k, i] : info)
          if (!i.done && i.session == s.get() && i.write == write && i.cost == cost) ++place;
        info[seq] = {s.get(), write, cost, place};
        q.push(job_of(s, seq++, write, cost));
      }
      note_sessions();
      if (rng() % 2 == 0) continue;
      for (auto& j : q.next_batch()) {
        auto& me = info[j->seq];
        me.done = true;
        for (auto& [k, i] : info)
          if (!i.done && i.session != me.session && i.write == me.write && i.cost == me.cost) ++i.others_ran;
      }
      note_sessions();
    }
    for (auto& [s, i] : info)  // writes: a read may also go out of turn, at its own bound K
      if (i.write) {
        EXPECT_LE(i.others_ran, i.place * (i.max_sessions - 1)) << "job " << s << " round " << round;
      }
  }
}
