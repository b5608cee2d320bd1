#pragma once
/// The load generator's engine: one thread that writes requests to the server's stdin and
/// reads its answers from stdout with ppoll on both pipes, matches answers to requests by
/// id and records each request's latency (from the moment it is handed to write() to the
/// read that brought its answer). Requests are rendered from templates into one fixed
/// output buffer, answers are read into one input buffer: nothing is allocated per message
/// (latency samples go into vectors reserved up front). Not thread-safe: one Driver per
/// thread, one run at a time.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bench/server.hpp"

namespace bench {

using Nanos = int64_t;  ///< CLOCK_MONOTONIC nanoseconds
Nanos now_ns();

/// One kind of request, as wire text with holes: parts[0] ID parts[1] [ID parts[2] ...].
/// The first hole is the JSON-RPC id; every `{{id}}` in the params is one more hole that
/// gets the same number (so each request can carry distinct arguments).
struct RequestKind {
  std::string label;
  std::vector<std::string> parts;
  std::size_t max_size() const;
};
/// `tools/call` with `params` (a JSON object such as {"name":"get_inbox","arguments":{}}).
RequestKind make_call(std::string_view params);
/// Any method, with optional params (JSON text; empty: none).
RequestKind make_method(std::string_view method, std::string_view params);

/// One stream of requests with its own concurrency, pace and figures.
struct StreamSpec {
  std::string name;
  std::vector<std::pair<RequestKind, unsigned>> mix;  ///< kinds and weights, sent in a fixed interleaving
  unsigned in_flight = 1;  ///< requests kept outstanding; 0: no limit of ours (the server's backpressure only)
  double rate = 0;         ///< most requests per second; 0: as fast as answers allow
  uint64_t requests = 0;   ///< requests to send, warm-up included; 0: until the run stops
  uint64_t warmup = 0;     ///< first requests whose answers are not counted
  bool measured = true;    ///< the run ends when every measured stream is done
  bool cancel_at_end = false;  ///< at the end, send notifications/cancelled for what is still outstanding
  Nanos start_after = 0;   ///< start this long after the run starts
};

struct StreamResult {
  std::string name;
  uint64_t sent = 0;
  uint64_t answered = 0;     ///< all answers, warm-up included
  uint64_t measured = 0;     ///< answers counted in the figures (after warm-up)
  uint64_t rpc_errors = 0;   ///< JSON-RPC error responses (counted ones)
  uint64_t tool_errors = 0;  ///< results with isError: true (counted ones)
  uint64_t outstanding_at_end = 0;
  uint64_t cancelled = 0;    ///< notifications/cancelled sent at the end
  Nanos first_send = 0;      ///< first counted request sent
  Nanos last_answer = 0;     ///< last counted answer read
  std::vector<Nanos> latency;  ///< one per counted answer, in arrival order
};

struct RunResult {
  std::vector<StreamResult> streams;
  Nanos started = 0, stopped = 0, ended = 0;  ///< run start, stop condition met, last answer waited for
  double loadgen_cpu_s = 0;   ///< this process, user + system, during the run
  double server_cpu_s = -1;   ///< the server process (its threads, not its children), during the run
  long server_hwm_kib = -1;   ///< VmHWM at the end of the run
  long server_rss_max_kib = -1;  ///< largest VmRSS sampled every 50 ms
  uint64_t unmatched = 0;     ///< answers whose id matches no outstanding request
  uint64_t server_messages = 0;  ///< notifications and requests from the server (ignored)
  uint64_t max_outstanding = 0;  ///< most requests outstanding at once, all streams
  Nanos writer_blocked = 0;   ///< time with requests ready but the server's stdin pipe full
  bool drain_timed_out = false;
};

struct RunOptions {
  /// Stop this long after every measured stream is past its warm-up (without measured
  /// streams: after the start); 0: when the measured streams have sent their requests.
  Nanos duration = 0;
  Nanos drain_timeout = 30'000'000'000;  ///< how long to wait for measured answers after the stop
  /// Called for every answer, after it is counted: (stream index, latency, rpc error, tool error).
  std::function<void(std::size_t, Nanos, bool, bool)> on_answer;
  /// Called once when the stop condition is met, before cancellations.
  std::function<void()> on_stop;
};

struct ServerInfo {
  std::string name, version, protocol;
};

class Driver {
 public:
  explicit Driver(Server& server);

  /// initialize (protocol 2025-11-25) and notifications/initialized. Throws on failure.
  ServerInfo handshake(Nanos timeout = 30'000'000'000);

  /// Runs the streams until the stop condition; throws if the server goes away.
  RunResult run(std::vector<StreamSpec> specs, const RunOptions& options);

  /// Asks the run to stop (from an on_answer callback).
  void request_stop() { stop_requested_ = true; }

 private:
  bool read_some(Nanos now, const std::function<void(const char*, const char*, Nanos)>& on_line);
  void write_all_blocking(const std::string& text, Nanos deadline);

  Server& server_;
  std::vector<char> in_;
  std::size_t in_have_ = 0;
  bool stop_requested_ = false;
};

}  // namespace bench
