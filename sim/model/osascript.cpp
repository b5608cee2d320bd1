#include "osascript.hpp"

#include "url_scheme.hpp"

namespace takt::sim::model {

std::optional<std::string> syntax_error(std::string_view source, as::Script& script) {
  try {
    script = as::parse(source);
    return std::nullopt;
  } catch (const as::SyntaxError& error) {
    return "syntax error: " + error.message + " (line " + std::to_string(error.line) + ") (-2741)";
  }
}

Outcome run_script(sqlite3* db, const as::Script& script, const ModelConfig& config,
                   const std::function<void()>& before_commit) {
  Outcome outcome;
  Sql sql(db);
  apply_due_urls(sql);
  ThingsApp app(db, config);
  as::Interpreter interpreter(app);
  app.begin();
  try {
    const as::Value result = interpreter.run(script);
    if (result.kind != as::Kind::nothing) outcome.out = as::osascript_text(result) + "\n";
  } catch (const as::ScriptError& error) {
    outcome.err = "execution error: " + error.message + " (" + std::to_string(error.number) + ")\n";
    outcome.exit_code = 1;
  } catch (const as::LimitError& error) {
    outcome.err = "execution error: things-sim: " + error.message + " (-2700)\n";
    outcome.exit_code = 1;
  }
  std::string log;
  for (const std::string& line : interpreter.log_lines()) log += line + "\n";
  outcome.err = log + outcome.err;
  if (before_commit) before_commit();
  app.commit();
  outcome.events = app.events();
  outcome.urls_pending = sql.one("SELECT 1 FROM TaktSimPendingURL LIMIT 1").has_value();
  return outcome;
}

Outcome run_source(sqlite3* db, std::string_view source, const ModelConfig& config) {
  as::Script script;
  if (auto error = syntax_error(source, script)) {
    Outcome outcome;
    outcome.err = *error + "\n";
    outcome.exit_code = 1;
    return outcome;
  }
  return run_script(db, script, config);
}

}  // namespace takt::sim::model
