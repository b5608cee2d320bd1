// The lock-free metrics of the per-message path (metrics/fast_metrics.hpp): bucket edges,
// +Inf, sums, exact totals under concurrent updates (run under ThreadSanitizer too), shard
// reuse, and how they come out in a scrape next to prometheus-cpp's families.

#include <gtest/gtest.h>
#include <prometheus/text_serializer.h>

#include <cmath>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "metrics/fast_metrics.hpp"
#include "metrics/metrics.hpp"

using namespace takt;

namespace {

const prometheus::MetricFamily& family(const std::vector<prometheus::MetricFamily>& all, const std::string& name) {
  for (const auto& f : all)
    if (f.name == name) return f;
  throw std::runtime_error("no family " + name);
}

int type_lines(const std::string& scrape, const std::string& name) {
  std::istringstream in(scrape);
  int n = 0;
  for (std::string line; std::getline(in, line);) n += line == "# TYPE " + name + " gauge" || line == "# TYPE " + name + " counter";
  return n;
}

}  // namespace

TEST(FastMetrics, HistogramBucketsIncludeTheirUpperBoundAndEndInInf) {
  fast::FastRegistry r;
  auto& h = r.histograms("t_seconds", "test").Add({}, std::vector<double>{0.001, 0.01, 0.1});
  const auto at = [](double s) { return fast::ticks_in(s); };
  h.observe(0);               // first bucket
  h.observe(at(0.001));       // exactly on the first bound: still le=0.001
  h.observe(at(0.001) + 1);   // just above: le=0.01
  h.observe(at(0.1));         // on the last bound
  h.observe(at(0.1) + 1);     // above every bound: +Inf only
  h.observe(at(1000));        // far above
  const auto s = h.snapshot();
  EXPECT_EQ(s.buckets, (std::vector<std::uint64_t>{2, 1, 1, 2}));
  EXPECT_EQ(s.count, 6u);
  const double ticks = 0 + 2.0 * static_cast<double>(at(0.001)) + 1 + 2.0 * static_cast<double>(at(0.1)) + 1 +
                       static_cast<double>(at(1000));
  EXPECT_NEAR(s.sum, ticks * fast::seconds_per_tick(), 1e-9 * s.sum);
  EXPECT_NEAR(s.sum, 1000.202, 0.01);

  const auto out = family(r.Collect(), "t_seconds");
  ASSERT_EQ(out.metric.size(), 1u);
  const auto& b = out.metric[0].histogram.bucket;
  ASSERT_EQ(b.size(), 4u);
  EXPECT_EQ(b[0].upper_bound, 0.001);
  EXPECT_EQ(b[0].cumulative_count, 2u);
  EXPECT_EQ(b[1].cumulative_count, 3u);
  EXPECT_EQ(b[2].cumulative_count, 4u);
  EXPECT_TRUE(std::isinf(b[3].upper_bound));
  EXPECT_EQ(b[3].cumulative_count, 6u);
  EXPECT_EQ(out.metric[0].histogram.sample_count, 6u);
  const auto text = prometheus::TextSerializer().Serialize(r.Collect());
  EXPECT_NE(text.find("t_seconds_bucket{le=\"+Inf\"} 6"), std::string::npos) << text;
  EXPECT_NE(text.find("t_seconds_bucket{le=\"0.001\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("t_seconds_count 6"), std::string::npos) << text;
}

TEST(FastMetrics, SecondsAndTicksAgree) {
  // The calibrated clock: 20 ms of sleep measures as 20 ms (within scheduling noise).
  const auto t0 = fast::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const double secs = static_cast<double>(fast::elapsed(t0, fast::now())) * fast::seconds_per_tick();
  EXPECT_GE(secs, 0.019);
  EXPECT_LT(secs, 0.5);
  EXPECT_EQ(fast::elapsed(10, 5), 0u);  // a clock read on another core may be a bit behind
  fast::FastRegistry r;
  auto& h = r.histograms("s_seconds", "test").Add({}, std::vector<double>{0.5, 2});
  h.observe_seconds(1.0);
  h.observe_seconds(-1);  // clamped to 0
  const auto s = h.snapshot();
  EXPECT_EQ(s.buckets, (std::vector<std::uint64_t>{1, 1, 0}));
  EXPECT_NEAR(s.sum, 1.0, 1e-6);
}

TEST(FastMetrics, CountersGaugesAndAliases) {
  fast::FastRegistry r;
  auto& c = r.counters("c_total", "test").Add({{"k", "a"}});
  EXPECT_EQ(&c, &r.counters("c_total", "test").Add({{"k", "a"}}));  // same labels, same counter
  c.Increment();
  c.Increment(41);
  EXPECT_EQ(c.Value(), 42);
  auto& g = r.gauges("g", "test").Add({});
  g.Increment();
  g.Increment();
  g.Decrement();
  EXPECT_EQ(g.Value(), 1);
  g.Decrement();
  g.Decrement();
  EXPECT_EQ(g.Value(), -1);
  auto& h = r.histograms("h_seconds", "test").Add({}, std::vector<double>{1});
  h.observe_seconds(0.25);
  h.observe_seconds(0.5);
  auto& busy = r.counters("busy_seconds_total", "test").alias({}, h.sum_cell(), fast::seconds_per_tick());
  EXPECT_NEAR(busy.Value(), 0.75, 1e-6);
  EXPECT_THROW(r.gauges("c_total", "test"), std::invalid_argument);  // one name, one type
  EXPECT_THROW(r.histograms("bad_seconds", "test").Add({}, std::vector<double>{2, 1}), std::invalid_argument);
}

TEST(FastMetrics, ConcurrentUpdatesAreExactAndScrapesNeverGoBack) {
  fast::FastRegistry r;
  auto& c = r.counters("n_total", "test").Add({});
  auto& g = r.gauges("in_flight", "test").Add({});
  auto& h = r.histograms("d_seconds", "test").Add({}, std::vector<double>{0.001});
  constexpr int kThreads = 6, kEach = 50'000;
  std::atomic<bool> done{false};
  std::thread scraper([&] {
    double last = 0;
    while (!done.load()) {
      const double v = c.Value();
      EXPECT_GE(v, last);
      last = v;
      const auto text = prometheus::TextSerializer().Serialize(r.Collect());
      EXPECT_FALSE(text.empty());
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t)
    writers.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        c.Increment();
        g.Increment();
        h.observe(static_cast<fast::Ticks>(t));
        g.Decrement();
      }
    });
  for (auto& w : writers) w.join();
  done = true;
  scraper.join();
  EXPECT_EQ(c.Value(), kThreads * kEach);
  EXPECT_EQ(g.Value(), 0);
  const auto s = h.snapshot();
  EXPECT_EQ(s.count, static_cast<std::uint64_t>(kThreads) * kEach);
  EXPECT_EQ(s.buckets[0], s.count);
  // sum of t over threads, kEach times each
  EXPECT_NEAR(s.sum, kEach * (0 + 1 + 2 + 3 + 4 + 5) * fast::seconds_per_tick(), 1e-12);
}

TEST(FastMetrics, ShardsOfEndedThreadsAreReusedAndKeepTheirCounts) {
  fast::FastRegistry r;
  auto& c = r.counters("n_total", "test").Add({});
  for (int i = 0; i < 50; ++i) std::thread([&] { c.Increment(3); }).join();
  EXPECT_EQ(c.Value(), 150);
  EXPECT_EQ(r.cells().shards(), 1u);  // one thread at a time: one shard, handed on
}

TEST(FastMetrics, ARegistryMadeWhereAnotherDiedStartsAtZero) {
  // The per-thread fast path remembers the last registry's shard; a new registry (maybe
  // at the same address) must not write into the old one's freed memory.
  for (int i = 0; i < 20; ++i) {
    auto r = std::make_unique<fast::FastRegistry>();
    auto& c = r->counters("n_total", "test").Add({});
    c.Increment();
    EXPECT_EQ(c.Value(), 1);
  }
}

TEST(FastMetrics, CallbacksAreReadAtScrapeUntilTheirHandleGoes) {
  fast::FastRegistry r;
  double depth = 3;
  {
    auto handle = r.callback("depth", "test", prometheus::MetricType::Gauge, {{"queue", "q"}}, [&] { return depth; });
    depth = 7;
    const auto f = family(r.Collect(), "depth");
    ASSERT_EQ(f.metric.size(), 1u);
    EXPECT_EQ(f.metric[0].gauge.value, 7);
    EXPECT_EQ(f.metric[0].label[0].value, "q");
  }
  for (const auto& f : r.Collect()) EXPECT_NE(f.name, "depth");
  EXPECT_THROW((void)r.callback("h", "test", prometheus::MetricType::Histogram, {}, [] { return 0.0; }),
               std::invalid_argument);
}

TEST(FastMetrics, OneScrapeMergesFamiliesOfBothRegistries) {
  Metrics m;
  auto handle = m.fast().callback("takt_queue_depth", "", prometheus::MetricType::Gauge, {{"queue", "extra"}},
                                  [] { return 5.0; });
  m.queue_depth.Add({{"queue", "kept"}}).Set(2);
  m.edges.Add({{"from", "a"}, {"to", "b"}}).Increment();
  const auto text = m.scrape();
  EXPECT_EQ(type_lines(text, "takt_queue_depth"), 1) << text;
  EXPECT_NE(text.find("takt_queue_depth{queue=\"extra\"} 5"), std::string::npos) << text;
  EXPECT_NE(text.find("takt_queue_depth{queue=\"kept\"} 2"), std::string::npos) << text;
  EXPECT_NE(text.find("takt_edge_messages_total{from=\"a\",to=\"b\"} 1"), std::string::npos) << text;
  // The families the faults work reports to exist before anything happened.
  EXPECT_NE(text.find("takt_script_retries_total{reason=\"busy\"} 0"), std::string::npos) << text;
  EXPECT_NE(text.find("takt_lock_wait_seconds_count 0"), std::string::npos) << text;
#if defined(__linux__)
  EXPECT_NE(text.find("\nprocess_resident_memory_bytes "), std::string::npos) << text;
  EXPECT_NE(text.find("\nprocess_open_fds "), std::string::npos) << text;
#endif
}
