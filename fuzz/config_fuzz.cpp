// The YAML configuration loader (load_config_text), which reads a file the user edits.
// Input: the file's text. Checks: a Config or a ConfigError, nothing else (a yaml-cpp
// exception leaking, std::out_of_range from a number, a crash are findings); an accepted
// configuration keeps every value inside its documented bounds, and every duration can be
// added to a steady_clock time point (they are: deadlines, TTLs) without overflowing.

#include <chrono>
#include <limits>
#include <string>

#include "app/config.hpp"
#include "check.hpp"

namespace {

void check_duration(takt::Millis d, const char* key) {
  using namespace std::chrono;
  TAKT_FUZZ_CHECK(d.count() >= 0, std::string(key) + " is not negative");
  // steady_clock counts nanoseconds in 64 bits; leave it a century of headroom from now.
  const auto max_ms = duration_cast<milliseconds>(steady_clock::duration::max()).count() / 4;
  TAKT_FUZZ_CHECK(d.count() <= max_ms, std::string(key) + " fits a steady_clock deadline");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace takt;
  Config c;
  try {
    c = load_config_text(std::string(reinterpret_cast<const char*>(data), size), "fuzz.yaml");
  } catch (const ConfigError& e) {
    TAKT_FUZZ_CHECK(std::string(e.what()).starts_with("fuzz.yaml"), std::string("the error names the file: ") + e.what());
    return 0;
  }
  TAKT_FUZZ_CHECK(c.server.max_message_bytes >= 1024 && c.server.max_message_bytes <= (std::size_t{1} << 30),
                  "server.max_message_size within 1KiB..1GiB: " + std::to_string(c.server.max_message_bytes));
  TAKT_FUZZ_CHECK(c.server.max_in_flight >= 1, "server.max_in_flight at least 1");
  TAKT_FUZZ_CHECK(c.backend.sim_latency.min <= c.backend.sim_latency.max, "sim_latency is a range");
  TAKT_FUZZ_CHECK(c.backend.sim_per_op.min <= c.backend.sim_per_op.max, "sim_per_op is a range");
  TAKT_FUZZ_CHECK(c.backend.sim_fail_rate >= 0 && c.backend.sim_fail_rate <= 1, "sim_fail_rate in 0..1");
  TAKT_FUZZ_CHECK(c.backend.sim_hang_rate >= 0 && c.backend.sim_hang_rate <= 1, "sim_hang_rate in 0..1");
  check_duration(c.backend.sim_latency.max, "backend.sim_latency");
  check_duration(c.backend.sim_per_op.max, "backend.sim_per_op");
  check_duration(c.backend.script_timeout, "backend.script_timeout");
  check_duration(c.lane.fast_below, "lane.fast_below");
  check_duration(c.lane.slow_above, "lane.slow_above");
  check_duration(c.cache.ttl, "cache.ttl");
  for (const auto& [tool, ttl] : c.cache.tool_ttl) check_duration(ttl, "cache.tool_ttl");
  for (const auto& [tool, t] : c.tools.timeout) check_duration(t, "tools.timeout");
  return 0;
}
