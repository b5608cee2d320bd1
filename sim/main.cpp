// things-sim: see sim.hpp for what it simulates and `things-sim --help` for the usage.
// stdout carries only the result JSON (or --stats / --help output); every diagnostic goes
// to stderr as "things-sim: <message>".
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "generate.hpp"
#include "sim.hpp"

namespace {

using takt::sim::ExitCode;

std::optional<std::string> getenv_lookup(std::string_view name) {
  const char* value = std::getenv(std::string(name).c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::string read_stdin() {
  std::string text;
  char buffer[65536];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, stdin)) > 0) text.append(buffer, got);
  if (std::ferror(stdin) != 0) throw std::runtime_error("cannot read the script from stdin");
  return text;
}

void write_stdout(const std::string& text) {
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
    throw std::runtime_error("cannot write the result to stdout");
  }
}

void run_script(const takt::sim::Options& options) {
  takt::sim::ScriptCall call(options);
  const std::string result = call.run(read_stdin());
  write_stdout(result);
  call.release();  // before stdout closes at exit: see calls.cpp
}

ExitCode run(const std::vector<std::string>& args) {
  const takt::sim::Options options = takt::sim::parse_options(args, getenv_lookup);
  switch (options.mode) {
    case takt::sim::Mode::help:
      write_stdout(takt::sim::usage_text());
      break;
    case takt::sim::Mode::init:
      takt::sim::ensure_database(options.db_path);
      break;
    case takt::sim::Mode::stats:
      write_stdout(takt::sim::stats_json(takt::sim::read_stats(options.db_path)));
      break;
    case takt::sim::Mode::generate: {
      takt::sim::GenerateSpec spec;
      spec.items = options.generate_items;
      spec.seed = options.seed.value_or(1);
      spec.today = options.today ? *takt::sim::parse_iso_date(*options.today) : takt::sim::local_today();
      takt::sim::generate_database(options.db_path, spec);
      break;
    }
    case takt::sim::Mode::run_script:
      run_script(options);
      break;
  }
  return ExitCode::ok;
}

int fail(ExitCode code, const std::string& message) {
  std::cerr << "things-sim: " << message << std::endl;
  return static_cast<int>(code);
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  try {
    return static_cast<int>(run(args));
  } catch (const takt::sim::UsageError& error) {
    return fail(ExitCode::usage, std::string(error.what()));
  } catch (const takt::sim::ScriptError& error) {
    return fail(ExitCode::usage, std::string("malformed script: ") + error.what());
  } catch (const takt::sim::OverlapError& error) {
    return fail(ExitCode::overlap, error.what());
  } catch (const takt::sim::InjectedFailure& error) {
    return fail(ExitCode::failure, error.what());
  } catch (const std::exception& error) {
    return fail(ExitCode::failure, error.what());
  }
}
