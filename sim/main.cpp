// things-sim: see sim.hpp for what it simulates and `things-sim --help` for the usage.
// stdout carries only the script's result (or --stats / --help output); the script's
// errors go to stderr as osascript prints them, every other diagnostic as
// "things-sim: <message>".
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "generate.hpp"
#include "sim.hpp"
#include "url_scheme.hpp"

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

std::string read_file(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) throw takt::sim::UsageError("cannot read the script file " + path);
  std::string text;
  char buffer[65536];
  std::size_t got = 0;
  while ((got = std::fread(buffer, 1, sizeof buffer, file)) > 0) text.append(buffer, got);
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) throw takt::sim::UsageError("cannot read the script file " + path);
  return text;
}

// The script as osascript takes it: -e lines, else the file, else stdin.
std::string script_source(const takt::sim::Options& options) {
  if (!options.script_lines.empty()) {
    std::string text;
    for (const std::string& line : options.script_lines) text += line + "\n";
    return text;
  }
  if (!options.script_file.empty()) return read_file(options.script_file);
  return read_stdin();
}

ExitCode run_script(const takt::sim::Options& options) {
  const std::string source = script_source(options);
  takt::sim::ScriptCall call(options);
  const auto result = call.run_applescript(source);
  write_stdout(result.out);
  if (!result.err.empty()) {
    std::fwrite(result.err.data(), 1, result.err.size(), stderr);
    std::fflush(stderr);
  }
  call.release();  // before stdout closes at exit: see calls.cpp
  // URL-scheme changes still to land: a detached applier sees them in after the lag.
  if (result.urls_pending) takt::sim::model::spawn_url_applier(options.db_path);
  return result.exit_code == 0 ? ExitCode::ok : ExitCode::failure;
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
      return run_script(options);
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
  } catch (const takt::sim::OverlapError& error) {
    return fail(ExitCode::overlap, error.what());
  } catch (const std::exception& error) {
    return fail(ExitCode::failure, error.what());
  }
}
