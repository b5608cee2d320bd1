#pragma once
/// Handles to prometheus-cpp metrics for code that updates them but must not include
/// prometheus-cpp (the stage bodies): each update is one out-of-line call (handles.cpp),
/// a nanosecond or two next to prometheus-cpp's own atomic add. Resolved once at start-up
/// (flow/services.cpp, LaneMetrics); copying a handle copies the pointer. Thread-safe as
/// the metric it points to.

namespace prometheus {
class Counter;
class Gauge;
class Histogram;
}  // namespace prometheus

namespace takt::metric {

class CounterHandle {
 public:
  explicit CounterHandle(prometheus::Counter* c = nullptr) : c_(c) {}
  void Increment(double by = 1.0) const;

 private:
  prometheus::Counter* c_;
};

class GaugeHandle {
 public:
  explicit GaugeHandle(prometheus::Gauge* g = nullptr) : g_(g) {}
  void Increment() const;
  void Decrement() const;

 private:
  prometheus::Gauge* g_;
};

class HistogramHandle {
 public:
  explicit HistogramHandle(prometheus::Histogram* h = nullptr) : h_(h) {}
  void Observe(double value) const;

 private:
  prometheus::Histogram* h_;
};

}  // namespace takt::metric
