#pragma once
/// The macOS path: typed operations rendered as AppleScript for `osascript -` (Things 3's
/// AppleScript dictionary), and osascript's answers read back. Pure functions; thread-safe.

#include <optional>
#include <string>

#include "things/ops.hpp"

namespace takt::things {

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
/// quoted literal with `\\` and `"` escaped, line breaks joined in as `linefeed`/`return`.
std::string applescript_string(const std::string& text);

}  // namespace takt::things
