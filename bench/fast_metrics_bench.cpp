// fast_metrics_bench: what one metric update costs, takt's lock-free kind
// (metrics/fast_metrics.hpp) next to prometheus-cpp's, and what the instrumentation of one
// message on the cached-read path adds up to. Prints nanoseconds per operation.
//
//   build/bin/takt-fast-metrics-bench [ITERATIONS]     (default 5,000,000)

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "metrics/fast_metrics.hpp"

using namespace takt;
using Clock = std::chrono::steady_clock;

namespace {

long iterations = 5'000'000;

/// Runs `op` iterations times on each of `threads` threads at once; ns per op per thread.
double measure(const std::function<void(long)>& op, int threads = 1) {
  std::vector<std::thread> pool;
  std::vector<double> ns(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      const auto start = Clock::now();
      op(iterations);
      ns[static_cast<std::size_t>(t)] = std::chrono::duration<double, std::nano>(Clock::now() - start).count();
    });
  for (auto& p : pool) p.join();
  double worst = 0;
  for (double v : ns) worst = std::max(worst, v);
  return worst / static_cast<double>(iterations);
}

void report(const char* what, double ns) { std::printf("%-62s %8.2f ns\n", what, ns); }

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) iterations = std::atol(argv[1]);
  std::printf("fast metrics micro-benchmark, %ld iterations, clock: %s\n", iterations,
              fast::detail::use_tsc ? "TSC" : "steady_clock");
  fast::FastRegistry fr;
  auto& fc = fr.counters("c_total", "").Add({});
  auto& fg = fr.gauges("g", "").Add({});
  auto& fh = fr.histograms("h_seconds", "").Add({});
  prometheus::Registry pr;
  auto& pc = prometheus::BuildCounter().Name("c_total").Register(pr).Add({});
  auto& pg = prometheus::BuildGauge().Name("g").Register(pr).Add({});
  auto& ph = prometheus::BuildHistogram().Name("h_seconds").Register(pr).Add({}, prometheus::Histogram::BucketBoundaries(
                                                                                     fast::duration_buckets()));
  volatile std::uint64_t sink = 0;

  report("steady_clock::now()", measure([&](long n) {
           for (long i = 0; i < n; ++i) sink = sink + static_cast<std::uint64_t>(Clock::now().time_since_epoch().count());
         }));
  report("fast::now()", measure([&](long n) {
           for (long i = 0; i < n; ++i) sink = sink + fast::now();
         }));
  report("fast Counter::Increment", measure([&](long n) {
           for (long i = 0; i < n; ++i) fc.Increment();
         }));
  report("fast Gauge::Increment", measure([&](long n) {
           for (long i = 0; i < n; ++i) fg.Increment();
         }));
  report("fast Histogram::observe (2 us: 5th bucket)", measure([&](long n) {
           const auto t = fast::ticks_in(2e-6);
           for (long i = 0; i < n; ++i) fh.observe(t);
         }));
  report("prometheus Counter::Increment", measure([&](long n) {
           for (long i = 0; i < n; ++i) pc.Increment();
         }));
  report("prometheus Gauge::Increment", measure([&](long n) {
           for (long i = 0; i < n; ++i) pg.Increment();
         }));
  report("prometheus Histogram::Observe (2 us)", measure([&](long n) {
           for (long i = 0; i < n; ++i) ph.Observe(2e-6);
         }));
  report("fast Counter::Increment, 2 threads on one counter", measure([&](long n) {
           for (long i = 0; i < n; ++i) fc.Increment();
         }, 2));
  report("prometheus Counter::Increment, 2 threads on one counter", measure([&](long n) {
           for (long i = 0; i < n; ++i) pc.Increment();
         }, 2));

  // One cached read's instrumentation as takt does it now: a clock read at admission and
  // at the end of each of its 5 stages (parse, classify, cache_lookup, serialize, egress),
  // 5 edge counters, 5 stage histograms, in-flight up and down, the tool's histogram, and
  // the request, tool-call and cache-hit counters.
  std::vector<fast::Counter*> edges;
  std::vector<fast::Histogram*> stages;
  for (int i = 0; i < 5; ++i) {
    edges.push_back(&fr.counters("e_total", "").Add({{"i", std::to_string(i)}}));
    stages.push_back(&fr.histograms("s_seconds", "").Add({{"i", std::to_string(i)}}));
  }
  auto& tool = fr.histograms("t_seconds", "").Add({});
  auto& request = fr.counters("r_total", "").Add({});
  auto& call = fr.counters("tc_total", "").Add({});
  auto& hit = fr.counters("hit_total", "").Add({});
  const double now_cost = measure([&](long n) {
    for (long i = 0; i < n; ++i) {
      const auto admitted = fast::now();
      auto mark = admitted;
      fg.Increment();
      request.Increment();
      hit.Increment();
      call.Increment();
      for (int s = 0; s < 5; ++s) {
        edges[static_cast<std::size_t>(s)]->Increment();
        const auto t = fast::now();
        stages[static_cast<std::size_t>(s)]->observe(fast::elapsed(mark, t));
        mark = t;
      }
      fg.Decrement();
      tool.observe(fast::elapsed(admitted, mark));
    }
  });
  report("one cached read, takt's instrumentation (6 clock reads, 20 updates)", now_cost);
  // What it was before: 8 prometheus counters (5 edges, request, tool call, cache hit) and
  // the in-flight gauge up and down; no timing.
  std::vector<prometheus::Counter*> pedges;
  for (int i = 0; i < 8; ++i) pedges.push_back(&prometheus::BuildCounter().Name("pe_total").Register(pr).Add({{"i", std::to_string(i)}}));
  report("one cached read, before (8 prometheus counters, gauge up and down)", measure([&](long n) {
           for (long i = 0; i < n; ++i) {
             pg.Increment();
             for (auto* e : pedges) e->Increment();
             pg.Decrement();
           }
         }));
  report("the same done with prometheus-cpp (steady_clock, Observe)", measure([&](long n) {
           for (long i = 0; i < n; ++i) {
             const auto admitted = Clock::now();
             auto mark = admitted;
             pg.Increment();
             for (std::size_t k = 5; k < pedges.size(); ++k) pedges[k]->Increment();
             for (std::size_t k = 0; k < 5; ++k) {
               pedges[k]->Increment();
               const auto t = Clock::now();
               ph.Observe(std::chrono::duration<double>(t - mark).count());
               mark = t;
             }
             pg.Decrement();
             ph.Observe(std::chrono::duration<double>(mark - admitted).count());
           }
         }));
  return sink == 42 ? 1 : 0;
}
