#include "metrics/process.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace takt {

namespace {

prometheus::MetricFamily one(const char* name, const char* help, prometheus::MetricType type, double value) {
  prometheus::ClientMetric m;
  (type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value) = value;
  return {name, help, type, {m}};
}

/// Seconds since the epoch at which the machine booted (/proc/stat's btime).
double boot_time() {
  std::ifstream in("/proc/stat");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("btime ", 0) == 0) return std::stod(line.substr(6));
  return 0;
}

}  // namespace

void collect_process_metrics(std::vector<prometheus::MetricFamily>& out) {
  std::ifstream in("/proc/self/stat");
  std::string stat;
  if (!std::getline(in, stat)) return;
  // Fields after the command name, which is in parentheses and may hold spaces: the
  // first is field 3 (state); utime is 14, stime 15, starttime 22, vsize 23, rss 24.
  const auto close = stat.rfind(')');
  if (close == std::string::npos) return;
  std::istringstream fields(stat.substr(close + 2));
  std::vector<std::string> f(23);
  for (auto& x : f) fields >> x;
  if (!fields) return;
  const auto at = [&](int n) { return std::stod(f[static_cast<std::size_t>(n - 3)]); };
  const double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));

  static const double started = boot_time() + at(22) / hz;
  std::size_t fds = 0;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec))
    ++fds;
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);

  using T = prometheus::MetricType;
  out.push_back(one("process_cpu_seconds_total", "Total user and system CPU time spent in seconds", T::Counter,
                    (at(14) + at(15)) / hz));
  out.push_back(one("process_resident_memory_bytes", "Resident memory size in bytes", T::Gauge, at(24) * page));
  out.push_back(one("process_virtual_memory_bytes", "Virtual memory size in bytes", T::Gauge, at(23)));
  // Counted while the directory is open, so one more than the process holds otherwise.
  out.push_back(one("process_open_fds", "Number of open file descriptors", T::Gauge, static_cast<double>(fds) - 1));
  out.push_back(one("process_max_fds", "Maximum number of open file descriptors", T::Gauge,
                    static_cast<double>(limit.rlim_cur)));
  out.push_back(one("process_start_time_seconds", "Start time of the process since unix epoch in seconds", T::Gauge,
                    started));
}

}  // namespace takt
