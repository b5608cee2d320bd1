// One script call, from lock to result.
//
// Overlap detection: a call first takes flock(LOCK_EX | LOCK_NB) on PATH.sim-lock and
// keeps it until its result is written. If another things-sim holds it, the two calls'
// lifetimes intersect, which Things punishes with AppleEvent time-outs: things-sim counts
// an overlap (TaktSim "overlaps", waiting up to 10 s for the database) and exits 3 without
// touching anything else. The kernel drops the lock when a process ends, however it ends,
// and the lock is released explicitly just after the result is written and before the
// process closes stdout, so a server that starts the next call once it has read the
// result and seen the process exit can never get a false overlap.
//
// While holding the lock, the call sleeps its simulated latency with no SQLite transaction
// open, so the server's concurrent reads and an overlapping process's counter write never
// wait on it; then it runs the script in one transaction, and sleeps the per-op cost of
// the Apple events it sent after the commit.
//
// Injected faults, in the order a call meets them: the "not running" window (--down-file:
// fails at once, changes nothing, and the next call after the window pays --launch-ms,
// Things starting up), the latency, a hang (--hang-rate), an "AppleEvent timed out"
// failure (--fail-rate), and a crash (--crash-rate: SIGKILL before the ops, inside their
// transaction, or after the commit before the result is printed; the first two change
// nothing, the third leaves the ops applied with no result, as when osascript dies after
// Things carried out the event).
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

#include "init.hpp"
#include "lock.hpp"
#include "osascript.hpp"
#include "sim.hpp"

namespace takt::sim {

namespace {

constexpr auto hang_duration = std::chrono::hours(1);

std::mt19937_64 make_engine(const std::optional<std::uint64_t>& seed) {
  if (seed) return std::mt19937_64(*seed);
  std::random_device device;
  std::seed_seq seq{device(), device(), device(), device()};
  return std::mt19937_64(seq);
}

int draw_ms(std::mt19937_64& engine, const MsRange& range) {
  return std::uniform_int_distribution<int>(range.min_ms, range.max_ms)(engine);
}

bool draw_event(std::mt19937_64& engine, double probability) {
  return std::bernoulli_distribution(probability)(engine);
}

enum class CrashPoint { none, before_ops, in_transaction, after_commit };

// What fate awaits this call, drawn in a fixed order so --seed reproduces it.
struct Fate {
  std::chrono::milliseconds cost{0};
  bool hang = false;
  bool fail = false;
  CrashPoint crash = CrashPoint::none;
  std::chrono::milliseconds launch{0};
};

Fate draw_fate(std::mt19937_64& engine, const Options& options) {
  Fate fate;
  fate.cost = std::chrono::milliseconds(draw_ms(engine, options.latency));
  fate.hang = draw_event(engine, options.hang_rate);
  fate.fail = draw_event(engine, options.fail_rate);
  if (draw_event(engine, options.crash_rate)) {
    fate.crash = static_cast<CrashPoint>(std::uniform_int_distribution<int>(1, 3)(engine));
  }
  fate.launch = std::chrono::milliseconds(draw_ms(engine, options.launch));
  return fate;
}

// Dies the way a crashing process does: no cleanup, no result, the kernel drops the locks
// and SQLite rolls back whatever was not committed.
[[noreturn]] void crash(const char* where) {
  std::fprintf(stderr, "things-sim: injected crash %s\n", where);
  std::fflush(stderr);
  ::kill(::getpid(), SIGKILL);
  std::abort();  // not reached
}

bool down(const Options& options) {
  std::error_code ec;
  return !options.down_file.empty() && std::filesystem::exists(options.down_file, ec);
}

}  // namespace

struct ScriptCall::State {
  Options options;
  std::optional<FileLock> lock;
  std::optional<Database> db;
};

ScriptCall::ScriptCall(const Options& options) : state_(std::make_unique<State>()) {
  state_->options = options;
  const std::string& path = options.db_path;
  state_->lock = FileLock::try_lock(path + ".sim-lock");
  ensure_database(path);
  state_->db.emplace(path, Database::OpenMode::existing);
  Database& db = *state_->db;
  ensure_bookkeeping(db);
  if (!state_->lock) {
    bump_counter(db, "overlaps");
    throw OverlapError("OVERLAP: another script is running against " + path);
  }
  bump_counter(db, "calls");
}

ScriptCall::~ScriptCall() = default;

// The script is compiled before anything else (a syntax error changes nothing, and is no
// call Things sees: no latency, no fault); an injected failure is an `execution error`
// as osascript prints it; the per-op cost is drawn per Apple event the script sent and
// slept after the commit (no transaction open).
ScriptCall::AppleScriptResult ScriptCall::run_applescript(std::string_view script_text) {
  AppleScriptResult result;
  as::Script script;
  if (auto error = model::syntax_error(script_text, script)) {
    result.err = *error + "\n";
    result.exit_code = 1;
    return result;
  }
  Database& db = *state_->db;
  const Options& options = state_->options;
  auto injected = [&](const char* message) {
    bump_counter(db, "failures");
    result.err = std::string("execution error: ") + message + "\n";
    result.exit_code = 1;
    return result;
  };
  if (down(options)) {
    set_flag(db, "launch_pending");
    return injected("Things3 got an error: Application isn\xE2\x80\x99t running. (-600)");
  }
  std::mt19937_64 engine = make_engine(options.seed);
  const Fate fate = draw_fate(engine, options);
  // Taken before the wait: if this call is killed while Things starts, the next one finds
  // it running.
  if (take_flag(db, "launch_pending") && fate.launch.count() > 0) std::this_thread::sleep_for(fate.launch);
  if (fate.cost.count() > 0) std::this_thread::sleep_for(fate.cost);
  if (fate.hang) std::this_thread::sleep_for(hang_duration);  // a wedged Things: the caller's time-out kills us
  if (fate.fail) return injected("Things3 got an error: AppleEvent timed out. (-1712)");
  if (fate.crash != CrashPoint::none) bump_counter(db, "failures");  // committed before dying
  if (fate.crash == CrashPoint::before_ops) crash("before the ops");
  model::ModelConfig config;
  config.locale = options.locale;
  config.url_lag_min_ms = options.url_lag.min_ms;
  config.url_lag_max_ms = options.url_lag.max_ms;
  config.event_fail_rate = options.event_fail_rate;
  config.seed = options.seed;
  std::function<void()> before_commit;
  if (fate.crash == CrashPoint::in_transaction) before_commit = [] { crash("inside the transaction"); };
  const model::Outcome outcome = model::run_script(db.handle(), script, config, before_commit);
  std::int64_t per_op_ms = 0;
  for (std::int64_t i = 0; i < outcome.events && options.per_op.max_ms > 0; ++i) per_op_ms += draw_ms(engine, options.per_op);
  if (per_op_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(per_op_ms));
  if (fate.crash == CrashPoint::after_commit) crash("after the commit, before the result");
  result.out = outcome.out;
  result.err = outcome.err;
  result.exit_code = outcome.exit_code;
  result.urls_pending = outcome.urls_pending;
  return result;
}

void ScriptCall::release() {
  state_->db.reset();
  if (state_->lock) state_->lock->release();
}

}  // namespace takt::sim
