#include <gtest/gtest.h>

#include <fstream>

#include "app/config.hpp"

using namespace takt;

namespace {
std::string error_of(const std::string& text) {
  try {
    load_config_text(text, "takt.yaml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(Config, EmptyFileMeansDefaults) {
  auto c = load_config_text("", "takt.yaml");
  EXPECT_EQ(c.backend.kind, "sim");
  EXPECT_EQ(c.backend.sim_latency.min, Millis{200});
  EXPECT_EQ(c.backend.sim_latency.max, Millis{800});
  EXPECT_EQ(c.server.max_message_bytes, 4u * 1024 * 1024);
  EXPECT_TRUE(c.metrics.enabled);
}

TEST(Config, ReadsUnitsAndRanges) {
  auto c = load_config_text(R"(
server:
  max_message_size: 64KiB
  max_in_flight: 8
backend:
  sim_latency: 5ms..20ms
  script_timeout: 2s
cache:
  ttl: 1m
  tool_ttl:
    get_today: 500ms
metrics:
  enabled: false
  listen: 127.0.0.1:0
)",
                            "t.yaml");
  EXPECT_EQ(c.server.max_message_bytes, 64u * 1024);
  EXPECT_EQ(c.server.max_in_flight, 8u);
  EXPECT_EQ(c.backend.sim_latency.min, Millis{5});
  EXPECT_EQ(c.backend.sim_latency.max, Millis{20});
  EXPECT_EQ(c.backend.script_timeout, Millis{2000});
  EXPECT_EQ(c.cache.ttl, Millis{60000});
  EXPECT_EQ(c.cache.tool_ttl.at("get_today"), Millis{500});
  EXPECT_FALSE(c.metrics.enabled);
}

TEST(Config, UnknownKeyNamesFileLineAndKey) {
  EXPECT_EQ(error_of("server:\n  max_in_flight: 4\n  max_inflight: 5\n"),
            "takt.yaml:3:3: 'server.max_inflight' is not a known setting");
  EXPECT_EQ(error_of("colour: blue\n"), "takt.yaml:1:1: 'colour' is not a known setting");
}

TEST(Config, BadValuesNameTheKey) {
  EXPECT_EQ(error_of("backend:\n  sim_latency: 800ms..200ms\n"),
            "takt.yaml:2:16: 'backend.sim_latency' must be a duration or a range such as 200ms..800ms (got "
            "'800ms..200ms')");
  EXPECT_NE(error_of("backend:\n  kind: applescript\n").find("'backend.kind' must be sim or osascript"), std::string::npos);
  EXPECT_NE(error_of("server:\n  max_in_flight: -1\n").find("takt.yaml:2:18: 'server.max_in_flight'"), std::string::npos);
  EXPECT_NE(error_of("metrics:\n  enabled: yes please\n").find("true or false"), std::string::npos);
  EXPECT_NE(error_of("metrics:\n  listen: localhost\n").find("host:port"), std::string::npos);
  EXPECT_NE(error_of("backend:\n  sim_fail_rate: 2\n").find("from 0 to 1"), std::string::npos);
}

TEST(Config, DuplicateKeysAndSyntaxErrors) {
  EXPECT_EQ(error_of("cache:\n  ttl: 1s\n  ttl: 2s\n"), "takt.yaml:3:3: 'cache.ttl' appears twice");
  EXPECT_NE(error_of("server: [unclosed\n").find("takt.yaml:2:1: not valid YAML"), std::string::npos);
  EXPECT_NE(error_of("- just\n- a list\n").find("must be a mapping"), std::string::npos);
}

TEST(Config, ShippedFileIsValidAndMatchesDefaults) {
  auto shipped = load_config_file(TAKT_SOURCE_DIR "/config/takt.yaml");
  Config defaults;
  EXPECT_EQ(shipped.backend.kind, defaults.backend.kind);
  EXPECT_EQ(shipped.backend.sim_latency.min, defaults.backend.sim_latency.min);
  EXPECT_EQ(shipped.backend.sim_latency.max, defaults.backend.sim_latency.max);
  EXPECT_EQ(shipped.backend.script_timeout, defaults.backend.script_timeout);
  EXPECT_EQ(shipped.server.max_message_bytes, defaults.server.max_message_bytes);
  EXPECT_EQ(shipped.server.max_in_flight, defaults.server.max_in_flight);
  EXPECT_EQ(shipped.server.max_json_depth, defaults.server.max_json_depth);
  EXPECT_EQ(shipped.pipeline.threads, defaults.pipeline.threads);
  EXPECT_EQ(shipped.pipeline.db_readers, defaults.pipeline.db_readers);
  EXPECT_EQ(shipped.pipeline.slow_queue_capacity, defaults.pipeline.slow_queue_capacity);
  EXPECT_EQ(shipped.cache.ttl, defaults.cache.ttl);
  EXPECT_EQ(shipped.cache.max_entries, defaults.cache.max_entries);
  EXPECT_EQ(shipped.cache.max_bytes, defaults.cache.max_bytes);
  EXPECT_EQ(shipped.cache.shared, defaults.cache.shared);
  EXPECT_EQ(shipped.cache.dir, defaults.cache.dir);
  EXPECT_EQ(shipped.metrics.listen, defaults.metrics.listen);
  EXPECT_EQ(shipped.logging.level, defaults.logging.level);
  EXPECT_EQ(shipped.logging.file, defaults.logging.file);
  EXPECT_EQ(shipped.logging.max_size, defaults.logging.max_size);
  EXPECT_EQ(shipped.logging.max_files, defaults.logging.max_files);
  EXPECT_EQ(shipped.server.on_overload, defaults.server.on_overload);
  EXPECT_EQ(shipped.pipeline.db_queue_capacity, defaults.pipeline.db_queue_capacity);
  EXPECT_EQ(shipped.backend.sim_per_op.min, defaults.backend.sim_per_op.min);
  EXPECT_EQ(shipped.backend.sim_per_op.max, defaults.backend.sim_per_op.max);
  EXPECT_EQ(shipped.backend.sim_fail_rate, defaults.backend.sim_fail_rate);
  EXPECT_EQ(shipped.backend.sim_hang_rate, defaults.backend.sim_hang_rate);
  EXPECT_EQ(shipped.lane.max_writes_passing_a_read, defaults.lane.max_writes_passing_a_read);
  EXPECT_EQ(shipped.lane.weight_fast, defaults.lane.weight_fast);
  EXPECT_EQ(shipped.lane.weight_medium, defaults.lane.weight_medium);
  EXPECT_EQ(shipped.lane.weight_slow, defaults.lane.weight_slow);
  EXPECT_EQ(shipped.lane.batch_max, defaults.lane.batch_max);
  EXPECT_EQ(shipped.lane.reclassify_after, defaults.lane.reclassify_after);
  EXPECT_EQ(shipped.lane.fast_below, defaults.lane.fast_below);
  EXPECT_EQ(shipped.lane.slow_above, defaults.lane.slow_above);
  EXPECT_EQ(shipped.tools.reads_via, defaults.tools.reads_via);
  EXPECT_TRUE(shipped.tools.cost.empty());
  EXPECT_TRUE(shipped.tools.timeout.empty());
}

TEST(Config, LaneAndToolSettings) {
  auto c = load_config_text(R"(
server:
  on_overload: reject
lane:
  max_writes_passing_a_read: 2
  weights: {fast: 8, medium: 3, slow: 1}
  batch_max: 25
tools:
  reads_via: applescript
  cost: {add_todo: fast}
  timeout: {add_todo: 3s}
)",
                            "t.yaml");
  EXPECT_EQ(c.server.on_overload, OverloadPolicy::Reject);
  EXPECT_EQ(c.lane.max_writes_passing_a_read, 2u);
  EXPECT_EQ(c.lane.weight_fast, 8u);
  EXPECT_EQ(c.lane.batch_max, 25u);
  EXPECT_EQ(c.tools.reads_via, ReadsVia::AppleScript);
  EXPECT_EQ(c.tools.cost.at("add_todo"), LaneClass::Fast);
  EXPECT_EQ(c.tools.timeout.at("add_todo"), Millis{3000});
  EXPECT_NE(error_of("lane:\n  weights: {fast: 0}\n").find("'lane.weights.fast'"), std::string::npos);
  EXPECT_NE(error_of("tools:\n  reads_via: carrier pigeon\n").find("database or applescript"), std::string::npos);
  EXPECT_NE(error_of("lane:\n  fast_below: 2s\n  slow_above: 1s\n").find("slow_above"), std::string::npos);
}

TEST(Config, LogFileAndRotation) {
  auto c = load_config_text("logging:\n  level: debug\n  file: /tmp/takt.log\n  max_size: 64KiB\n  max_files: 7\n", "t.yaml");
  EXPECT_EQ(c.logging.level, "debug");
  EXPECT_EQ(c.logging.file, "/tmp/takt.log");
  EXPECT_EQ(c.logging.max_size, 64u * 1024);
  EXPECT_EQ(c.logging.max_files, 7u);
  EXPECT_TRUE(load_config_text("logging:\n  file:\n", "t.yaml").logging.file.empty());
  EXPECT_NE(error_of("logging:\n  max_size: 10\n").find("'logging.max_size' must be a size from 1KiB"), std::string::npos);
  EXPECT_NE(error_of("logging:\n  max_files: 0\n").find("'logging.max_files'"), std::string::npos);
  EXPECT_NE(error_of("logging:\n  rotate: daily\n").find("'logging.rotate' is not a known setting"), std::string::npos);
}

TEST(Config, MissingFileIsAnError) {
  EXPECT_THROW(load_config_file("/nonexistent/takt.yaml"), ConfigError);
}

TEST(Config, Durations) {
  EXPECT_EQ(parse_duration("250ms"), Millis{250});
  EXPECT_EQ(parse_duration("2s"), Millis{2000});
  EXPECT_EQ(parse_duration("3m"), Millis{180000});
  EXPECT_EQ(parse_duration("7"), Millis{7});
  EXPECT_FALSE(parse_duration("fast"));
  EXPECT_FALSE(parse_duration("2 fortnights"));
  EXPECT_EQ(parse_size("4MiB"), 4u * 1024 * 1024);
  EXPECT_EQ(parse_size("10kB"), 10000u);
  EXPECT_FALSE(parse_size("lots"));
}
