#pragma once
/// The standard process metrics (the names every Prometheus client library uses), read
/// from /proc at scrape time: process_cpu_seconds_total, process_resident_memory_bytes,
/// process_virtual_memory_bytes, process_open_fds, process_max_fds,
/// process_start_time_seconds. On a system without /proc (macOS) it adds nothing.
/// Thread-safe: it only reads.

#include <prometheus/metric_family.h>

#include <vector>

namespace takt {

/// Appends the process families to `out`.
void collect_process_metrics(std::vector<prometheus::MetricFamily>& out);

}  // namespace takt
