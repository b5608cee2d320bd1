#include "metrics/handles.hpp"

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>

namespace takt::metric {

void CounterHandle::Increment(double by) const { c_->Increment(by); }
void GaugeHandle::Increment() const { g_->Increment(); }
void GaugeHandle::Decrement() const { g_->Decrement(); }
void HistogramHandle::Observe(double value) const { h_->Observe(value); }

}  // namespace takt::metric
