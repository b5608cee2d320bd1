#include "app/config.hpp"

#include <yaml-cpp/yaml.h>

#include <cctype>
#include <charconv>
#include <fstream>
#include <functional>
#include <limits>
#include <set>
#include <sstream>

#include "things/catalog/catalog.hpp"

namespace takt {
namespace {

/// Walks one YAML mapping: every key must be claimed by a reader, so unknown keys
/// and duplicates are reported with the file, line and dotted key path.
class MapReader {
 public:
  MapReader(const YAML::Node& node, std::string path, const std::string& file)
      : node_(node), path_(std::move(path)), file_(file) {
    if (!node_.IsMap()) fail(node_.Mark(), path_.empty() ? "the top level" : path_, "must be a mapping");
    std::set<std::string> seen;
    for (auto it = node_.begin(); it != node_.end(); ++it) {
      const auto key = it->first.as<std::string>();
      if (!seen.insert(key).second) fail(it->first.Mark(), qualified(key), "appears twice");
      entries_.push_back({key, it->first.Mark(), it->second});
    }
  }

  /// Calls `read` with the value of `key` when the key is present.
  void field(const std::string& key, const std::function<void(const YAML::Node&, const std::string&)>& read) {
    for (auto& e : entries_) {
      if (e.key == key) {
        e.claimed = true;
        read(e.value, qualified(key));
      }
    }
  }

  /// Every entry of the mapping, for maps keyed by name (tools.lane, cache.tool_ttl).
  void each(const std::function<void(const std::string&, const YAML::Node&, const std::string&)>& read) {
    for (auto& e : entries_) {
      e.claimed = true;
      read(e.key, e.value, qualified(e.key));
    }
  }

  void finish() const {
    for (const auto& e : entries_)
      if (!e.claimed) fail(e.mark, qualified(e.key), "is not a known setting");
  }

  [[noreturn]] void fail(const YAML::Mark& mark, const std::string& key, const std::string& what) const {
    std::ostringstream os;
    os << file_;
    if (!mark.is_null()) os << ":" << mark.line + 1 << ":" << mark.column + 1;
    os << ": '" << key << "' " << what;
    throw ConfigError(os.str());
  }

  const std::string& file() const { return file_; }

 private:
  struct Entry {
    std::string key;
    YAML::Mark mark;
    YAML::Node value;
    bool claimed = false;
  };
  std::string qualified(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

  YAML::Node node_;
  std::string path_;
  const std::string& file_;
  std::vector<Entry> entries_;
};

[[noreturn]] void bad_value(const std::string& file, const YAML::Node& n, const std::string& key,
                            const std::string& expected) {
  std::ostringstream os;
  os << file;
  if (!n.Mark().is_null()) os << ":" << n.Mark().line + 1 << ":" << n.Mark().column + 1;
  os << ": '" << key << "' must be " << expected;
  if (n.IsScalar()) os << " (got '" << n.Scalar() << "')";
  throw ConfigError(os.str());
}

std::string scalar(const std::string& file, const YAML::Node& n, const std::string& key, const char* expected) {
  if (!n.IsScalar()) bad_value(file, n, key, expected);
  return n.Scalar();
}

bool read_bool(const std::string& file, const YAML::Node& n, const std::string& key) {
  const auto s = scalar(file, n, key, "true or false");
  if (s == "true") return true;
  if (s == "false") return false;
  bad_value(file, n, key, "true or false");
}

template <class Int>
Int read_uint(const std::string& file, const YAML::Node& n, const std::string& key, Int lo, Int hi) {
  const auto s = scalar(file, n, key, "a whole number");
  Int v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size() || v < lo || v > hi)
    bad_value(file, n, key, "a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  return v;
}

double read_fraction(const std::string& file, const YAML::Node& n, const std::string& key) {
  const auto s = scalar(file, n, key, "a number from 0 to 1");
  try {
    std::size_t used = 0;
    double v = std::stod(s, &used);
    if (used == s.size() && v >= 0.0 && v <= 1.0) return v;
  } catch (const std::exception&) {
  }
  bad_value(file, n, key, "a number from 0 to 1");
}

constexpr const char* kDurationForm =
    "a duration with a unit (ms, s, m or min, h), such as 250ms, 30s, 1.5s or 1m30s, in whole milliseconds, "
    "at most 365 days";

Millis read_duration(const std::string& file, const YAML::Node& n, const std::string& key) {
  auto d = parse_duration(scalar(file, n, key, kDurationForm));
  if (!d) bad_value(file, n, key, kDurationForm);
  return *d;
}

/// A map keyed by tool name (tools.cost, tools.timeout, cache.tool_ttl): a name that is
/// not one of takt's tools is a typo that would otherwise be silently ignored.
void check_tool_name(const std::string& file, const YAML::Node& map, const std::string& name, const std::string& key,
                     bool cached_reads_only = false) {
  const auto* tool = things::find_tool(name);
  if (tool && (!cached_reads_only || tool->cacheable)) return;
  YAML::Mark mark;
  for (auto it = map.begin(); it != map.end(); ++it)
    if (it->first.Scalar() == name) mark = it->first.Mark();
  std::ostringstream os;
  os << file;
  if (!mark.is_null()) os << ":" << mark.line + 1 << ":" << mark.column + 1;
  os << ": '" << key << "' "
     << (tool ? "is not a read whose answer is cached (only the get_ tools, search and search_advanced are)"
              : "is not one of takt's tools (tools/list names them)");
  throw ConfigError(os.str());
}

MillisRange read_range(const std::string& file, const YAML::Node& n, const std::string& key) {
  const auto s = scalar(file, n, key, "a duration or a range such as 200ms..800ms (units: ms, s, m, h)");
  const auto dots = s.find("..");
  auto lo = parse_duration(dots == std::string::npos ? s : s.substr(0, dots));
  auto hi = dots == std::string::npos ? lo : parse_duration(s.substr(dots + 2));
  if (!lo || !hi || *hi < *lo) bad_value(file, n, key, "a duration or a range such as 200ms..800ms (units: ms, s, m, h)");
  return {*lo, *hi};
}

std::string read_string(const std::string& file, const YAML::Node& n, const std::string& key) {
  if (n.IsNull()) return {};
  return scalar(file, n, key, "a string");
}

/// A path as the user wrote it, with a leading `~` or `~/` taken as $HOME (YAML does not
/// expand it, and the shell never sees the file). `~user` is refused: takt knows only its own
/// user's home.
std::string read_path(const std::string& file, const YAML::Node& n, const std::string& key) {
  auto s = read_string(file, n, key);
  if (s.empty() || s[0] != '~') return s;
  if (s.size() > 1 && s[1] != '/') bad_value(file, n, key, "a path; '~user' is not expanded, write the whole path");
  const char* home = std::getenv("HOME");
  if (!home || !*home) bad_value(file, n, key, "a path without '~' (HOME is not set)");
  return std::string(home) + s.substr(1);
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return s.substr(i);
}

Config parse(const YAML::Node& root, const std::string& file) {
  Config cfg;
  cfg.source = file;
  if (root.IsNull()) return cfg;  // an empty file means every default
  MapReader top(root, "", file);

  top.field("server", [&](const YAML::Node& n, const std::string& path) {
    MapReader m(n, path, file);
    m.field("max_message_size", [&](const YAML::Node& v, const std::string& k) {
      auto s = parse_size(scalar(file, v, k, "a size such as 4MiB"));
      if (!s || *s < 1024 || *s > (std::size_t{1} << 30)) bad_value(file, v, k, "a size from 1KiB to 1GiB");
      cfg.server.max_message_bytes = *s;
    });
    m.field("max_in_flight", [&](const YAML::Node& v, const std::string& k) {
      cfg.server.max_in_flight = read_uint<std::size_t>(file, v, k, 1, 1'000'000);
    });
    m.field("max_json_depth", [&](const YAML::Node& v, const std::string& k) {
      cfg.server.max_json_depth = read_uint<unsigned>(file, v, k, 4, 1000);
    });
    m.field("on_overload", [&](const YAML::Node& v, const std::string& k) {
      auto s = scalar(file, v, k, "block or reject");
      if (s != "block" && s != "reject") bad_value(file, v, k, "block or reject");
      cfg.server.on_overload = s == "block" ? OverloadPolicy::Block : OverloadPolicy::Reject;
    });
    m.field("replies_per_write", [&](const YAML::Node& v, const std::string& k) {
      cfg.server.replies_per_write = read_uint<std::size_t>(file, v, k, 0, 1024);
    });
    m.finish();
  });

  top.field("http", [&](const YAML::Node& n, const std::string& path) {
    MapReader m(n, path, file);
    m.field("listen", [&](const YAML::Node& v, const std::string& k) {
      auto s = read_string(file, v, k);
      if (!s.empty() && !parse_listen(s)) bad_value(file, v, k, "host:port, such as 127.0.0.1:8765 (empty: no HTTP)");
      cfg.http.listen = s;
    });
    m.field("token_file", [&](const YAML::Node& v, const std::string& k) { cfg.http.token_file = read_path(file, v, k); });
    m.field("threads", [&](const YAML::Node& v, const std::string& k) {
      cfg.http.threads = read_uint<unsigned>(file, v, k, 1, 64);
    });
    m.field("max_header_size", [&](const YAML::Node& v, const std::string& k) {
      auto s = parse_size(scalar(file, v, k, "a size such as 16KiB"));
      if (!s || *s < 1024 || *s > (std::size_t{1} << 20)) bad_value(file, v, k, "a size from 1KiB to 1MiB");
      cfg.http.max_header_bytes = *s;
    });
    const auto positive = [&](Millis& out) {
      return [&](const YAML::Node& v, const std::string& k) {
        auto d = read_duration(file, v, k);
        if (d.count() <= 0) bad_value(file, v, k, "a duration above zero, such as 10s");
        out = d;
      };
    };
    m.field("read_timeout", positive(cfg.http.read_timeout));
    m.field("idle_timeout", positive(cfg.http.idle_timeout));
    m.field("session_idle", positive(cfg.http.session_idle));
    m.field("keepalive", positive(cfg.http.keepalive));
    m.field("max_sessions", [&](const YAML::Node& v, const std::string& k) {
      cfg.http.max_sessions = read_uint<std::size_t>(file, v, k, 1, 100'000);
    });
    m.field("session_max_in_flight", [&](const YAML::Node& v, const std::string& k) {
      cfg.http.session_max_in_flight = read_uint<std::size_t>(file, v, k, 1, 1'000'000);
    });
    m.field("session_rate", [&](const YAML::Node& v, const std::string& k) {
      const auto s = scalar(file, v, k, "requests per second (0: no limit)");
      try {
        std::size_t used = 0;
        const double r = std::stod(s, &used);
        if (used == s.size() && r >= 0 && r <= 1e6) {
          cfg.http.session_rate = r;
          return;
        }
      } catch (const std::exception&) {
      }
      bad_value(file, v, k, "requests per second from 0 (no limit) to 1000000");
    });
    m.field("session_burst", [&](const YAML::Node& v, const std::string& k) {
      cfg.http.session_burst = read_uint<unsigned>(file, v, k, 1, 1'000'000);
    });
    m.finish();
  });

  top.field("logging", [&](const YAML::Node& n, const std::string& path) {
    MapReader m(n, path, file);
    m.field("level", [&](const YAML::Node& v, const std::string& k) {
      static const std::set<std::string> levels{"trace", "debug", "info", "warn", "error", "critical", "off"};
      auto s = scalar(file, v, k, "a level");
      if (!levels.count(s)) bad_value(file, v, k, "one of trace, debug, info, warn, error, critical, off");
      cfg.logging.level = s;
    });
    m.field("file", [&](const YAML::Node& v, const std::string& k) { cfg.logging.file = read_path(file, v, k); });
    m.field("max_size", [&](const YAML::Node& v, const std::string& k) {
      auto s = parse_size(scalar(file, v, k, "a size such as 10MiB"));
      if (!s || *s < 1024 || *s > (std::size_t{1} << 40)) bad_value(file, v, k, "a size from 1KiB to 1TiB");
      cfg.logging.max_size = *s;
    });
    m.field("max_files", [&](const YAML::Node& v, const std::string& k) {
      cfg.logging.max_files = read_uint<unsigned>(file, v, k, 1, 1000);
    });
    m.finish();
  });

  top.field("metrics", [&](const YAML::Node& n, const std::string& path) {
    MapReader m(n, path, file);
    m.field("enabled", [&](const YAML::Node& v, const std::string& k) { cfg.metrics.enabled = read_bool(file, v, k); });
    m.field("listen", [&](const YAML::Node& v, const std::string& k) {
      auto s = scalar(file, v, k, "host:port");
      auto colon = s.rfind(':');
      unsigned port = 0;
      auto tail = colon == std::string::npos ? std::string{} : s.substr(colon + 1);
      auto [p, ec] = std::from_chars(tail.data(), tail.data() + tail.size(), port);
      if (colon == std::string::npos || colon == 0 || tail.empty() || ec != std::errc{} ||
          p != tail.data() + tail.size() || port > 65535)
        bad_value(file, v, k, "host:port, such as 127.0.0.1:9464");
      cfg.metrics.listen = s;
    });
    m.finish();
  });

  top.field("relay", [&](const YAML::Node& n, const std::string& path) {
    MapReader m(n, path, file);
    m.field("socket", [&](const YAML::Node& v, const std::string& k) { cfg.relay.socket = read_path(file, v, k); });
    m.field("join", [&](const YAML::Node& v, const std::string& k) { cfg.relay.join = read_bool(file, v, k); });
    m.finish();
  });

  top.field("backend", [&](const YAML::Node& n, const std::string& path) {
    MapReader m(n, path, file);
    m.field("kind", [&](const YAML::Node& v, const std::string& k) {
      auto s = scalar(file, v, k, "sim or osascript");
      if (s != "sim" && s != "osascript") bad_value(file, v, k, "sim or osascript");
      cfg.backend.kind = s;
    });
    m.field("sim_path", [&](const YAML::Node& v, const std::string& k) { cfg.backend.sim_path = read_path(file, v, k); });
    m.field("database", [&](const YAML::Node& v, const std::string& k) { cfg.backend.database = read_path(file, v, k); });
    m.field("sim_latency", [&](const YAML::Node& v, const std::string& k) { cfg.backend.sim_latency = read_range(file, v, k); });
    m.field("sim_per_op", [&](const YAML::Node& v, const std::string& k) { cfg.backend.sim_per_op = read_range(file, v, k); });
    m.field("sim_fail_rate", [&](const YAML::Node& v, const std::string& k) { cfg.backend.sim_fail_rate = read_fraction(file, v, k); });
    m.field("sim_hang_rate", [&](const YAML::Node& v, const std::string& k) { cfg.backend.sim_hang_rate = read_fraction(file, v, k); });
    m.field("sim_locale", [&](const YAML::Node& v, const std::string& k) {
      auto s = scalar(file, v, k, "en, de, es or ru");
      if (s != "en" && s != "de" && s != "es" && s != "ru") bad_value(file, v, k, "en, de, es or ru");
      cfg.backend.sim_locale = s;
    });
    m.field("sim_url_lag", [&](const YAML::Node& v, const std::string& k) { cfg.backend.sim_url_lag = read_range(file, v, k); });
    m.field("url_settle", [&](const YAML::Node& v, const std::string& k) {
      cfg.backend.url_settle = read_duration(file, v, k);
      if (cfg.backend.url_settle.count() <= 0) bad_value(file, v, k, "longer than 0");
    });
    m.field("script_timeout", [&](const YAML::Node& v, const std::string& k) {
      cfg.backend.script_timeout = read_duration(file, v, k);
      if (cfg.backend.script_timeout.count() <= 0) bad_value(file, v, k, "longer than 0");
    });
    // Many takt processes and a failing Things: the machine-wide lock, retries, the breaker.
    m.field("lock_dir", [&](const YAML::Node& v, const std::string& k) { cfg.backend.lock_dir = read_path(file, v, k); });
    m.field("retry", [&](const YAML::Node& v, const std::string& k) {
      MapReader r(v, k, file);
      r.field("attempts", [&](const YAML::Node& x, const std::string& kk) {
        cfg.backend.retry_attempts = read_uint<unsigned>(file, x, kk, 1, 100);
      });
      r.field("base_delay", [&](const YAML::Node& x, const std::string& kk) { cfg.backend.retry_base_delay = read_duration(file, x, kk); });
      r.field("max_delay", [&](const YAML::Node& x, const std::string& kk) { cfg.backend.retry_max_delay = read_duration(file, x, kk); });
      r.finish();
      if (cfg.backend.retry_max_delay < cfg.backend.retry_base_delay)
        throw ConfigError(file + ": 'backend.retry.max_delay' must not be shorter than 'backend.retry.base_delay'");
    });
    m.field("breaker", [&](const YAML::Node& v, const std::string& k) {
      MapReader b(v, k, file);
      b.field("failures", [&](const YAML::Node& x, const std::string& kk) {
        cfg.backend.breaker_failures = read_uint<unsigned>(file, x, kk, 1, 1'000'000);
      });
      b.field("cooldown", [&](const YAML::Node& x, const std::string& kk) { cfg.backend.breaker_cooldown = read_duration(file, x, kk); });
      b.finish();
    });
    m.finish();
  });

  top.field("pipeline", [&](const YAML::Node& n, const std::string& path) {
    MapReader m(n, path, file);
    m.field("threads", [&](const YAML::Node& v, const std::string& k) { cfg.pipeline.threads = read_uint<unsigned>(file, v, k, 1, 256); });
    m.field("db_readers", [&](const YAML::Node& v, const std::string& k) { cfg.pipeline.db_readers = read_uint<unsigned>(file, v, k, 1, 64); });
    m.field("slow_queue_capacity", [&](const YAML::Node& v, const std::string& k) {
      cfg.pipeline.slow_queue_capacity = read_uint<std::size_t>(file, v, k, 1, 1'000'000);
    });
    m.field("db_queue_capacity", [&](const YAML::Node& v, const std::string& k) {
      cfg.pipeline.db_queue_capacity = read_uint<std::size_t>(file, v, k, 1, 1'000'000);
    });
    m.finish();
  });

  top.field("lane", [&](const YAML::Node& n, const std::string& path) {
    MapReader m(n, path, file);
    m.field("max_writes_passing_a_read", [&](const YAML::Node& v, const std::string& k) {
      cfg.lane.max_writes_passing_a_read = read_uint<unsigned>(file, v, k, 0, 1000);
    });
    m.field("weights", [&](const YAML::Node& v, const std::string& k) {
      MapReader w(v, k, file);
      w.field("fast", [&](const YAML::Node& x, const std::string& kk) { cfg.lane.weight_fast = read_uint<unsigned>(file, x, kk, 1, 1000); });
      w.field("medium", [&](const YAML::Node& x, const std::string& kk) { cfg.lane.weight_medium = read_uint<unsigned>(file, x, kk, 1, 1000); });
      w.field("slow", [&](const YAML::Node& x, const std::string& kk) { cfg.lane.weight_slow = read_uint<unsigned>(file, x, kk, 1, 1000); });
      w.finish();
    });
    m.field("batch_max", [&](const YAML::Node& v, const std::string& k) { cfg.lane.batch_max = read_uint<unsigned>(file, v, k, 1, 250); });
    m.field("session_turns", [&](const YAML::Node& v, const std::string& k) { cfg.lane.session_turns = read_bool(file, v, k); });
    m.field("reclassify_after", [&](const YAML::Node& v, const std::string& k) {
      cfg.lane.reclassify_after = read_uint<unsigned>(file, v, k, 1, 1'000'000);
    });
    m.field("fast_below", [&](const YAML::Node& v, const std::string& k) { cfg.lane.fast_below = read_duration(file, v, k); });
    m.field("slow_above", [&](const YAML::Node& v, const std::string& k) { cfg.lane.slow_above = read_duration(file, v, k); });
    m.finish();
    if (cfg.lane.slow_above < cfg.lane.fast_below)
      throw ConfigError(file + ": 'lane.slow_above' must not be shorter than 'lane.fast_below'");
  });

  top.field("cache", [&](const YAML::Node& n, const std::string& path) {
    MapReader m(n, path, file);
    m.field("enabled", [&](const YAML::Node& v, const std::string& k) { cfg.cache.enabled = read_bool(file, v, k); });
    m.field("ttl", [&](const YAML::Node& v, const std::string& k) { cfg.cache.ttl = read_duration(file, v, k); });
    m.field("max_entries", [&](const YAML::Node& v, const std::string& k) {
      cfg.cache.max_entries = read_uint<std::size_t>(file, v, k, 1, 10'000'000);
    });
    m.field("max_bytes", [&](const YAML::Node& v, const std::string& k) {
      auto s = parse_size(scalar(file, v, k, "a size such as 16MiB"));
      if (!s || *s < 1024 || *s > (std::size_t{1} << 40)) bad_value(file, v, k, "a size from 1KiB to 1TiB");
      cfg.cache.max_bytes = *s;
    });
    m.field("tool_ttl", [&](const YAML::Node& v, const std::string& k) {
      if (v.IsNull()) return;
      MapReader tools(v, k, file);
      tools.each([&](const std::string& name, const YAML::Node& tv, const std::string& tk) {
        check_tool_name(file, v, name, tk, true);
        cfg.cache.tool_ttl[name] = read_duration(file, tv, tk);
      });
    });
    m.field("shared", [&](const YAML::Node& v, const std::string& k) { cfg.cache.shared = read_bool(file, v, k); });
    m.field("dir", [&](const YAML::Node& v, const std::string& k) { cfg.cache.dir = read_path(file, v, k); });
    m.field("watch", [&](const YAML::Node& v, const std::string& k) { cfg.cache.watch = read_duration(file, v, k); });
    m.finish();
  });

  top.field("tools", [&](const YAML::Node& n, const std::string& path) {
    MapReader m(n, path, file);
    m.field("reads_via", [&](const YAML::Node& v, const std::string& k) {
      auto s = scalar(file, v, k, "auto, database or applescript");
      if (s != "auto" && s != "database" && s != "applescript") bad_value(file, v, k, "auto, database or applescript");
      cfg.tools.reads_via = s == "auto" ? ReadsVia::Auto : s == "database" ? ReadsVia::Database : ReadsVia::AppleScript;
    });
    m.field("mirror_max_age", [&](const YAML::Node& v, const std::string& k) {
      cfg.tools.mirror_max_age = read_duration(file, v, k);
    });
    m.field("cost", [&](const YAML::Node& v, const std::string& k) {
      if (v.IsNull()) return;
      MapReader tools(v, k, file);
      tools.each([&](const std::string& name, const YAML::Node& tv, const std::string& tk) {
        check_tool_name(file, v, name, tk);
        auto cost = parse_cost_class(scalar(file, tv, tk, "fast, medium or slow"));
        if (!cost) bad_value(file, tv, tk, "fast, medium or slow");
        cfg.tools.cost[name] = *cost;
      });
    });
    m.field("timeout", [&](const YAML::Node& v, const std::string& k) {
      if (v.IsNull()) return;
      MapReader tools(v, k, file);
      tools.each([&](const std::string& name, const YAML::Node& tv, const std::string& tk) {
        check_tool_name(file, v, name, tk);
        cfg.tools.timeout[name] = read_duration(file, tv, tk);
      });
    });
    m.finish();
  });

  top.finish();
  return cfg;
}

}  // namespace

std::optional<Millis> parse_duration(const std::string& raw) {
  // One or more parts, each a number (whole or with a fraction) and a unit, the units
  // from largest to smallest and each at most once: 250ms, 30s, 1.5s, 1m30s, 1h 15m.
  // A bare number is refused: whether 30 meant seconds or milliseconds is a guess.
  static constexpr struct {
    const char* name;
    long long ms;
  } kUnits[] = {{"h", 3'600'000}, {"min", 60'000}, {"m", 60'000}, {"s", 1000}, {"ms", 1}};
  const auto text = trim(raw);
  std::size_t i = 0;
  long long total = 0;
  long long last_unit = std::numeric_limits<long long>::max();
  if (text.empty()) return std::nullopt;
  while (i < text.size()) {
    const auto start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    const auto whole_digits = i - start;
    std::string frac;
    if (i < text.size() && text[i] == '.') {
      ++i;
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) frac += text[i++];
      if (frac.empty()) return std::nullopt;
    }
    if (whole_digits == 0 || whole_digits > 12 || frac.size() > 9) return std::nullopt;
    const long long whole = std::stoll(text.substr(start, whole_digits));
    while (i < text.size() && text[i] == ' ') ++i;
    std::size_t letters = i;
    while (letters < text.size() && std::isalpha(static_cast<unsigned char>(text[letters]))) ++letters;
    const auto unit_name = text.substr(i, letters - i);
    i = letters;
    long long ms_per = 0;
    for (const auto& u : kUnits)
      if (unit_name == u.name) ms_per = u.ms;
    if (ms_per == 0 || ms_per >= last_unit) return std::nullopt;  // no unit, unknown, repeated or out of order
    last_unit = ms_per;
    // Durations become deadlines and expiry times on steady_clock (nanoseconds in 64 bits,
    // about 292 years): anything past a year is refused rather than let overflow there.
    if (whole > kMaxDuration.count() / ms_per) return std::nullopt;
    long long part = whole * ms_per;
    if (!frac.empty()) {
      long long scale = 1;
      for (std::size_t k = 0; k < frac.size(); ++k) scale *= 10;
      const long long f = std::stoll(frac) * ms_per;  // < 1e9 * 3.6e6, fits in 64 bits
      if (f % scale != 0) return std::nullopt;         // finer than a millisecond
      part += f / scale;
    }
    total += part;
    if (total > kMaxDuration.count()) return std::nullopt;
    while (i < text.size() && text[i] == ' ') ++i;
  }
  return Millis{total};
}

std::optional<ListenAddress> parse_listen(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return std::nullopt;
  ListenAddress out;
  out.host = text.substr(0, colon);
  if (out.host.front() == '[') {
    if (out.host.size() < 3 || out.host.back() != ']') return std::nullopt;
    out.host = out.host.substr(1, out.host.size() - 2);
  } else if (out.host.find(':') != std::string::npos) {
    return std::nullopt;  // an IPv6 address needs its brackets
  }
  unsigned port = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data() + colon + 1, end, port);
  if (ec != std::errc{} || p != end || port > 65535) return std::nullopt;
  out.port = static_cast<unsigned short>(port);
  return out;
}

std::optional<std::size_t> parse_size(const std::string& raw) {
  const auto text = trim(raw);
  std::size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i == 0 || i > 12) return std::nullopt;
  std::size_t n = std::stoull(text.substr(0, i));
  const auto unit = trim(text.substr(i));
  static const std::map<std::string, std::size_t> units{
      {"", 1},          {"B", 1},          {"KiB", 1024},       {"MiB", 1024 * 1024}, {"GiB", 1024ull * 1024 * 1024},
      {"kB", 1000},     {"KB", 1000},      {"MB", 1000 * 1000}, {"GB", 1000ull * 1000 * 1000}};
  auto it = units.find(unit);
  if (it == units.end() || n > std::numeric_limits<std::size_t>::max() / it->second) return std::nullopt;
  return n * it->second;
}

Config load_config_text(const std::string& text, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    std::ostringstream os;
    os << name << ":" << e.mark.line + 1 << ":" << e.mark.column + 1 << ": not valid YAML: " << e.msg;
    throw ConfigError(os.str());
  }
  try {
    return parse(root, name);
  } catch (const YAML::Exception& e) {
    throw ConfigError(name + ": " + e.what());
  }
}

Config load_config_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw ConfigError(path + ": cannot open the configuration file");
  std::stringstream ss;
  ss << in.rdbuf();
  return load_config_text(ss.str(), path);
}

}  // namespace takt
