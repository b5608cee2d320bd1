#pragma once
/// The error numbers osascript reports (`execution error: MESSAGE (NUMBER)`), known in
/// this one place: the explanations users read (applescript.cpp), the retry and circuit
/// breaker decisions of the AppleScript lane (nodes/), all name them from here.
/// Pure functions and constants; thread-safe.

#include <string>
#include <string_view>

namespace takt::things::osa {

inline constexpr long kCancelled = -128;            ///< the user cancelled the script
inline constexpr long kNotRunning = -600;           ///< application isn't running (also while it starts)
inline constexpr long kConnectionInvalid = -609;    ///< connection invalid: the application quit
inline constexpr long kNotUnderstood = -1708;       ///< the application did not understand the event
inline constexpr long kTimedOut = -1712;            ///< AppleEvent timed out: Things busy or a dialog open
inline constexpr long kCantGet = -1719;             ///< invalid index: no such element
inline constexpr long kNoSuchObject = -1728;        ///< no such object
inline constexpr long kNotAuthorized = -1743;       ///< not authorized to send Apple events (Automation)
inline constexpr long kNeedsConsent = -1744;        ///< would need the user's consent (Automation)
inline constexpr long kNotFound = -2700;            ///< the application could not be found
inline constexpr long kSyntaxError = -2740;         ///< the script does not compile
inline constexpr long kSyntaxError2 = -2741;        ///< the script does not compile (expected ...)
inline constexpr long kEventFailed = -10000;        ///< Apple event handler failed
inline constexpr long kLaunchFailed = -10810;       ///< the application could not be launched
inline constexpr long kAppNotFound = -10814;        ///< no application with that name

/// Whether `text` mentions error `code` the way osascript writes it: `(-1712)`.
inline bool mentions(std::string_view text, long code) {
  return text.find("(" + std::to_string(code) + ")") != std::string_view::npos;
}

/// Things cannot be reached right now (not running, quit, starting): worth another try.
inline bool not_running(std::string_view text) {
  return mentions(text, kNotRunning) || mentions(text, kConnectionInvalid);
}

/// Things itself is not answering or not allowed to be controlled: a failure of the
/// backend (for the circuit breaker), not of one operation.
inline bool backend_down(std::string_view text) {
  for (long code : {kNotRunning, kConnectionInvalid, kTimedOut, kNotAuthorized, kLaunchFailed, kAppNotFound, kNotFound})
    if (mentions(text, code)) return true;
  return false;
}

}  // namespace takt::things::osa
