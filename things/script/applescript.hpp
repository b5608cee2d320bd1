#pragma once
/// The macOS path: typed operations rendered as AppleScript for `osascript -` (Things 3's
/// AppleScript dictionary), with the things:/// URL scheme (things/url.hpp) for what
/// AppleScript cannot do, and osascript's answers and errors read back in words that name
/// the cause and the fix. Pure functions apart from the auth-token look-up handed in;
/// thread-safe.

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "things/script/ops.hpp"

namespace takt::things {

/// Where the URL scheme's auth token comes from (the database's TMSettings); nullopt when
/// Things URLs are not enabled. Throws (a std::exception saying why) when the database
/// cannot be read: the operation that needs the token then fails saying so.
using AuthTokenFn = std::function<std::optional<std::string>()>;

/// Things 3's AppleScript dictionary, for `osascript -` (and things-sim, which runs the
/// same script). Each operation runs in a `try` block of its own and prints one line: the
/// id of the item it created or changed, or `takt-error NUMBER MESSAGE`; an error of
/// Things itself (not running, timed out, not allowed) stops the script instead.
/// Built-in lists are named by id, so the script works in every language of Things.
class AppleScriptDialect final : public Dialect {
 public:
  explicit AppleScriptDialect(TodayFn today, AuthTokenFn token = {}) : today_(std::move(today)), token_(std::move(token)) {}
  std::string render(const std::vector<Operation>& ops) const override;
  std::string render(const std::vector<Operation>& ops, const ReadBack& after) const override;
  std::vector<OpResult> parse(const ScriptOutput& out, std::size_t op_count) const override;
  std::optional<std::string> unsupported(const Operation& op) const override;
  /// Every auth token a script of this dialect carried, as `<auth-token>`.
  std::string redact(std::string text) const override;

 private:
  std::string render_with(const std::vector<Operation>& ops, const ReadBack* after) const;
  TodayFn today_;
  AuthTokenFn token_;
  mutable std::mutex mu_;
  mutable std::vector<std::string> secrets_;  ///< the tokens used so far (one, unless the user changes it)
};

/// An AppleScript expression that evaluates to exactly `text`, whatever it holds: a
/// quoted literal with `\` and `"` escaped, line breaks joined in as `linefeed`/`return`.
std::string applescript_string(const std::string& text);

/// The whole osascript script for one operation, as AppleScriptDialect renders it (also
/// for the fuzzer). `auth_token` is used where the URL scheme is needed; without one,
/// such an operation fails in the script with a message saying how to enable it.
std::string render_applescript(const Operation& op, const Date& today,
                               const std::optional<std::string>& auth_token = std::nullopt);

/// osascript's error text (`execution error: ... (-1743)`) in words that name the cause
/// and the fix: automation permission denied, Things not running, no such item, ...
std::string explain_osascript_error(std::string_view text);

}  // namespace takt::things
