// takt: an MCP server for Things 3. Start-up reads top to bottom: command line, config,
// logging, metrics, backend, graph, transport; then it serves until stdin closes or a
// signal comes, and shuts down in reverse: stop reading, drain the graph, flush stdout.

#include <signal.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>
#include <vector>

#include "app/config.hpp"
#include "app/log_sink.hpp"
#include "base/version.hpp"
#include "pipeline/pipeline.hpp"
#include "things/script/applescript.hpp"
#include "things/os/runner.hpp"
#include "transports/http/pipeline_ingress.hpp"
#include "transports/http/policy.hpp"
#include "transports/http/server.hpp"
#include "transports/local_socket.hpp"
#include "transports/relay.hpp"
#include "transports/stdio.hpp"

namespace fs = std::filesystem;
using namespace takt;

namespace {

constexpr const char* kUsage = R"(takt: an MCP server for Things 3, every request through one leveled pipeline.

usage: takt [--config FILE]        serve MCP over stdio (the way desktop AI clients start it);
                                   when a takt serving all of this user's clients runs for
                                   the same database, relay this client to it instead
       takt [--config FILE] --http HOST:PORT [--stdio]
                                   serve MCP over Streamable HTTP at http://HOST:PORT/mcp,
                                   one takt for several clients (also over stdio with
                                   --stdio); http.listen in the file does the same.
                                   Without --stdio it also serves stdio clients' takts
                                   through a Unix socket (relay.socket)
       takt --daemon [--config FILE]
                                   only that: serve the takts stdio clients start, until
                                   SIGTERM, SIGINT or SIGHUP
       takt --check-config FILE    validate a configuration file and exit (repeat the
                                   option to check several; exit 2 if any is wrong)
       takt --help | --version     (alone)

Without --config, takt reads $TAKT_CONFIG if set, else runs on built-in defaults: on
Linux that is things-sim, a stand-in for Things 3 with demo data, so every tool works
at once. config/takt.yaml documents every setting.

Over HTTP, a token in $TAKT_HTTP_TOKEN (or http.token_file) is asked of every client
as "Authorization: Bearer <token>"; takt listens on an address other than loopback
only with one.

Exit codes: 0 clean shutdown, 1 start-up failure, 2 bad command line or configuration.
)";

std::string home() {
  const char* h = std::getenv("HOME");
  return h ? h : ".";
}

fs::path self_dir() {
  std::error_code ec;
  auto exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::current_path() : exe.parent_path();
}

std::string default_sim_database() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  fs::path dir = xdg && *xdg ? fs::path(xdg) / "takt" : fs::path(home()) / ".local/share/takt";
  return (dir / "things-sim.sqlite").string();
}

std::string range_arg(const MillisRange& r) { return std::to_string(r.min.count()) + ":" + std::to_string(r.max.count()); }

/// The user's private runtime directory: backend.lock_dir, else $XDG_RUNTIME_DIR/takt,
/// else /tmp/takt-UID. Created with mode 0700 when missing.
std::string runtime_dir(const Config& cfg) {
  std::string dir = cfg.backend.lock_dir;
  if (dir.empty()) {
    const char* run = std::getenv("XDG_RUNTIME_DIR");
    dir = run && *run ? std::string(run) + "/takt" : "/tmp/takt-" + std::to_string(::geteuid());
  }
  ensure_private_dir(dir);
  return dir;
}

/// Where a takt --daemon listens and a stdio takt looks for one.
std::string relay_socket(const Config& cfg) {
  return cfg.relay.socket.empty() ? runtime_dir(cfg) + "/takt.sock" : cfg.relay.socket;
}

/// The database the configuration names, or the backend's default.
std::string configured_database(const Config& cfg) {
  if (!cfg.backend.database.empty()) return cfg.backend.database;
  return cfg.backend.kind == "osascript" ? things::find_things_database(home()) : default_sim_database();
}

/// The machine-wide lock of the AppleScript lane, in the user's private runtime directory:
/// one for Things 3, one per database for things-sim (each is its own "Things").
std::shared_ptr<const MachineLock> make_lock(const Config& cfg, const std::string& sim_database) {
  const std::string dir = runtime_dir(cfg);
  if (sim_database.empty()) return std::make_shared<MachineLock>(dir + "/things3.lock");
  std::uint64_t h = 14695981039346656037ull;  // FNV-1a: the same name in every takt build
  for (unsigned char c : fs::weakly_canonical(sim_database).string()) h = (h ^ c) * 1099511628211ull;
  char name[48];
  std::snprintf(name, sizeof name, "/things-sim-%016llx.lock", static_cast<unsigned long long>(h));
  return std::make_shared<MachineLock>(dir + name);
}

/// AppleScript for Things, with the URL scheme's auth token read from `database` when a
/// script needs it (a database takt cannot read makes that operation say so).
std::shared_ptr<const things::Dialect> applescript_for(const std::string& database) {
  auto settings = std::make_shared<things::ThingsDb>(database, 1, &things::local_today);
  return std::make_shared<things::AppleScriptDialect>(&things::local_today, [settings] { return settings->auth_token(); });
}

/// Resolves the backend from the config; for things-sim, creates its database (with demo
/// data) on first start. Both run the same AppleScript: they differ only in the program
/// that runs it and the database it acts on. Throws std::runtime_error with a message for
/// the user.
Backend make_backend(const Config& cfg) {
  Backend b;
  b.kind = cfg.backend.kind;
  if (b.kind == "osascript") {
    b.database = configured_database(cfg);
    b.command = {"/usr/bin/osascript", {"-"}};
    b.label = "Things 3 via osascript";
    b.dialect = applescript_for(b.database);
    b.lock = make_lock(cfg, "");
    return b;
  }
  const auto sim = cfg.backend.sim_path.empty() ? (self_dir() / "things-sim").string() : cfg.backend.sim_path;
  b.database = configured_database(cfg);
  // takt makes its own default place; a configured database's directory must exist (a
  // typo in the path would otherwise grow a tree of directories and a fresh demo database).
  const auto parent = fs::absolute(b.database).parent_path();
  if (cfg.backend.database.empty()) fs::create_directories(parent);
  else if (!fs::is_directory(parent))
    throw std::runtime_error("backend.database: the directory " + parent.string() + " of " + b.database +
                             " does not exist; create it, or correct the path");
  b.command = {sim,
               {"--db", b.database, "--latency-ms", range_arg(cfg.backend.sim_latency), "--per-op-ms",
                range_arg(cfg.backend.sim_per_op), "--fail-rate", std::to_string(cfg.backend.sim_fail_rate),
                "--hang-rate", std::to_string(cfg.backend.sim_hang_rate)}};
  // Left unset, things-sim's own defaults (or its THINGS_SIM_* environment) hold.
  if (!cfg.backend.sim_locale.empty()) b.command.args.insert(b.command.args.end(), {"--locale", cfg.backend.sim_locale});
  if (cfg.backend.sim_url_lag)
    b.command.args.insert(b.command.args.end(), {"--url-lag-ms", range_arg(*cfg.backend.sim_url_lag)});
  b.command.args.push_back("-");  // the script on stdin, as osascript takes it
  b.label = "things-sim (" + sim + ")";
  b.dialect = applescript_for(b.database);
  b.lock = make_lock(cfg, b.database);
  // Once things-sim has exited, what its Apple events did is in the database (a URL sent
  // through `open` lands later, as on a Mac; takt reads it back until it shows).
  b.writes_settle_on_exit = true;
  auto init = things::run_script({sim, {"--db", b.database, "--init"}}, "", Millis{30000});
  if (!init.started || init.timed_out || init.exit_code != 0)
    throw std::runtime_error("cannot prepare the things-sim database at " + b.database + ": " +
                             things::describe_failure(init));
  return b;
}

/// The HTTP side's options from the config and environment; throws std::runtime_error
/// saying why takt must not serve (a bad token file, no token off loopback).
http::ServerOptions http_options(const Config& cfg) {
  const auto at = parse_listen(cfg.http.listen);
  if (!at) throw std::runtime_error("http.listen: '" + cfg.http.listen + "' is not host:port");
  http::ServerOptions o;
  o.host = at->host;
  o.port = at->port;
  o.limits = cfg.http;
  o.max_body_bytes = cfg.server.max_message_bytes;
  o.max_json_depth = cfg.server.max_json_depth;
  if (const char* env = std::getenv("TAKT_HTTP_TOKEN"); env && *env) {
    o.token = env;
    if (o.token.size() < 16) throw std::runtime_error("TAKT_HTTP_TOKEN: the token must have at least 16 characters");
  } else if (!cfg.http.token_file.empty()) {
    o.token = http::read_token_file(cfg.http.token_file);
  }
  if (o.token.empty() && !http::is_loopback_host(o.host))
    throw std::runtime_error("refusing to serve HTTP on " + cfg.http.listen +
                             ", an address other machines can reach, without a token: set TAKT_HTTP_TOKEN or "
                             "http.token_file, or listen on 127.0.0.1");
  return o;
}

/// A takt started over stdio relays its client to a running takt --daemon of the same
/// database. Returns the exit code when it did; nullopt when this takt serves the client.
std::optional<int> try_relay(const Config& cfg) {
  std::string socket;
  try {
    socket = relay_socket(cfg);
  } catch (const std::exception& e) {
    spdlog::warn("not looking for a shared takt: {}", e.what());
    return std::nullopt;
  }
  std::string database;
  try {
    database = configured_database(cfg);
  } catch (const std::exception&) {
    return std::nullopt;  // serving here says what is wrong with it
  }
  const auto r = relay_stdio(socket, database, cfg.server);
  switch (r.outcome) {
    case RelayOutcome::NoDaemon:
      return std::nullopt;
    case RelayOutcome::Refused:
      spdlog::info("a shared takt runs at {}, but {}: serving this client here", socket, r.why);
      return std::nullopt;
    case RelayOutcome::Finished:
      return 0;
    case RelayOutcome::DaemonLost:
      return 1;
  }
  return std::nullopt;
}

int serve(const Config& cfg, bool with_stdio) {
  const bool with_http = !cfg.http.listen.empty();
  std::optional<http::ServerOptions> http_opts;
  if (with_http) {
    try {
      http_opts = http_options(cfg);
    } catch (const std::exception& e) {
      std::cerr << "takt: " << e.what() << "\n";
      return 1;
    }
  }
  auto mcp_sink = std::make_shared<McpLogSink>();
  try {
    spdlog::set_default_logger(make_logger(cfg.logging, mcp_sink));
    if (!cfg.logging.file.empty()) spdlog::flush_every(std::chrono::seconds(1));  // tail -f sees lines soon
  } catch (const spdlog::spdlog_ex& e) {
    std::cerr << "takt: cannot write the log file " << cfg.logging.file << ": " << e.what() << "\n";
    return 1;
  }
  things::ignore_sigpipe();
  // A takt a client started over stdio joins a takt that serves all clients, if one runs.
  if (with_stdio && !with_http && cfg.relay.join) {
    if (auto code = try_relay(cfg)) {
      spdlog::shutdown();
      return *code;
    }
  }

  // Signals are taken by one thread with sigwait; every other thread has them blocked.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  sigaddset(&signals, SIGUSR2);  // takt's own wake-up of the signal thread at shutdown
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  Metrics metrics;
  std::string metrics_at = "off";
  if (cfg.metrics.enabled) {
    std::string why;
    if (auto url = metrics.serve(cfg.metrics.listen, why)) metrics_at = *url;
    else spdlog::warn("metrics not served: cannot listen on {} ({}); set metrics.listen to a free port", cfg.metrics.listen, why);
  }

  Backend backend;
  try {
    backend = make_backend(cfg);
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
  things::ThingsDb db(backend.database, cfg.pipeline.db_readers, &things::local_today);
  Admission admission(cfg.server.max_in_flight);
  Services services(cfg, metrics, db, backend, admission);
  if (!services.db_access.check(db)) {
    if (cfg.tools.reads_via == ReadsVia::Database)
      spdlog::warn("{} (reads will fail until this is fixed; health_check reports it)", services.db_access.why());
    else if (cfg.tools.reads_via == ReadsVia::Auto)
      spdlog::warn("{} (until it can, takt reads Things through AppleScript and confirms writes through it; "
                   "health_check reports it)", services.db_access.why());
  }
  Pipeline pipeline(services);

  // stdio: the way desktop clients start takt; HTTP: one takt for several clients.
  std::shared_ptr<LineWriter> writer;
  std::optional<LineReader> reader;
  std::shared_ptr<Session> session;
  if (with_stdio) {
    writer = std::make_shared<LineWriter>(STDOUT_FILENO);
    reader.emplace(STDIN_FILENO, cfg.server.max_message_bytes, cfg.server.replies_per_write);
    session = std::make_shared<Session>(writer);
    mcp_sink->attach(session);
  }
  http::PipelineIngress ingress(pipeline);
  std::optional<http::Server> web;
  if (with_http) {
    // What the server counts, without a label per session (ids are unbounded).
    auto& http_messages = metrics.messages.Add({{"transport", "http"}});
    auto& sessions_open = metrics.http_sessions.Add({});
    auto& backlog_wait = metrics.http_backlog_wait.Add({}, Metrics::lock_wait_buckets());
    http::Observer observer{
        [&metrics](int status) { metrics.http_responses.Add({{"code", std::to_string(status)}}).Increment(); },
        [&sessions_open](long open) { sessions_open.Set(static_cast<double>(open)); },
        [&backlog_wait](double seconds) { backlog_wait.Observe(seconds); },
        [&http_messages] { http_messages.Increment(); }};
    web.emplace(*http_opts, ingress, [mcp_sink](const std::shared_ptr<Session>& s) { mcp_sink->attach(s); },
                std::move(observer));
    try {
      web->start();
    } catch (const std::exception& e) {
      spdlog::critical("{}", e.what());
      return 1;
    }
  }

  // A takt that serves no stdio client of its own serves the takts that stdio clients
  // start: they relay through its socket (transports/relay.hpp).
  std::optional<LocalSocketServer> relay;
  if (!with_stdio) {
    auto& relay_messages = metrics.messages.Add({{"transport", "relay"}});
    try {
      relay.emplace(pipeline, relay_socket(cfg), backend.database, cfg.server,
                    [mcp_sink](const std::shared_ptr<Session>& s) { mcp_sink->attach(s); },
                    [&relay_messages] { relay_messages.Increment(); });
      relay->start();
    } catch (const std::exception& e) {
      // takt --daemon is there for this alone; a takt serving HTTP goes on without it (for
      // instance while another takt, of another database, serves this user's stdio clients).
      if (!with_http) {
        spdlog::critical("{}", e.what());
        return 1;
      }
      spdlog::warn("not serving the takts stdio clients start: {}", e.what());
      relay.reset();
    }
  }

  std::mutex stop_mu;
  std::condition_variable stop_cv;
  bool stop_requested = false;
  const auto request_stop = [&] {
    {
      std::lock_guard lock(stop_mu);
      stop_requested = true;
    }
    stop_cv.notify_all();
    if (reader) reader->stop();
  };
  std::thread signal_thread([&] {
    int sig = 0;
    while (sigwait(&signals, &sig) == 0) {
      if (sig == SIGUSR2) return;  // our own wake-up at shutdown
      spdlog::info("signal {}: finishing accepted requests, then exiting", sig);
      request_stop();
    }
  });

  if (with_stdio) spdlog::info("takt {} serving MCP over stdio", kVersion);
  if (web)
    spdlog::info("takt {} serving MCP over HTTP at {}{}", kVersion, web->url(),
                 http_opts->token.empty() ? "" : " (a bearer token is required)");
  if (relay)
    spdlog::info("takt {} serving every client of this user: stdio clients' takts relay through {}", kVersion,
                 relay->path());
  spdlog::info("backend: {}; database: {}; lock: {}", backend.label, backend.database, backend.lock->path());
  spdlog::info("metrics: {}; config: {}", metrics_at, cfg.source.empty() ? "built-in defaults" : cfg.source);
  if (with_stdio && isatty(STDIN_FILENO)) {
    spdlog::info("stdin is a terminal: takt expects an MCP client on stdin/stdout, one JSON-RPC message per line.");
    // Both hints start takt the way it runs now: with the configuration it was given.
    const auto config_file = cfg.source.empty() ? std::string() : fs::absolute(cfg.source).string();
    spdlog::info("connect a desktop client with: {{\"mcpServers\":{{\"things\":{{\"command\":\"{}\",\"args\":[{}]}}}}}}",
                 (self_dir() / "takt").string(),
                 config_file.empty() ? "" : "\"--config\",\"" + config_file + "\"");
    spdlog::info("or try it: npx @modelcontextprotocol/inspector --cli --method tools/list -- {}{}",
                 (self_dir() / "takt").string(), config_file.empty() ? "" : " --config '" + config_file + "'");
  }

  if (with_stdio) {
    // The writer is held while one batch of lines is handled (those of one read, at most
    // server.replies_per_write of them), so their replies leave in one write; a client
    // with many requests in flight gets the first replies while takt handles the rest.
    // While the reader waits for a slot the writer is not held: the held replies go out,
    // and so do replies other threads make meanwhile (a slot is freed only once its reply
    // is written, so holding those back would wait forever).
    const auto flush = [&](bool waiting) { waiting ? writer->release() : writer->hold(); };
    auto& stdio_messages = metrics.messages.Add({{"transport", "stdio"}});
    reader->run(
        [&](std::string line, bool oversized) {
          stdio_messages.Increment();
          return pipeline.submit(session, std::move(line), oversized, flush);
        },
                [&](bool begin) { begin ? writer->hold() : writer->release(); });
    spdlog::info("input closed: finishing accepted requests");
    if (web) request_stop();  // over both, closing stdin ends takt as it always did
  } else {
    std::unique_lock lock(stop_mu);
    stop_cv.wait(lock, [&] { return stop_requested; });
  }
  // In reverse: no new messages, every admitted one answered, the last replies written.
  if (web) web->stop_ingress();
  if (relay) relay->stop();
  pipeline.drain();
  if (web) web->stop();
  if (relay) relay->close();
  if (writer) writer->close();
  pthread_kill(signal_thread.native_handle(), SIGUSR2);
  signal_thread.join();
  // The watcher logs from its own thread: stopped before the loggers go, as the process
  // ends below without running destructors.
  services.watcher.reset();
  spdlog::info("takt stopped cleanly");
  // Every reply is written and every accepted write finished by now. Ending the process
  // here skips the metrics exposer's teardown: civetweb polls in 2 s quanta, and a
  // graceful stop would add that to every shutdown a client waits for.
  spdlog::shutdown();
  std::fflush(nullptr);
  std::_Exit(0);
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path;
  if (const char* env = std::getenv("TAKT_CONFIG"); env && *env) config_path = env;
  const auto usage_error = [](const std::string& why) {
    std::cerr << "takt: " << why << "\n\n" << kUsage;
    return 2;
  };
  std::optional<std::string> given_config;
  std::vector<std::string> to_check;
  std::optional<std::string> http_listen;
  bool with_stdio = false, daemon = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h" || arg == "--version") {
      // Alone only: `takt --version extra` would otherwise ignore what came with it.
      if (argc != 2) return usage_error(arg + " takes no other arguments");
      if (arg == "--version") std::cout << kName << " " << kVersion << "\n";
      else std::cout << kUsage;
      return 0;
    }
    if (arg == "--http" && i + 1 < argc) {
      if (http_listen) return usage_error("--http is given twice");
      http_listen = argv[++i];
      if (!parse_listen(*http_listen)) return usage_error("--http takes HOST:PORT, such as 127.0.0.1:8765");
      continue;
    }
    if (arg == "--stdio") {
      with_stdio = true;
      continue;
    }
    if (arg == "--daemon") {
      if (daemon) return usage_error("--daemon is given twice");
      daemon = true;
      continue;
    }
    if ((arg == "--config" || arg == "--check-config") && i + 1 < argc) {
      if (arg == "--check-config") {
        to_check.emplace_back(argv[++i]);  // may be repeated: every file is checked
      } else {
        if (given_config) return usage_error("--config is given twice");
        given_config = argv[++i];
      }
      continue;
    }
    return usage_error("unknown or incomplete option '" + arg + "'");
  }
  if (!to_check.empty()) {
    if (given_config || http_listen || with_stdio || daemon)
      return usage_error(
          "--check-config checks files and serves nothing: it does not go with --config, --http, --stdio or --daemon");
    int status = 0;
    for (const auto& path : to_check) {
      try {
        load_config_file(path);
        std::cout << path << ": ok\n";
      } catch (const ConfigError& e) {
        std::cerr << e.what() << "\n";
        status = 2;
      }
    }
    return status;
  }
  if (daemon && with_stdio) return usage_error("--daemon serves no stdio client of its own: it does not go with --stdio");
  if (given_config) config_path = *given_config;
  Config cfg;
  try {
    if (!config_path.empty()) cfg = load_config_file(config_path);
  } catch (const ConfigError& e) {
    std::cerr << "takt: " << e.what() << "\n";
    return 2;
  }
  if (http_listen) cfg.http.listen = *http_listen;  // the command line wins over the file
  // Over HTTP only, unless --stdio asks for both; without HTTP, stdio as always.
  if (cfg.http.listen.empty() && !daemon) with_stdio = true;
  return serve(cfg, with_stdio);
}
