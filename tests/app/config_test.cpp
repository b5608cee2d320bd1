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
            "takt.yaml:2:16: 'backend.sim_latency' must be a duration or a range such as 200ms..800ms (units: ms, s, "
            "m, h) (got '800ms..200ms')");
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
  EXPECT_EQ(shipped.lane.session_turns, defaults.lane.session_turns);
  EXPECT_EQ(shipped.http.listen, defaults.http.listen);
  EXPECT_EQ(shipped.http.token_file, defaults.http.token_file);
  EXPECT_EQ(shipped.http.threads, defaults.http.threads);
  EXPECT_EQ(shipped.http.max_header_bytes, defaults.http.max_header_bytes);
  EXPECT_EQ(shipped.http.read_timeout, defaults.http.read_timeout);
  EXPECT_EQ(shipped.http.idle_timeout, defaults.http.idle_timeout);
  EXPECT_EQ(shipped.http.max_sessions, defaults.http.max_sessions);
  EXPECT_EQ(shipped.http.session_idle, defaults.http.session_idle);
  EXPECT_EQ(shipped.http.keepalive, defaults.http.keepalive);
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
  EXPECT_EQ(defaults.tools.reads_via, ReadsVia::Auto);
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
  EXPECT_EQ(c.tools.cost.at("add_todo"), CostClass::Fast);
  EXPECT_EQ(c.tools.timeout.at("add_todo"), Millis{3000});
  EXPECT_NE(error_of("lane:\n  weights: {fast: 0}\n").find("'lane.weights.fast'"), std::string::npos);
  EXPECT_NE(error_of("tools:\n  reads_via: carrier pigeon\n").find("auto, database or applescript"), std::string::npos);
  EXPECT_EQ(load_config_text("tools:\n  reads_via: database\n", "t.yaml").tools.reads_via, ReadsVia::Database);
  EXPECT_EQ(load_config_text("tools:\n  reads_via: auto\n", "t.yaml").tools.reads_via, ReadsVia::Auto);
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
  EXPECT_FALSE(parse_duration("7"));  // no unit: seconds or milliseconds would be a guess
  EXPECT_FALSE(parse_duration("fast"));
  EXPECT_FALSE(parse_duration("2 fortnights"));
  EXPECT_EQ(parse_size("4MiB"), 4u * 1024 * 1024);
  EXPECT_EQ(parse_size("10kB"), 10000u);
  EXPECT_FALSE(parse_size("lots"));
}

TEST(Config, RetryBreakerAndLockSettings) {
  auto c = load_config_text(R"(
backend:
  lock_dir: /run/user/1000/takt
  retry:
    attempts: 5
    base_delay: 20ms
    max_delay: 1s
  breaker:
    failures: 2
    cooldown: 30s
)",
                            "t.yaml");
  EXPECT_EQ(c.backend.lock_dir, "/run/user/1000/takt");
  EXPECT_EQ(c.backend.retry_attempts, 5u);
  EXPECT_EQ(c.backend.retry_base_delay, Millis{20});
  EXPECT_EQ(c.backend.retry_max_delay, Millis{1000});
  EXPECT_EQ(c.backend.breaker_failures, 2u);
  EXPECT_EQ(c.backend.breaker_cooldown, Millis{30000});
  const auto error_of = [](const std::string& text) {
    try {
      load_config_text(text, "t.yaml");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error_of("backend:\n  retry:\n    attempts: 0\n").find("'backend.retry.attempts'"), std::string::npos);
  EXPECT_NE(error_of("backend:\n  retry:\n    base_delay: 2s\n    max_delay: 1s\n").find("max_delay"), std::string::npos);
  EXPECT_NE(error_of("backend:\n  breaker:\n    trips: 2\n").find("'backend.breaker.trips' is not a known setting"),
            std::string::npos);

  auto shipped = load_config_file(TAKT_SOURCE_DIR "/config/takt.yaml");
  Config defaults;
  EXPECT_EQ(shipped.backend.lock_dir, defaults.backend.lock_dir);
  EXPECT_EQ(shipped.backend.retry_attempts, defaults.backend.retry_attempts);
  EXPECT_EQ(shipped.backend.retry_base_delay, defaults.backend.retry_base_delay);
  EXPECT_EQ(shipped.backend.retry_max_delay, defaults.backend.retry_max_delay);
  EXPECT_EQ(shipped.backend.breaker_failures, defaults.backend.breaker_failures);
  EXPECT_EQ(shipped.backend.breaker_cooldown, defaults.backend.breaker_cooldown);
}

TEST(Config, TheSharedCacheIsOnByDefaultAndTheFileTurnsItOffOrPointsItElsewhere) {
  auto c = load_config_text("cache:\n  shared: false\n  dir: /x/y\n", "t.yaml");
  EXPECT_FALSE(c.cache.shared);
  EXPECT_EQ(c.cache.dir, "/x/y");
  EXPECT_TRUE(Config{}.cache.shared);
}

// issue 16: `script_timeout: 30` was taken as 30 ms and passed --check-config; `1.5s` and
// `1m30s` were refused.
TEST(Config, DurationsNeedAUnitAndTakeCompoundAndFractionalForms) {
  EXPECT_EQ(parse_duration("1.5s"), Millis{1500});
  EXPECT_EQ(parse_duration("1m30s"), Millis{90000});
  EXPECT_EQ(parse_duration("1h 15m"), Millis{4'500'000});
  EXPECT_EQ(parse_duration("2min"), Millis{120000});
  EXPECT_EQ(parse_duration("0.25m"), Millis{15000});
  EXPECT_EQ(parse_duration("1s500ms"), Millis{1500});
  EXPECT_EQ(parse_duration("0ms"), Millis{0});
  EXPECT_FALSE(parse_duration("30"));
  EXPECT_FALSE(parse_duration(""));
  EXPECT_FALSE(parse_duration("1.5"));
  EXPECT_FALSE(parse_duration("30s1m"));    // largest unit first
  EXPECT_FALSE(parse_duration("1s1s"));     // each unit once
  EXPECT_FALSE(parse_duration("1m1min"));
  EXPECT_FALSE(parse_duration("1.s"));
  EXPECT_FALSE(parse_duration(".5s"));
  EXPECT_FALSE(parse_duration("0.5ms"));    // finer than a millisecond
  EXPECT_FALSE(parse_duration("1s 2"));
  EXPECT_FALSE(parse_duration("-1s"));
  EXPECT_EQ(parse_duration("8759h60m"), kMaxDuration);
  EXPECT_FALSE(parse_duration("8759h60m1ms"));
  EXPECT_FALSE(parse_duration("8760.001h"));

  const auto bare = error_of("backend:\n  script_timeout: 30\n");
  EXPECT_NE(bare.find("takt.yaml:2:19: 'backend.script_timeout' must be a duration with a unit (ms, s, m or min, h)"),
            std::string::npos)
      << bare;
  EXPECT_NE(bare.find("(got '30')"), std::string::npos) << bare;
  EXPECT_NE(error_of("tools:\n  timeout:\n    add_todo: 10\n").find("'tools.timeout.add_todo' must be a duration"),
            std::string::npos);
  EXPECT_NE(error_of("backend:\n  sim_latency: 5..20\n").find("'backend.sim_latency'"), std::string::npos);
  auto c = load_config_text("backend:\n  script_timeout: 1m30s\ntools:\n  timeout:\n    add_todo: 1.5s\n", "t.yaml");
  EXPECT_EQ(c.backend.script_timeout, Millis{90000});
  EXPECT_EQ(c.tools.timeout.at("add_todo"), Millis{1500});
}

// issue 16: `add_todoo: 10s` under tools.timeout passed although unknown keys are errors.
TEST(Config, ToolNamesAreCheckedAgainstTheCatalogue) {
  EXPECT_EQ(error_of("tools:\n  timeout:\n    add_todo: 5s\n    add_todoo: 10s\n"),
            "takt.yaml:4:5: 'tools.timeout.add_todoo' is not one of takt's tools (tools/list names them)");
  EXPECT_EQ(error_of("tools:\n  cost:\n    get_todayy: slow\n"),
            "takt.yaml:3:5: 'tools.cost.get_todayy' is not one of takt's tools (tools/list names them)");
  EXPECT_EQ(error_of("cache:\n  tool_ttl:\n    get_projetcs: 10s\n"),
            "takt.yaml:3:5: 'cache.tool_ttl.get_projetcs' is not one of takt's tools (tools/list names them)");
  EXPECT_NE(error_of("cache:\n  tool_ttl:\n    add_todo: 10s\n").find("'cache.tool_ttl.add_todo' is not a read whose answer is cached"),
            std::string::npos);
  auto c = load_config_text("tools:\n  cost:\n    add_todo: slow\ncache:\n  tool_ttl:\n    search: 3s\n", "t.yaml");
  EXPECT_EQ(c.tools.cost.at("add_todo"), CostClass::Slow);
  EXPECT_EQ(c.cache.tool_ttl.at("search"), Millis{3000});
}

// issue 12: `~` in a configured path was taken literally (a directory named "~" under the
// working directory), since neither YAML nor a shell expands it for takt.
TEST(Config, ATildeInAPathIsTheHomeDirectory) {
  const char* saved = std::getenv("HOME");
  const std::string home = saved ? saved : "";
  ::setenv("HOME", "/home/someone", 1);
  auto c = load_config_text("backend:\n  database: ~/Library/Things.sqlite\n  lock_dir: \"~\"\n"
                            "cache:\n  dir: ~/cache\nlogging:\n  file: ~/takt.log\n",
                            "takt.yaml");
  EXPECT_EQ(c.backend.database, "/home/someone/Library/Things.sqlite");
  EXPECT_EQ(c.backend.lock_dir, "/home/someone");
  EXPECT_EQ(c.cache.dir, "/home/someone/cache");
  EXPECT_EQ(c.logging.file, "/home/someone/takt.log");
  EXPECT_EQ(load_config_text("backend:\n  database: /a/~b\n", "takt.yaml").backend.database, "/a/~b");
  EXPECT_NE(error_of("backend:\n  database: ~other/db.sqlite\n").find("'~user' is not expanded"), std::string::npos);
  if (saved) ::setenv("HOME", home.c_str(), 1);
  else ::unsetenv("HOME");
}

TEST(Config, SimLanguageUrlLagAndUrlSettle) {
  auto c = load_config_text("backend:\n  sim_locale: ru\n  sim_url_lag: 10ms..20ms\n  url_settle: 2s\n", "takt.yaml");
  EXPECT_EQ(c.backend.sim_locale, "ru");
  ASSERT_TRUE(c.backend.sim_url_lag);
  EXPECT_EQ(c.backend.sim_url_lag->max, Millis{20});
  EXPECT_EQ(c.backend.url_settle, Millis{2000});
  EXPECT_FALSE(load_config_text("", "takt.yaml").backend.sim_url_lag);
  EXPECT_NE(error_of("backend:\n  sim_locale: fr\n").find("en, de, es or ru"), std::string::npos);
  EXPECT_NE(error_of("backend:\n  url_settle: 0s\n").find("longer than 0"), std::string::npos);
}

TEST(Config, RelaySocketAndJoin) {
  const auto defaults = load_config_text("", "takt.yaml");
  EXPECT_TRUE(defaults.relay.socket.empty());
  EXPECT_TRUE(defaults.relay.join);
  auto c = load_config_text("relay:\n  socket: /run/user/1000/takt/other.sock\n  join: false\n", "takt.yaml");
  EXPECT_EQ(c.relay.socket, "/run/user/1000/takt/other.sock");
  EXPECT_FALSE(c.relay.join);
  EXPECT_NE(error_of("relay:\n  joins: true\n").find("joins"), std::string::npos);
  EXPECT_NE(error_of("relay:\n  join: maybe\n").find("join"), std::string::npos);
}

TEST(Config, HttpSection) {
  auto c = load_config_text("http:\n  listen: 127.0.0.1:8765\n  read_timeout: 2s\n  max_sessions: 8\n", "takt.yaml");
  EXPECT_EQ(c.http.listen, "127.0.0.1:8765");
  EXPECT_EQ(c.http.read_timeout, Millis{2000});
  EXPECT_EQ(c.http.max_sessions, 8u);
  EXPECT_THROW(load_config_text("http:\n  listen: nowhere\n", "takt.yaml"), ConfigError);
  EXPECT_THROW(load_config_text("http:\n  read_timeout: 0ms\n", "takt.yaml"), ConfigError);
  ASSERT_TRUE(parse_listen("[::1]:80"));
  EXPECT_EQ(parse_listen("[::1]:80")->host, "::1");
  EXPECT_EQ(parse_listen("127.0.0.1:0")->port, 0);
  EXPECT_FALSE(parse_listen("::1:80"));
  EXPECT_FALSE(parse_listen("127.0.0.1:70000"));
}
