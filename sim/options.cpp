// Command line and environment of things-sim.
#include <charconv>
#include <cmath>
#include <map>
#include <system_error>

#include "dates.hpp"
#include "sim.hpp"

namespace takt::sim {

namespace {

// Latencies above a day are certainly a typo.
constexpr int max_ms = 86'400'000;

enum class Flag {
  db, init, stats, help, latency, per_op, fail_rate, hang_rate, crash_rate, down_file, launch, seed, locale, url_lag,
  event_fail_rate, line,
  generate, today
};

struct FlagSpec {
  Flag flag;
  bool takes_value;
  const char* env;  // environment variable that supplies the same option, or nullptr
};

const std::map<std::string, FlagSpec, std::less<>>& flag_table() {
  static const std::map<std::string, FlagSpec, std::less<>> table = {
      {"--db", {Flag::db, true, "THINGS_SIM_DB"}},
      {"--init", {Flag::init, false, nullptr}},
      {"--stats", {Flag::stats, false, nullptr}},
      {"--help", {Flag::help, false, nullptr}},
      {"-h", {Flag::help, false, nullptr}},
      {"--latency-ms", {Flag::latency, true, "THINGS_SIM_LATENCY_MS"}},
      {"--per-op-ms", {Flag::per_op, true, "THINGS_SIM_PER_OP_MS"}},
      {"--fail-rate", {Flag::fail_rate, true, "THINGS_SIM_FAIL_RATE"}},
      {"--hang-rate", {Flag::hang_rate, true, "THINGS_SIM_HANG_RATE"}},
      {"--crash-rate", {Flag::crash_rate, true, "THINGS_SIM_CRASH_RATE"}},
      {"--down-file", {Flag::down_file, true, "THINGS_SIM_DOWN_FILE"}},
      {"--launch-ms", {Flag::launch, true, "THINGS_SIM_LAUNCH_MS"}},
      {"--seed", {Flag::seed, true, "THINGS_SIM_SEED"}},
      {"--locale", {Flag::locale, true, "THINGS_SIM_LOCALE"}},
      {"--url-lag-ms", {Flag::url_lag, true, "THINGS_SIM_URL_LAG_MS"}},
      {"--event-fail-rate", {Flag::event_fail_rate, true, "THINGS_SIM_EVENT_FAIL_RATE"}},
      {"-e", {Flag::line, true, nullptr}},
      {"--generate", {Flag::generate, true, nullptr}},
      {"--today", {Flag::today, true, nullptr}},
  };
  return table;
}

int parse_ms(std::string_view text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) {
    throw UsageError("expected a whole number of milliseconds, got \"" + std::string(text) + "\"");
  }
  if (value < 0 || value > max_ms) {
    throw UsageError("milliseconds out of range 0.." + std::to_string(max_ms) + ": " + std::string(text));
  }
  return value;
}

std::uint64_t parse_seed(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) {
    throw UsageError("expected a non-negative integer seed, got \"" + std::string(text) + "\"");
  }
  return value;
}

void apply_value(Options& options, Flag flag, const std::string& value) {
  switch (flag) {
    case Flag::db:
      if (value.empty()) throw UsageError("the database path is empty");
      options.db_path = value;
      break;
    case Flag::latency:
      options.latency = parse_ms_range(value);
      break;
    case Flag::per_op:
      options.per_op = parse_ms_range(value);
      break;
    case Flag::fail_rate:
      options.fail_rate = parse_probability(value);
      break;
    case Flag::hang_rate:
      options.hang_rate = parse_probability(value);
      break;
    case Flag::crash_rate:
      options.crash_rate = parse_probability(value);
      break;
    case Flag::event_fail_rate:
      options.event_fail_rate = parse_probability(value);
      break;
    case Flag::down_file:
      options.down_file = value;  // empty: no "not running" window
      break;
    case Flag::launch:
      options.launch = parse_ms_range(value);
      break;
    case Flag::seed:
      options.seed = parse_seed(value);
      break;
    case Flag::locale:
      if (value != "en" && value != "de" && value != "es" && value != "ru") {
        throw UsageError("unknown locale \"" + value + "\" (en, de, es or ru)");
      }
      options.locale = value;
      break;
    case Flag::url_lag:
      options.url_lag = parse_ms_range(value);
      break;
    case Flag::line:
      options.script_lines.push_back(value);
      break;
    case Flag::generate: {
      const std::uint64_t items = parse_seed(value);
      if (items < 50 || items > 10'000'000) throw UsageError("expected a number of items from 50 to 10000000");
      options.generate_items = static_cast<std::int64_t>(items);
      break;
    }
    case Flag::today:
      if (!parse_iso_date(value)) throw UsageError("expected a date YYYY-MM-DD, got \"" + value + "\"");
      options.today = value;
      break;
    case Flag::init:
    case Flag::stats:
    case Flag::help:
      break;
  }
}

void set_mode(Options& options, Mode mode, std::string_view name) {
  if (options.mode != Mode::run_script && options.mode != mode) {
    throw UsageError("--init, --stats, --help and --generate cannot be combined (got " + std::string(name) + ")");
  }
  options.mode = mode;
}

// Splits "--name=value" into name and value.
std::pair<std::string, std::optional<std::string>> split_argument(const std::string& arg) {
  const auto equals = arg.find('=');
  if (arg.rfind("--", 0) != 0 || equals == std::string::npos) return {arg, std::nullopt};
  return {arg.substr(0, equals), arg.substr(equals + 1)};
}

// Fills options from the environment; returns nothing, flags given later override.
void apply_environment(Options& options, const EnvLookup& env) {
  for (const auto& [name, spec] : flag_table()) {
    if (spec.env == nullptr) continue;
    const auto value = env(spec.env);
    if (!value) continue;
    try {
      apply_value(options, spec.flag, *value);
    } catch (const UsageError& error) {
      throw UsageError(std::string("bad value in ") + spec.env + ": " + error.what());
    }
  }
}

}  // namespace

MsRange parse_ms_range(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) {
    const int value = parse_ms(text);
    return {value, value};
  }
  const MsRange range{parse_ms(text.substr(0, colon)), parse_ms(text.substr(colon + 1))};
  if (range.min_ms > range.max_ms) {
    throw UsageError("range MIN:MAX has MIN > MAX: \"" + std::string(text) + "\"");
  }
  return range;
}

double parse_probability(std::string_view text) {
  double value = 0.0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty() || !std::isfinite(value) ||
      value < 0.0 || value > 1.0) {
    throw UsageError("expected a probability between 0 and 1, got \"" + std::string(text) + "\"");
  }
  return value;
}

Options parse_options(const std::vector<std::string>& args, const EnvLookup& env) {
  Options options;
  apply_environment(options, env);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto [name, inline_value] = split_argument(args[i]);
    if (args[i].empty() || args[i][0] != '-' || args[i] == "-") {
      // The script file, as osascript takes it ("-": stdin); arguments after it are the
      // script's (not used: takt passes none).
      if (options.script_file.empty() && args[i] != "-") options.script_file = args[i];
      break;
    }
    const auto found = flag_table().find(name);
    if (found == flag_table().end()) {
      throw UsageError("unknown option \"" + args[i] + "\" (see --help)");
    }
    const FlagSpec& spec = found->second;
    if (!spec.takes_value) {
      if (inline_value) throw UsageError(name + " takes no value");
      set_mode(options, spec.flag == Flag::init    ? Mode::init
                        : spec.flag == Flag::stats ? Mode::stats
                                                   : Mode::help,
               name);
      continue;
    }
    std::string value;
    if (inline_value) {
      value = *inline_value;
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      throw UsageError(name + " needs a value");
    }
    try {
      if (spec.flag == Flag::generate) set_mode(options, Mode::generate, name);
      apply_value(options, spec.flag, value);
    } catch (const UsageError& error) {
      throw UsageError("bad value for " + name + ": " + error.what());
    }
  }
  if (options.today && options.mode != Mode::generate) throw UsageError("--today goes with --generate only");
  if (options.mode != Mode::help && options.db_path.empty()) {
    throw UsageError("missing --db PATH (see --help)");
  }
  return options;
}

std::string usage_text() {
  return R"(Usage: things-sim --db PATH [options] [-e LINE ...] [SCRIPT-FILE | -]

A stand-in for `osascript` driving Things 3, for takt on Linux. Each run executes ONE
script against the SQLite database PATH (Things 3's schema) and exits. The script comes
from -e lines, else SCRIPT-FILE, else stdin. AppleScript runs as osascript runs it: the
result as text on stdout; an error as `execution error: MESSAGE (NUMBER)` or
`syntax error: ...` on stderr, with exit status 1.

Modes:
  (default)            run the script on stdin (creates and seeds PATH if missing)
  --init               create PATH with demo data if it does not exist, then exit
  --stats              print {"calls":N,"overlaps":M,"failures":F} and exit, with "shown":[...] once show ran
  --help, -h           print this help
  --generate N         write a NEW database PATH of about N items shaped like a heavy
                       user's (years of logbook, hundreds of projects, tags, checklists,
                       repeating to-dos, trash; see sim/generate.hpp), then exit. The
                       same N, --seed (default 1) and --today give the same database.
  --today YYYY-MM-DD   with --generate: the day the data is relative to (default: today)

Options (each also read from the environment; the command line wins):
  --db PATH            database file                              THINGS_SIM_DB
  --latency-ms MIN:MAX fixed cost per call, default 200:800       THINGS_SIM_LATENCY_MS
  --per-op-ms MIN:MAX  extra cost per Apple event, default 0:0    THINGS_SIM_PER_OP_MS
  --fail-rate P        probability of "AppleEvent timed out"      THINGS_SIM_FAIL_RATE
  --hang-rate P        probability of hanging for one hour        THINGS_SIM_HANG_RATE
  --crash-rate P       probability of dying by SIGKILL mid-script THINGS_SIM_CRASH_RATE
                       (before the ops, inside their transaction, or after the
                       commit before the result: one of the three at random)
  --down-file FILE     while FILE exists, every call fails with   THINGS_SIM_DOWN_FILE
                       Application isn't running (-600)
  --launch-ms MIN:MAX  extra cost of the first call after such a  THINGS_SIM_LAUNCH_MS
                       window (Things starting), default 0
  --seed N             seed for latency and fault draws           THINGS_SIM_SEED
  --locale LANG        en, de, es or ru: the built-in lists'      THINGS_SIM_LOCALE
                       names as Things shows them, default en
  --url-lag-ms MIN:MAX how long a things:/// URL opened by a      THINGS_SIM_URL_LAG_MS
                       script takes to land, default 500:3000
  --event-fail-rate P  probability that one Apple event of a      THINGS_SIM_EVENT_FAIL_RATE
                       script (a command, or setting or getting a property) fails
                       with "AppleEvent timed out" (-1712), what Things does under
                       rapid events; the events before it stay applied
  -e LINE              one line of AppleScript (repeatable)
  A single number N means N:N.

Exit codes: 0 ran, 1 failed (syntax or execution error, injected failure, I/O error),
2 bad usage, 3 overlap (another script was running against PATH; counted in --stats).
An injected crash ends the process by SIGKILL. Injected failures and crashes count as "failures".
)";
}

}  // namespace takt::sim
