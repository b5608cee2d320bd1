#pragma once
/// Runs one script as a child process: the script on its stdin, its answer read from
/// stdout and stderr. Blocking: call it from the AppleScript lane's own thread, never
/// from a TBB worker. Each call is independent; thread-safe.

#include <functional>
#include <string>
#include <vector>

#include "base/config.hpp"
#include "things/script/ops.hpp"

namespace takt::things {

/// The program that runs scripts (osascript, or things-sim) and its arguments.
struct ScriptCommand {
  std::string program;
  std::vector<std::string> args;
  /// A descriptor the script inherits (the AppleScript lane's machine-wide lock), so the
  /// lock stays held for as long as the script lives, even if takt dies first. -1: none.
  int keep_fd = -1;
};

/// Starts `cmd` in a process group of its own, writes `script` to it, and collects its
/// output. When `timeout` passes, the whole group is killed and `timed_out` is set. While
/// it runs, `abandon` (if set) is asked every 20 ms; when it says yes, the group is killed
/// and `abandoned` is set. On Linux the script is killed (SIGKILL) if the thread that
/// started it dies, so a takt killed mid-script leaves no script running behind it.
ScriptOutput run_script(const ScriptCommand& cmd, const std::string& script, Millis timeout,
                        const std::function<bool()>& abandon = {});

/// Ignore SIGPIPE process-wide, so a script that exits without reading its stdin does not
/// kill takt. Call once at start-up.
void ignore_sigpipe();

}  // namespace takt::things
