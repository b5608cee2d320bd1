// things-sim: a stand-in for `osascript` + Things 3, so takt can be developed and tested on
// Linux. takt spawns one things-sim process per script, exactly as it would spawn one
// osascript per AppleScript on macOS. The script is AppleScript, run as osascript runs it
// against Things' object model (sim/README.md, sim/applescript, sim/model), on a SQLite
// database with Things 3's real schema: the result as text on stdout, an uncaught error
// as `execution error: MESSAGE (NUMBER)` or `syntax error: ...` on stderr. Like Things,
// it punishes concurrent scripts: a call that starts while another one runs against the
// same database is an OVERLAP (exit 3, counted).
//
// Exit codes:
//   0  the script ran (errors it caught itself included)
//   1  the script failed as osascript fails: a syntax error (nothing changed), an uncaught
//      execution error, an injected failure ("AppleEvent timed out", "Application isn't
//      running"); or an I/O or SQLite error of the sim itself
//   (killed by SIGKILL: an injected crash, --crash-rate)
//   2  bad command line (nothing run)
//   3  overlap: another things-sim was running a script against the same database
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace takt::sim {

enum class ExitCode : int { ok = 0, failure = 1, usage = 2, overlap = 3 };

// Bad command line or environment value (exit 2).
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Another things-sim holds the script lock of the same database (exit 3).
class OverlapError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// An inclusive range of milliseconds, drawn uniformly.
struct MsRange {
  int min_ms = 0;
  int max_ms = 0;
};

enum class Mode { run_script, init, stats, help, generate };

struct Options {
  Mode mode = Mode::run_script;
  std::string db_path;
  MsRange latency{200, 800};  // fixed cost of every script call
  MsRange per_op{0, 0};       // extra cost of every Apple event the script sends
  double fail_rate = 0.0;     // probability of an injected AppleEvent time-out
  double hang_rate = 0.0;     // probability of hanging for an hour
  double crash_rate = 0.0;    // probability of dying (SIGKILL) mid-script
  std::string down_file;      // while this file exists, Things "isn't running"
  MsRange launch{0, 0};       // extra cost of the first call after a "not running" window
  std::optional<std::uint64_t> seed;  // for latency and fault draws (not for uuids); --generate's seed
  std::int64_t generate_items = 0;    // --generate N: write a heavy database of about N items
  std::optional<std::string> today;   // --today YYYY-MM-DD: the day --generate's data is relative to
  // AppleScript (osascript stand-in): the language Things shows its lists in, and how
  // long a things:/// URL takes to land in the database.
  std::string locale = "en";
  MsRange url_lag{500, 3000};
  double event_fail_rate = 0.0;  // each Apple event fails with -1712 (Things under rapid events)
  // The script, as osascript takes it: -e lines, else a file, else stdin.
  std::vector<std::string> script_lines;
  std::string script_file;
};

// Returns the value of an environment variable, or nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;

// Parses the command line (without argv[0]); environment variables fill in what the
// command line leaves out. Throws UsageError.
Options parse_options(const std::vector<std::string>& args, const EnvLookup& env);
std::string usage_text();

// "MIN:MAX" or "N" (meaning N:N), non-negative integers with MIN <= MAX.
MsRange parse_ms_range(std::string_view text);
// A probability in [0, 1].
double parse_probability(std::string_view text);

// Creates the database at `path` (schema, WAL, Meta, TMSettings, demo data) unless a file
// is already there. Safe against concurrent callers. Returns true if it created it.
bool ensure_database(const std::string& path);

struct Stats {
  std::int64_t calls = 0;
  std::int64_t overlaps = 0;
  std::int64_t failures = 0;
  /// What `show` showed, oldest first, as "class id" ("to do abc", "list TMTodayListSource").
  std::vector<std::string> shown;
};
// Counters from the TaktSim table; all zero for a database that does not exist yet.
Stats read_stats(const std::string& path);
std::string stats_json(const Stats& stats);

// One script call. The constructor takes the database's script lock (or counts an overlap
// and throws OverlapError), initialises a missing database and counts the call.
// run_applescript() compiles the script, sleeps the simulated latency, injects faults and
// runs it against the database in one transaction. The lock is held until release() or
// destruction, so the caller writes the result before releasing it.
class ScriptCall {
 public:
  explicit ScriptCall(const Options& options);
  ~ScriptCall();
  ScriptCall(const ScriptCall&) = delete;
  ScriptCall& operator=(const ScriptCall&) = delete;

  // Runs an AppleScript as osascript would: what to print on stdout and stderr, and the
  // exit status (0, or 1 for a syntax or execution error, injected failures included).
  struct AppleScriptResult {
    std::string out;
    std::string err;
    int exit_code = 0;
    bool urls_pending = false;
  };
  AppleScriptResult run_applescript(std::string_view script_text);
  void release();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace takt::sim
