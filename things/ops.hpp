#pragma once
/// Typed write operations on Things, and the dialects that turn them into a script for
/// the AppleScript lane: JSON for things-sim, AppleScript for osascript on a Mac.
/// Pure functions; thread-safe.

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "things/dates.hpp"

namespace takt::things {

/// Create one to-do. `when` is today, evening, anytime, someday or YYYY-MM-DD.
struct AddTodo {
  std::string title;
  std::optional<std::string> notes, when, deadline, project, area, heading;
  std::vector<std::string> tags, checklist;
};

/// A read run as a script (tools.reads_via: applescript): the tool and its arguments.
struct ReadOp {
  std::string tool;
  std::string args_json;
};

using Operation = std::variant<AddTodo, ReadOp>;

/// The outcome of one operation of a script.
struct OpResult {
  bool ok = false;
  std::string id;      ///< the item created or changed
  std::string error;   ///< why it failed, in words for the user
  std::string result;  ///< for reads: the structured result, JSON text
};

/// What running one script gave back.
struct ScriptOutput {
  int exit_code = 0;
  bool timed_out = false;
  bool abandoned = false;  ///< stopped because every request waiting for it was cancelled
  bool started = true;
  std::string out, err;
  int signal = 0;  ///< the signal that ended the script (a crash, or takt's kill), else 0
};

/// How takt speaks to a backend: the program to start per script, the script text for a
/// list of operations, and how to read the program's output back into one result per op.
class Dialect {
 public:
  virtual ~Dialect() = default;
  virtual std::string render(const std::vector<Operation>& ops) const = 0;
  virtual std::vector<OpResult> parse(const ScriptOutput& out, std::size_t op_count) const = 0;
  /// Why this backend cannot carry out `op` (naming the field), or nullopt when it can.
  virtual std::optional<std::string> unsupported(const Operation&) const { return std::nullopt; }
};

/// things-sim's dialect: {"ops":[...]} in, {"results":[...]} out.
class SimDialect final : public Dialect {
 public:
  std::string render(const std::vector<Operation>& ops) const override;
  std::vector<OpResult> parse(const ScriptOutput& out, std::size_t op_count) const override;
};

/// Things 3's AppleScript dictionary, for `osascript -`: one id per line out.
class AppleScriptDialect final : public Dialect {
 public:
  explicit AppleScriptDialect(TodayFn today) : today_(std::move(today)) {}
  std::string render(const std::vector<Operation>& ops) const override;
  std::vector<OpResult> parse(const ScriptOutput& out, std::size_t op_count) const override;
  std::optional<std::string> unsupported(const Operation& op) const override;

 private:
  TodayFn today_;
};

/// An AppleScript expression that evaluates to exactly `text`, whatever it holds: a
/// quoted literal with `\` and `"` escaped, line breaks joined in as `linefeed`/`return`.
std::string applescript_string(const std::string& text);

/// The message for a script that failed as a whole (did not start, timed out, or exited
/// non-zero), in words for the user.
std::string describe_failure(const ScriptOutput& out);

}  // namespace takt::things
