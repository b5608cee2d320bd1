// Running one AppleScript against a Things database the way `osascript` would: the
// script is compiled first (a syntax error changes nothing), queued URL-scheme changes
// that are due land before it runs, then it runs with ThingsApp as application
// "Things3". The result is what osascript prints: the value as text on stdout, or
// "execution error: MESSAGE (NUMBER)" on stderr with exit status 1. The script's changes
// stay when it fails part-way, as Things keeps the Apple events it already carried out.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "parser.hpp"
#include "things_model.hpp"

namespace takt::sim::model {

struct Outcome {
  std::string out;  // stdout
  std::string err;  // stderr
  int exit_code = 0;
  std::int64_t events = 0;    // Apple events sent to Things
  bool urls_pending = false;  // URL-scheme changes still queued after the run
};

// Compiles the script; on failure the osascript message ("syntax error: ...").
std::optional<std::string> syntax_error(std::string_view source, as::Script& script);

// Runs a compiled script. before_commit runs after the script, before its last commit
// (the fault injection's "inside the transaction" crash point).
Outcome run_script(sqlite3* db, const as::Script& script, const ModelConfig& config,
                   const std::function<void()>& before_commit = {});

// Compiles and runs (for tests and the fuzzer).
Outcome run_source(sqlite3* db, std::string_view source, const ModelConfig& config);

}  // namespace takt::sim::model
