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
// While holding the lock, the call sleeps its simulated cost (latency + per-op time) with
// no SQLite transaction open, so the server's concurrent reads and an overlapping
// process's counter write never wait on it; then it applies the ops in one short
// transaction.
#include <chrono>
#include <random>
#include <thread>

#include "file_lock.hpp"
#include "init.hpp"
#include "ops.hpp"
#include "script.hpp"
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

// What fate awaits this call, drawn in a fixed order so --seed reproduces it.
struct Fate {
  std::chrono::milliseconds cost{0};
  bool hang = false;
  bool fail = false;
};

Fate draw_fate(std::mt19937_64& engine, const Options& options, std::size_t op_count) {
  Fate fate;
  std::int64_t ms = draw_ms(engine, options.latency);
  for (std::size_t i = 0; i < op_count; ++i) ms += draw_ms(engine, options.per_op);
  fate.cost = std::chrono::milliseconds(ms);
  fate.hang = draw_event(engine, options.hang_rate);
  fate.fail = draw_event(engine, options.fail_rate);
  return fate;
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

std::string ScriptCall::run(std::string_view script_text) {
  const std::vector<Op> ops = parse_script(script_text);
  std::mt19937_64 engine = make_engine(state_->options.seed);
  const Fate fate = draw_fate(engine, state_->options, ops.size());
  if (fate.cost.count() > 0) std::this_thread::sleep_for(fate.cost);
  if (fate.hang) {
    // Like a wedged Things: the server's time-out has to kill us.
    std::this_thread::sleep_for(hang_duration);
  }
  Database& db = *state_->db;
  if (fate.fail) {
    bump_counter(db, "failures");
    throw InjectedFailure("Things3 got an error: AppleEvent timed out. (-1712)");
  }
  const Clock clock{local_today(), unix_now()};
  return results_json(apply_ops(db, ops, clock));
}

void ScriptCall::release() {
  state_->db.reset();
  if (state_->lock) state_->lock->release();
}

}  // namespace takt::sim
