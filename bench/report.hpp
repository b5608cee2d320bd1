#pragma once
/// Figures from a run: latency percentiles, and a small JSON writer for --json output.
/// Not thread-safe (plain values).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bench/driver.hpp"

namespace bench {

/// Latency percentiles in microseconds (nearest rank), over the counted answers.
struct Percentiles {
  std::size_t n = 0;
  double p50 = 0, p90 = 0, p99 = 0, max = 0, mean = 0;
};
Percentiles percentiles(std::vector<Nanos> samples);  // by value: it sorts

/// Counted answers per second over a stream's measured window (first counted send to last
/// counted answer).
double throughput(const StreamResult& s);

/// Builds a JSON object text member by member; keys and strings are escaped.
class JsonOut {
 public:
  JsonOut& begin_object(std::string_view key = {});
  JsonOut& end_object();
  JsonOut& begin_array(std::string_view key = {});
  JsonOut& end_array();
  JsonOut& str(std::string_view key, std::string_view v);
  JsonOut& num(std::string_view key, double v);  ///< NaN or infinity: null
  JsonOut& integer(std::string_view key, int64_t v);
  JsonOut& boolean(std::string_view key, bool v);
  JsonOut& null(std::string_view key);
  const std::string& text() const { return s_; }

 private:
  void key(std::string_view k);
  std::string s_;
  bool first_ = true;
};

std::string json_escape(std::string_view s);

}  // namespace bench
