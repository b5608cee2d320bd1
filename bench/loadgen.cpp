// takt-loadgen: a load generator for MCP servers over stdio that costs far less per
// message than the servers it measures. It starts the server command given after `--`,
// does the MCP handshake, runs one scenario and prints its figures (text, or --json).
// See bench/README.md for the scenarios and how to read their figures.

#include <signal.h>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/driver.hpp"
#include "bench/report.hpp"
#include "bench/scrape.hpp"
#include "bench/server.hpp"
#include "bench/wire.hpp"

namespace bench {
namespace {

constexpr const char* kUsage = R"(usage: takt-loadgen [SCENARIO] [OPTIONS] -- SERVER-COMMAND [ARGS...]

Starts the server, does the MCP handshake (protocol 2025-11-25), runs one scenario and
prints its figures. Latency is measured from the write of a request to the read of the
answer with the same id; notifications from the server are ignored.

Scenarios:
  run                        (default) one stream of the given requests
  latency-under-saturation   a backlog of slow calls (--saturate N outstanding) while each
                             --call/--method is measured as its own stream (default:
                             queue_status and get_inbox, 1 in flight, --rate 100 each)
  write-behind-reads         --reads N slow reads sent at once, then one write: the write's
                             response time and how many scripts ran before it
  flood                      --requests N (default 100000) as fast as the server takes them,
                             no in-flight limit of ours: throughput and the server's peak RSS
  utilisation                the slow lane saturated for --duration S: busy time over wall
                             time from the server's metrics

Requests (repeatable; weights interleave them: 3:A and 1:B send A B A A ...):
  --call [W:]JSON            tools/call with these params, e.g. '{"name":"get_inbox","arguments":{}}'
  --method [W:]NAME [JSON]   any method, e.g. 'ping' or 'tools/list {}' (one argument)
  --mix FILE                 lines of 'WEIGHT call JSON' or 'WEIGHT method NAME [JSON]', # comments
  Every {{id}} in params is replaced by the request's id (distinct arguments per request).

Load:
  --requests N               requests to send, warm-up included (run: 10000 unless --duration)
  --duration S               measure for S seconds after the warm-up instead (fractions allowed)
  --in-flight C              requests kept outstanding (1: strict ping-pong; 0: no limit)
  --warmup N                 first N answers of each measured stream are not counted
  --rate R                   at most R requests/s per measured stream (0: no pacing)

Scenario settings:
  --saturate N               slow calls kept outstanding (default 20; 0: none, a baseline)
  --saturate-call JSON       the slow call (default add_todo with a distinct title)
  --settle S                 wait S seconds after starting the backlog (default 1)
  --reads N                  write-behind-reads: reads sent first (default 100)
  --read-call JSON           the read (default get_inbox with offset {{id}}: no two alike)
  --write-call JSON          the write (default add_todo)
  --write-after S            delay between the reads and the write (default 0.2)
  --busy-metric NAME         busy-seconds counter (default takt_applescript_busy_seconds_total)
  --scripts-metric NAME      scripts counter (default takt_script_runs_total)

Output and process:
  --json                     one JSON object on stdout instead of text
  --label TEXT               a name for the server in the output
  --server-log FILE          append the server's stderr to FILE (default: kept in memory, last lines)
  --drain-timeout S          longest wait for outstanding measured answers at the end (default 30)
  --help
)";

struct Options {
  std::string scenario = "run";
  std::vector<std::pair<RequestKind, unsigned>> mix;
  std::optional<uint64_t> requests;
  double duration = 0;
  unsigned in_flight = 1;
  bool in_flight_set = false;
  uint64_t warmup = 0;
  std::optional<double> rate;
  unsigned saturate = 20;
  std::string saturate_call = R"({"name":"add_todo","arguments":{"title":"takt-loadgen backlog {{id}}"}})";
  double settle = 1;
  uint64_t reads = 100;
  std::string read_call = R"({"name":"get_inbox","arguments":{"offset":{{id}}}})";
  std::string write_call = R"({"name":"add_todo","arguments":{"title":"takt-loadgen write behind reads {{id}}"}})";
  double write_after = 0.2;
  std::string busy_metric = "takt_applescript_busy_seconds_total";
  std::string scripts_metric = "takt_script_runs_total";
  bool json = false;
  std::string label;
  std::string server_log;
  double drain_timeout = 30;
  std::vector<std::string> command;
};

Nanos seconds(double s) { return static_cast<Nanos>(s * 1e9); }

[[noreturn]] void usage_error(const std::string& why) {
  std::cerr << "takt-loadgen: " << why << "\n(takt-loadgen --help shows the options)\n";
  std::exit(2);
}

// "3:payload" -> (3, "payload"); "payload" -> (1, "payload").
std::pair<unsigned, std::string> weighted(const std::string& arg) {
  std::size_t i = 0;
  while (i < arg.size() && std::isdigit(static_cast<unsigned char>(arg[i]))) ++i;
  if (i > 0 && i < arg.size() && arg[i] == ':') {
    const auto w = std::stoul(arg.substr(0, i));
    if (w == 0) usage_error("a weight must be at least 1: " + arg);
    return {static_cast<unsigned>(w), arg.substr(i + 1)};
  }
  return {1, arg};
}

// Where the object at p ends (one past '}'), or nullptr if it does not close.
const char* object_end(const char* p, const char* e) {
  int depth = 0;
  while (p < e) {
    if (*p == '"') {
      p = wire::skip_string(p, e);
      if (p == e && e[-1] != '"') return nullptr;
      continue;
    }
    if (*p == '{' || *p == '[') ++depth;
    else if ((*p == '}' || *p == ']') && --depth == 0) return p + 1;
    ++p;
  }
  return nullptr;
}

void check_json_object(const std::string& text, const std::string& what) {
  // {{id}} holes make the text invalid JSON until filled: check a filled copy.
  std::string filled = text;
  for (std::size_t at; (at = filled.find("{{id}}")) != std::string::npos;) filled.replace(at, 6, "1");
  const char* b = filled.data();
  const char* e = b + filled.size();
  const char* p = wire::skip_ws(b, e);
  if (p == e || *p != '{') usage_error(what + " must be a JSON object: " + text);
  const char* q = object_end(p, e);
  if (!q) usage_error(what + " is not complete JSON: " + text);
  if (wire::skip_ws(q, e) != e) usage_error(what + " has text after the JSON object: " + text);
}

RequestKind parse_method_arg(const std::string& spec) {
  const auto sp = spec.find(' ');
  const auto name = spec.substr(0, sp);
  std::string params = sp == std::string::npos ? "" : spec.substr(sp + 1);
  if (name.empty()) usage_error("--method needs a method name");
  if (!params.empty()) check_json_object(params, "params of " + name);
  return make_method(name, params);
}

void read_mix(const std::string& path, Options& o) {
  std::ifstream in(path);
  if (!in) usage_error("cannot read the mix file " + path);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    const auto b = line.find_first_not_of(" \t");
    if (b == std::string::npos || line[b] == '#') continue;
    std::istringstream ls(line.substr(b));
    unsigned weight = 0;
    std::string kind;
    if (!(ls >> weight >> kind) || weight == 0)
      usage_error(path + ":" + std::to_string(n) + ": expected 'WEIGHT call JSON' or 'WEIGHT method NAME [JSON]'");
    std::string rest;
    std::getline(ls, rest);
    rest.erase(0, rest.find_first_not_of(" \t"));
    if (kind == "call") {
      check_json_object(rest, path + ":" + std::to_string(n));
      o.mix.emplace_back(make_call(rest), weight);
    } else if (kind == "method") {
      o.mix.emplace_back(parse_method_arg(rest), weight);
    } else {
      usage_error(path + ":" + std::to_string(n) + ": the kind is 'call' or 'method', not '" + kind + "'");
    }
  }
}

Options parse(int argc, char** argv) {
  Options o;
  int i = 1;
  if (i < argc && argv[i][0] != '-') o.scenario = argv[i++];
  static const char* scenarios[] = {"run", "latency-under-saturation", "write-behind-reads", "flood", "utilisation"};
  bool known = false;
  for (auto* s : scenarios) known |= o.scenario == s;
  if (!known) usage_error("unknown scenario '" + o.scenario + "'");
  const auto need = [&](const std::string& opt) -> std::string {
    if (i + 1 >= argc) usage_error(opt + " needs a value");
    return argv[++i];
  };
  const auto number = [&](const std::string& opt) {
    const auto v = need(opt);
    char* end = nullptr;
    const double d = std::strtod(v.c_str(), &end);
    if (end == v.c_str() || *end || d < 0 || !std::isfinite(d)) usage_error(opt + " needs a number >= 0, not '" + v + "'");
    return d;
  };
  const auto count = [&](const std::string& opt) {
    const double d = number(opt);
    if (d != std::floor(d)) usage_error(opt + " needs a whole number");
    return static_cast<uint64_t>(d);
  };
  for (; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--") {
      for (++i; i < argc; ++i) o.command.emplace_back(argv[i]);
      break;
    }
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      std::exit(0);
    } else if (a == "--call") {
      auto [w, json] = weighted(need(a));
      check_json_object(json, "--call");
      o.mix.emplace_back(make_call(json), w);
    } else if (a == "--method") {
      auto [w, spec] = weighted(need(a));
      o.mix.emplace_back(parse_method_arg(spec), w);
    } else if (a == "--mix") {
      read_mix(need(a), o);
    } else if (a == "--requests") {
      o.requests = count(a);
    } else if (a == "--duration") {
      o.duration = number(a);
    } else if (a == "--in-flight") {
      o.in_flight = static_cast<unsigned>(count(a));
      o.in_flight_set = true;
    } else if (a == "--warmup") {
      o.warmup = count(a);
    } else if (a == "--rate") {
      o.rate = number(a);
    } else if (a == "--saturate") {
      o.saturate = static_cast<unsigned>(count(a));
    } else if (a == "--saturate-call") {
      o.saturate_call = need(a);
      check_json_object(o.saturate_call, a);
    } else if (a == "--settle") {
      o.settle = number(a);
    } else if (a == "--reads") {
      o.reads = count(a);
    } else if (a == "--read-call") {
      o.read_call = need(a);
      check_json_object(o.read_call, a);
    } else if (a == "--write-call") {
      o.write_call = need(a);
      check_json_object(o.write_call, a);
    } else if (a == "--write-after") {
      o.write_after = number(a);
    } else if (a == "--busy-metric") {
      o.busy_metric = need(a);
    } else if (a == "--scripts-metric") {
      o.scripts_metric = need(a);
    } else if (a == "--json") {
      o.json = true;
    } else if (a == "--label") {
      o.label = need(a);
    } else if (a == "--server-log") {
      o.server_log = need(a);
    } else if (a == "--drain-timeout") {
      o.drain_timeout = number(a);
    } else {
      usage_error("unknown option '" + a + "'");
    }
  }
  if (o.command.empty()) usage_error("give the server command after --");
  return o;
}

// ---- output -------------------------------------------------------------------------

struct Report {
  std::string scenario;
  ServerInfo info;
  std::string label;
  pid_t pid = 0;
  RunResult run;
  std::vector<std::string> stream_desc;  // what each stream sends, for the text output
  std::vector<std::pair<std::string, std::string>> figures;  // scenario figures (text form)
  JsonOut figures_json;                                       // the same, as JSON members
  std::vector<std::string> notes;
  std::string ended;  // how the server ended
};

std::string fmt(double v, int decimals = 1) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

uint64_t counted_requests(const RunResult& r) {
  uint64_t n = 0;
  for (const auto& s : r.streams) n += s.answered;
  return n;
}

void print_text(const Report& r) {
  auto& out = std::cout;
  const double wall = static_cast<double>(r.run.ended - r.run.started) / 1e9;
  out << "takt-loadgen " << r.scenario << ": " << (r.label.empty() ? r.info.name : r.label) << " "
      << r.info.version << " (protocol " << r.info.protocol << ", pid " << r.pid << ")\n";
  for (std::size_t i = 0; i < r.run.streams.size(); ++i) {
    const auto& s = r.run.streams[i];
    const auto p = percentiles(s.latency);
    out << "  stream " << s.name << ": " << r.stream_desc[i] << "\n";
    out << "    requests     " << s.sent << " sent, " << s.answered << " answered, " << s.measured << " counted";
    if (s.cancelled) out << ", " << s.cancelled << " cancelled at the end";
    out << "\n";
    out << "    errors       " << s.rpc_errors << " JSON-RPC errors, " << s.tool_errors << " isError results\n";
    if (s.measured) {
      out << "    throughput   " << fmt(throughput(s), 0) << " req/s\n";
      out << "    latency us   p50 " << fmt(p.p50) << "  p90 " << fmt(p.p90) << "  p99 " << fmt(p.p99) << "  max "
          << fmt(p.max) << "  mean " << fmt(p.mean) << "\n";
    }
  }
  const auto n = counted_requests(r.run);
  out << "  wall time      " << fmt(wall, 3) << " s\n";
  out << "  server         peak RSS " << std::max(r.run.server_hwm_kib, r.run.server_rss_max_kib) << " KiB (VmHWM "
      << r.run.server_hwm_kib << ", sampled VmRSS max " << r.run.server_rss_max_kib << "), CPU "
      << fmt(r.run.server_cpu_s, 2) << " s";
  if (n) out << " (" << fmt(r.run.server_cpu_s * 1e6 / static_cast<double>(n)) << " us/answer)";
  out << "\n";
  out << "  loadgen        CPU " << fmt(r.run.loadgen_cpu_s, 2) << " s";
  if (n) out << " (" << fmt(r.run.loadgen_cpu_s * 1e6 / static_cast<double>(n)) << " us/answer)";
  out << "; most outstanding " << r.run.max_outstanding << "; writer blocked "
      << fmt(static_cast<double>(r.run.writer_blocked) / 1e9, 3) << " s\n";
  if (r.run.unmatched || r.run.server_messages)
    out << "  other          " << r.run.unmatched << " unmatched answers, " << r.run.server_messages
        << " server notifications/requests\n";
  for (const auto& [k, v] : r.figures) out << "  " << k << std::string(k.size() < 15 ? 15 - k.size() : 1, ' ') << v << "\n";
  for (const auto& note : r.notes) out << "  note: " << note << "\n";
  out << "  server ended   " << r.ended << "\n";
}

void print_json(const Report& r) {
  JsonOut j;
  const double wall = static_cast<double>(r.run.ended - r.run.started) / 1e9;
  const auto n = counted_requests(r.run);
  j.begin_object();
  j.str("scenario", r.scenario);
  j.begin_object("server")
      .str("name", r.info.name)
      .str("version", r.info.version)
      .str("protocol", r.info.protocol)
      .str("label", r.label)
      .integer("pid", r.pid)
      .integer("peak_rss_kib", std::max(r.run.server_hwm_kib, r.run.server_rss_max_kib))
      .integer("vm_hwm_kib", r.run.server_hwm_kib)
      .integer("sampled_rss_max_kib", r.run.server_rss_max_kib)
      .num("cpu_seconds", r.run.server_cpu_s)
      .num("cpu_us_per_answer", n ? r.run.server_cpu_s * 1e6 / static_cast<double>(n) : NAN)
      .str("ended", r.ended)
      .end_object();
  j.begin_object("loadgen")
      .num("cpu_seconds", r.run.loadgen_cpu_s)
      .num("cpu_us_per_answer", n ? r.run.loadgen_cpu_s * 1e6 / static_cast<double>(n) : NAN)
      .integer("max_outstanding", static_cast<int64_t>(r.run.max_outstanding))
      .num("writer_blocked_seconds", static_cast<double>(r.run.writer_blocked) / 1e9)
      .integer("unmatched", static_cast<int64_t>(r.run.unmatched))
      .integer("server_messages", static_cast<int64_t>(r.run.server_messages))
      .boolean("drain_timed_out", r.run.drain_timed_out)
      .end_object();
  j.num("wall_seconds", wall);
  j.begin_array("streams");
  for (std::size_t i = 0; i < r.run.streams.size(); ++i) {
    const auto& s = r.run.streams[i];
    const auto p = percentiles(s.latency);
    j.begin_object()
        .str("name", s.name)
        .str("sends", r.stream_desc[i])
        .integer("sent", static_cast<int64_t>(s.sent))
        .integer("answered", static_cast<int64_t>(s.answered))
        .integer("requests", static_cast<int64_t>(s.measured))
        .integer("rpc_errors", static_cast<int64_t>(s.rpc_errors))
        .integer("tool_errors", static_cast<int64_t>(s.tool_errors))
        .integer("cancelled", static_cast<int64_t>(s.cancelled))
        .num("throughput", throughput(s))
        .begin_object("latency_us")
        .num("p50", p.p50)
        .num("p90", p.p90)
        .num("p99", p.p99)
        .num("max", p.max)
        .num("mean", p.mean)
        .end_object()
        .end_object();
  }
  j.end_array();
  std::string figures = r.figures_json.text();
  std::string out = j.text();
  out += ",\"figures\":{" + figures + "}";
  out += ",\"notes\":[";
  for (std::size_t i = 0; i < r.notes.size(); ++i) out += (i ? ",\"" : "\"") + json_escape(r.notes[i]) + "\"";
  out += "]}";
  std::cout << out << "\n";
}

// ---- scenarios ----------------------------------------------------------------------

std::string describe(const StreamSpec& s) {
  std::string d;
  for (std::size_t i = 0; i < s.mix.size(); ++i) {
    if (i) d += " + ";
    if (s.mix.size() > 1) d += std::to_string(s.mix[i].second) + "x ";
    d += s.mix[i].first.label;
  }
  d += ", ";
  d += s.in_flight ? std::to_string(s.in_flight) + " in flight" : "no in-flight limit";
  if (s.rate > 0) d += ", at most " + fmt(s.rate, 0) + "/s";
  if (s.warmup) d += ", warm-up " + std::to_string(s.warmup);
  if (!s.measured) d += " (background, not measured)";
  return d;
}

std::optional<double> scrape_metric(const std::string& url, const std::string& name, std::string& error) {
  auto page = http_get(url, error);
  if (!page) return std::nullopt;
  auto v = metric_sum(*page, name);
  if (!v) error = "the server exports no '" + name + "'";
  return v;
}

StreamSpec backlog_stream(const Options& o) {
  StreamSpec s;
  s.name = "backlog";
  s.mix.emplace_back(make_call(o.saturate_call), 1);
  s.in_flight = o.saturate;
  s.measured = false;
  s.cancel_at_end = true;
  return s;
}

int run_scenario(const Options& o) {
  Server server(o.command, o.server_log);
  Driver driver(server);
  Report rep;
  rep.scenario = o.scenario;
  rep.label = o.label;
  rep.pid = server.pid();
  rep.info = driver.handshake();
  RunOptions ro;
  ro.drain_timeout = seconds(o.drain_timeout);
  std::vector<StreamSpec> specs;

  const auto default_mix = [&](StreamSpec& s) {
    s.mix = o.mix;
    if (s.mix.empty()) usage_error("give the requests to send: --call, --method or --mix");
  };
  const auto metrics_url = [&]() -> std::optional<std::string> {
    auto url = server.metrics_url(std::chrono::milliseconds(2000));
    if (!url) rep.notes.push_back("the server announced no metrics address on stderr ('metrics: http://...')");
    return url;
  };

  if (o.scenario == "run") {
    StreamSpec s;
    s.name = "main";
    default_mix(s);
    s.in_flight = o.in_flight;
    s.rate = o.rate.value_or(0);
    s.warmup = o.warmup;
    s.requests = o.requests.value_or(o.duration > 0 ? 0 : 10000);
    ro.duration = seconds(o.duration);
    specs.push_back(std::move(s));
    for (auto& sp : specs) rep.stream_desc.push_back(describe(sp));
    rep.run = driver.run(specs, ro);

  } else if (o.scenario == "flood") {
    StreamSpec s;
    s.name = "flood";
    default_mix(s);
    s.in_flight = o.in_flight_set ? o.in_flight : 0;
    s.warmup = o.warmup;
    s.requests = o.requests.value_or(o.duration > 0 ? 0 : 100000);
    ro.duration = seconds(o.duration);
    specs.push_back(std::move(s));
    for (auto& sp : specs) rep.stream_desc.push_back(describe(sp));
    rep.run = driver.run(specs, ro);
    const auto& r = rep.run;
    rep.figures.emplace_back("flood", fmt(throughput(r.streams[0]), 0) + " req/s; peak RSS " +
                                          std::to_string(std::max(r.server_hwm_kib, r.server_rss_max_kib)) +
                                          " KiB; writer blocked " + fmt(static_cast<double>(r.writer_blocked) / 1e9, 3) +
                                          " s of " + fmt(static_cast<double>(r.ended - r.started) / 1e9, 3) + " s");
    rep.figures_json.num("throughput", throughput(r.streams[0]))
        .integer("peak_rss_kib", std::max(r.server_hwm_kib, r.server_rss_max_kib))
        .num("writer_blocked_seconds", static_cast<double>(r.writer_blocked) / 1e9)
        .integer("max_outstanding", static_cast<int64_t>(r.max_outstanding));

  } else if (o.scenario == "latency-under-saturation") {
    if (o.saturate) specs.push_back(backlog_stream(o));
    std::vector<std::pair<RequestKind, unsigned>> measured = o.mix;
    if (measured.empty()) {
      measured.emplace_back(make_call(R"({"name":"queue_status","arguments":{}})"), 1);
      measured.emplace_back(make_call(R"({"name":"get_inbox","arguments":{}})"), 1);
    }
    const Nanos settle = o.saturate ? seconds(o.settle) : 0;
    const double rate = o.rate.value_or(100);
    // Paced streams are started out of phase, so that their requests are not written in
    // the same batch and answered in the same read (their figures would be one).
    const Nanos phase = rate > 0 ? seconds(1.0 / rate / static_cast<double>(measured.size())) : 0;
    Nanos offset = 0;
    for (auto& m : measured) {
      StreamSpec s;
      s.name = m.first.label.rfind("tools/call ", 0) == 0 ? m.first.label.substr(11) : m.first.label;
      s.mix.emplace_back(m.first, 1);
      s.in_flight = o.in_flight;
      s.rate = rate;
      s.warmup = o.warmup;
      s.requests = o.requests.value_or(0);
      s.start_after = settle + offset;
      offset += phase;
      specs.push_back(std::move(s));
    }
    const double duration = o.duration > 0 ? o.duration : (o.requests ? 0 : 10);
    ro.duration = seconds(duration);  // counted from the end of the settling (and warm-up)
    for (auto& sp : specs) rep.stream_desc.push_back(describe(sp));
    rep.run = driver.run(specs, ro);
    rep.figures_json.integer("backlog", o.saturate);
    if (o.saturate) {
      const auto& b = rep.run.streams[0];
      rep.figures.emplace_back("backlog", std::to_string(o.saturate) + " slow calls kept outstanding; " +
                                              std::to_string(b.answered) + " answered during the run (" +
                                              std::to_string(b.rpc_errors + b.tool_errors) + " errors)");
      rep.figures_json.integer("backlog_answered", static_cast<int64_t>(b.answered))
          .integer("backlog_errors", static_cast<int64_t>(b.rpc_errors + b.tool_errors));
      if (b.answered == 0)
        rep.notes.push_back("no slow call was answered during the run: the lane may not have been busy (or calls take longer than the run)");
    } else {
      rep.notes.push_back("--saturate 0: no backlog, this is the baseline");
    }

  } else if (o.scenario == "write-behind-reads") {
    const auto url = metrics_url();
    std::string err;
    std::optional<double> scripts0, scripts_at_write;
    bool have_page = false;
    if (url) {
      // A labelled family appears with its first series (prometheus-cpp): absent before any
      // script ran means 0, as long as it is there once the write (itself a script) ran.
      auto page = http_get(*url, err);
      have_page = page.has_value();
      if (page) scripts0 = metric_sum(*page, o.scripts_metric).value_or(0);
      else rep.notes.push_back("cannot scrape the metrics: " + err);
    }
    StreamSpec reads;
    reads.name = "reads";
    reads.mix.emplace_back(make_call(o.read_call), 1);
    reads.in_flight = 0;
    reads.requests = o.reads;
    reads.measured = false;
    reads.cancel_at_end = true;
    StreamSpec write;
    write.name = "write";
    write.mix.emplace_back(make_call(o.write_call), 1);
    write.requests = 1;
    write.start_after = seconds(o.write_after);
    specs.push_back(std::move(reads));
    specs.push_back(std::move(write));
    uint64_t reads_before_write = 0;
    uint64_t read_errors = 0;
    ro.on_answer = [&](std::size_t stream, Nanos, bool rpc_error, bool tool_error) {
      if (stream == 0) {
        ++reads_before_write;
        read_errors += rpc_error || tool_error;
        return;
      }
      if (have_page) {
        std::string e;
        scripts_at_write = scrape_metric(*url, o.scripts_metric, e);
      }
    };
    for (auto& sp : specs) rep.stream_desc.push_back(describe(sp));
    rep.run = driver.run(specs, ro);
    const auto& w = rep.run.streams[1];
    const double write_ms = w.latency.empty() ? NAN : static_cast<double>(w.latency[0]) / 1e6;
    rep.figures.emplace_back("write", "answered in " + fmt(write_ms, 1) + " ms" +
                                          (w.rpc_errors + w.tool_errors ? " (with an error)" : ""));
    rep.figures.emplace_back("reads", std::to_string(reads_before_write) + " of " + std::to_string(o.reads) +
                                          " answered before the write (" + std::to_string(read_errors) + " errors)");
    rep.figures_json.num("write_ms", write_ms)
        .integer("reads", static_cast<int64_t>(o.reads))
        .integer("reads_answered_before_write", static_cast<int64_t>(reads_before_write));
    if (scripts0 && scripts_at_write) {
      // Scripts finished when the write was answered, the write's own excluded: the lane is
      // serial, so each of them ran before the write.
      const auto before = static_cast<int64_t>(*scripts_at_write - *scripts0) - 1;
      rep.figures.emplace_back("scripts before", std::to_string(before) + " scripts ran before the write");
      rep.figures_json.integer("scripts_before_write", before);
      const bool lane_used = before > 0 || reads_before_write < o.reads;
      rep.figures_json.boolean("reads_in_slow_lane", lane_used);
      if (!lane_used)
        rep.notes.push_back("the reads did not go through the AppleScript lane (all answered, no script ran before "
                            "the write): this server is not configured to send these reads to the lane, so the "
                            "scenario does not apply");
    } else {
      rep.figures_json.null("scripts_before_write");
      rep.notes.push_back("scripts before the write not counted (no '" + o.scripts_metric + "' to scrape)");
    }

  } else if (o.scenario == "utilisation") {
    const auto url = metrics_url();
    if (!o.saturate) usage_error("utilisation needs --saturate N > 0");
    specs.push_back(backlog_stream(o));
    ro.duration = seconds(o.duration > 0 ? o.duration : 10);
    std::optional<double> busy0, busy1, sum0, sum1, runs0, runs1;
    Nanos t_first = 0, t_last = 0;
    const std::string sum_metric = "takt_script_duration_seconds_sum";
    std::string busy_err;
    const auto scrape_all = [&](std::optional<double>& b, std::optional<double>& s, std::optional<double>& n, Nanos& t) {
      if (!url) return;
      std::string e;
      auto page = http_get(*url, e);
      t = now_ns();
      if (!page) {
        busy_err = e;
        return;
      }
      b = metric_sum(*page, o.busy_metric);
      s = metric_sum(*page, sum_metric);
      n = metric_sum(*page, o.scripts_metric);
    };
    scrape_all(busy0, sum0, runs0, t_first);
    ro.on_stop = [&] { scrape_all(busy1, sum1, runs1, t_last); };
    for (auto& sp : specs) rep.stream_desc.push_back(describe(sp));
    rep.run = driver.run(specs, ro);
    const double wall = static_cast<double>(t_last - t_first) / 1e9;
    // Absent at the start but present at the end: the family got its first series during
    // the run (prometheus-cpp shows labelled families only once used), so it started at 0.
    const auto delta = [](const std::optional<double>& a, const std::optional<double>& b) -> std::optional<double> {
      if (!b) return std::nullopt;
      return *b - a.value_or(0);
    };
    if (auto busy = delta(busy0, busy1)) {
      const double u = *busy / wall;
      rep.figures.emplace_back("utilisation", fmt(u * 100, 1) + " % (" + o.busy_metric + " " + fmt(*busy, 2) +
                                                  " s over " + fmt(wall, 2) + " s)");
      rep.figures_json.num("utilisation", u);
    } else {
      rep.figures.emplace_back("utilisation", "not measured: the server exports no '" + o.busy_metric + "'");
      rep.figures_json.null("utilisation");
      rep.notes.push_back(url ? "the server exports no busy-seconds counter '" + o.busy_metric + "'"
                              : "no metrics address, nothing to scrape");
      if (!busy_err.empty()) rep.notes.push_back(busy_err);
    }
    if (auto in_scripts = delta(sum0, sum1)) {
      const double share = *in_scripts / wall;
      rep.figures.emplace_back("script share", fmt(share * 100, 1) + " % of wall time inside scripts (" + sum_metric +
                                                   "; finished scripts only, lane overhead excluded)");
      rep.figures_json.num("script_time_share", share);
    }
    if (auto runs = delta(runs0, runs1)) {
      rep.figures.emplace_back("scripts", fmt(*runs, 0) + " finished in " + fmt(wall, 2) + " s (" + fmt(*runs / wall, 2) +
                                              "/s)");
      rep.figures_json.num("scripts", *runs).num("scripts_per_second", *runs / wall);
    }
    rep.figures_json.num("window_seconds", wall);
  }

  if (rep.run.drain_timed_out) rep.notes.push_back("gave up waiting for some measured answers (--drain-timeout)");
  rep.ended = server.stop(std::chrono::milliseconds(10000));
  if (o.json) print_json(rep);
  else print_text(rep);
  return rep.run.drain_timed_out ? 1 : 0;
}

}  // namespace
}  // namespace bench

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  const auto opts = bench::parse(argc, argv);
  try {
    return bench::run_scenario(opts);
  } catch (const std::exception& e) {
    std::cerr << "takt-loadgen: " << e.what() << "\n";
    return 1;
  }
}
