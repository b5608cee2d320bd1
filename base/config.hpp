#pragma once
/// takt's configuration as typed structs: every tunable of the server lives here, and
/// config/takt.yaml documents each one. Reading the YAML file into them is app/'s job
/// (app/config.hpp). Plain data: safe to read from any thread once loaded, never mutated.

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>

namespace takt {

using Millis = std::chrono::milliseconds;

/// A closed range of milliseconds, written `200ms..800ms` (or one value) in the file.
struct MillisRange {
  Millis min{0};
  Millis max{0};
};

/// What a tool is expected to cost (fast, medium, slow): the AppleScript lane interleaves
/// its waiting jobs by this class (heijunka). Not a lane: a tool's lane (in-process, the
/// database, the AppleScript lane; flow/job.hpp) is where it runs, its cost class how long.
enum class CostClass { Fast, Medium, Slow };

/// What happens when max_in_flight messages are in flight.
enum class OverloadPolicy {
  Block,   ///< stop reading input until one is answered (the client's pipe fills)
  Reject,  ///< answer at once with an "overloaded, retry later" error
};

struct ServerConfig {
  std::size_t max_message_bytes = 4 * 1024 * 1024;  ///< longest accepted JSON-RPC line
  std::size_t max_in_flight = 256;                   ///< admitted, not yet answered requests
  unsigned max_json_depth = 64;                      ///< deepest nesting accepted in a message
  OverloadPolicy on_overload = OverloadPolicy::Block;
  /// stdio: the most replies to one read's requests gathered into one write (0: all).
  std::size_t replies_per_write = 16;
};

/// MCP over Streamable HTTP (transports/http): one takt for several clients.
struct HttpConfig {
  std::string listen;             ///< host:port to serve /mcp on; empty: no HTTP (stdio only)
  std::string token_file;         ///< file (mode 0600) holding the bearer token; TAKT_HTTP_TOKEN wins
  unsigned threads = 2;           ///< threads running the HTTP connections
  std::size_t max_header_bytes = 16 * 1024;  ///< a request's headers, at most (413 beyond)
  Millis read_timeout{10000};     ///< a whole request must arrive within this (slow clients are cut off)
  Millis idle_timeout{60000};     ///< a kept-alive connection with no request is closed after this
  std::size_t max_sessions = 128; ///< open MCP sessions, at most (503 with Retry-After beyond)
  Millis session_idle{1800000};   ///< a session with no request and no open stream ends after this
  Millis keepalive{15000};        ///< an SSE comment this often on an idle GET stream (finds vanished clients)
  // Fairness between clients: each session is one client of the one pipeline.
  std::size_t session_max_in_flight = 32;  ///< a session's requests in the pipeline at once; more wait their turn
  double session_rate = 0;        ///< requests per second a session may send (token bucket); 0: no limit
  unsigned session_burst = 20;    ///< requests a session may send at once before session_rate applies
};

struct LoggingConfig {
  std::string level = "info";  ///< trace, debug, info, warn, error, critical, off
  std::string file;            ///< also write log lines to this file; empty: stderr only
  std::size_t max_size = 10 * 1024 * 1024;  ///< the file is rotated when it reaches this size
  unsigned max_files = 3;      ///< rotated files kept (takt.1.log ... takt.N.log), besides the current one
};

struct MetricsConfig {
  bool enabled = true;
  std::string listen = "127.0.0.1:9464";  ///< host:port; port 0 picks a free one
};

struct BackendConfig {
  std::string kind = "sim";      ///< "sim" (things-sim) or "osascript" (Things 3 on macOS)
  std::string sim_path;          ///< empty: things-sim beside the takt binary
  std::string database;          ///< empty: the default for the backend kind
  MillisRange sim_latency{Millis{200}, Millis{800}};  ///< per-call cost of things-sim
  MillisRange sim_per_op{Millis{20}, Millis{60}};     ///< per-operation cost of things-sim
  double sim_fail_rate = 0.0;    ///< injected transient failures, 0..1
  double sim_hang_rate = 0.0;    ///< injected hangs (killed at the timeout), 0..1
  std::string sim_locale;        ///< the language things-sim's Things shows; empty: things-sim's own (en)
  std::optional<MillisRange> sim_url_lag;  ///< how long a things:/// URL takes to land; unset: things-sim's own
  /// A change made through Things' URL scheme lands in its database a little after the
  /// script (1-3 s measured on Macs, once 18 s): takt reads it back this long before it
  /// reports the change as sent but not applied yet.
  Millis url_settle{5000};
  Millis script_timeout{30000};  ///< a script running longer is killed (whole process group)
  // Many takt processes and a failing Things: the machine-wide lock, retries, the breaker.
  std::string lock_dir;          ///< empty: $XDG_RUNTIME_DIR/takt, else /tmp/takt-$UID
  unsigned retry_attempts = 3;   ///< tries of one script, the first included (1: no retries)
  Millis retry_base_delay{100};  ///< backoff before the first retry; doubles each time, jittered
  Millis retry_max_delay{2000};  ///< backoff never longer than this
  unsigned breaker_failures = 5; ///< consecutive failed scripts that open the circuit breaker
  Millis breaker_cooldown{5000}; ///< open this long before one probe script may run
};

struct PipelineConfig {
  unsigned threads = 2;      ///< worker threads of the graph's task arena
  unsigned db_readers = 2;   ///< database reads running at once (medium lane)
  std::size_t db_queue_capacity = 512;     ///< reads waiting for a database connection
  std::size_t slow_queue_capacity = 1024;  ///< jobs waiting for the AppleScript lane
};

/// How the AppleScript lane orders and groups the scripts waiting for it (heijunka).
struct LaneConfig {
  unsigned max_writes_passing_a_read = 4;  ///< a waiting read runs after at most this many writes
  unsigned weight_fast = 4, weight_medium = 2, weight_slow = 1;  ///< interleaving of cost classes
  unsigned batch_max = 10;                 ///< operations run together in one script, at most
  bool session_turns = true;               ///< sessions (clients) take turns within each class
  unsigned reclassify_after = 5;           ///< measured runs before a tool's class follows them
  Millis fast_below{300};                  ///< measured service time under this: fast
  Millis slow_above{1500};                 ///< measured service time over this: slow
};

struct CacheConfig {
  bool enabled = true;
  Millis ttl{2000};               ///< default time a cached read stays fresh
  std::size_t max_entries = 1024; ///< oldest entries are evicted beyond this
  std::size_t max_bytes = 16 * 1024 * 1024;  ///< and beyond this many bytes of keys and answers
  std::map<std::string, Millis> tool_ttl;  ///< per-tool override of ttl
  bool shared = true;             ///< share entries and invalidation with the user's other takt processes
  std::string dir;                ///< shared cache directory; empty: $XDG_CACHE_HOME/takt or ~/.cache/takt
  /// How often the Things database is looked at for changes made outside this takt (they
  /// drop the cache and notify resource subscribers); 0: not watched.
  Millis watch{200};
};

/// Where reads are answered from: Things' database, takt's mirror of Things read through
/// AppleScript, or (Auto) the database while takt can read it and the mirror while it
/// cannot (a Mac where the client has no Full Disk Access).
enum class ReadsVia { Auto, Database, AppleScript };

struct ToolsConfig {
  ReadsVia reads_via = ReadsVia::Auto;
  /// With reads through AppleScript: how long takt's mirror of Things answers reads before
  /// it is read again (takt's own writes drop it at once; changes made in Things show
  /// after at most this long).
  Millis mirror_max_age{10000};
  std::map<std::string, CostClass> cost;   ///< per-tool expected cost class (fast, medium, slow)
  std::map<std::string, Millis> timeout;   ///< per-tool script timeout (default: backend.script_timeout)
};

/// One takt for all of a user's clients: `takt --daemon` listens on a Unix socket, and a
/// takt started over stdio that finds it there (serving the same database) relays its
/// client to it (transports/relay.hpp).
struct RelayConfig {
  std::string socket;  ///< empty: takt.sock in the user's runtime directory (where the lane's lock is)
  bool join = true;    ///< a takt started over stdio relays to a running daemon
};

struct Config {
  std::string source;  ///< file it came from, empty for built-in defaults
  ServerConfig server;
  HttpConfig http;
  LoggingConfig logging;
  MetricsConfig metrics;
  BackendConfig backend;
  PipelineConfig pipeline;
  LaneConfig lane;
  CacheConfig cache;
  ToolsConfig tools;
  RelayConfig relay;
};

/// `fast`, `medium` or `slow`.
std::optional<CostClass> parse_cost_class(const std::string& text);
const char* cost_class_name(CostClass c);

}  // namespace takt
