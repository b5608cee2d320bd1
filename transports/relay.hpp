#pragma once
/// The stdio side of one takt for all clients: a takt that a client starts over stdio
/// looks for a running `takt --daemon` of the same user (its Unix socket,
/// transports/local_socket.hpp) and, when that daemon serves the same Things database,
/// passes its client's messages to it and the daemon's back, line for line. The client
/// then shares the daemon's one AppleScript lane, cache and leveling with every other.
///
/// The relay remembers which requests it passed on and are not answered yet. When its
/// client's input ends it waits for those answers, then leaves. When the daemon goes away
/// first, each of them is answered with an error saying so (a write among them may or may
/// not have been done: nothing answered as done is ever lost, since the daemon finishes
/// what it started), and the relay ends with a failure, so the client restarts it.

#include <string>

#include "base/config.hpp"

namespace takt {

enum class RelayOutcome {
  NoDaemon,    ///< nobody listens at the socket: serve the client here
  Refused,     ///< a daemon listens, for another database (why says which): serve here
  Finished,    ///< the client's input ended and every request was answered
  DaemonLost,  ///< the daemon went away; the requests in flight were answered so
};

struct RelayResult {
  RelayOutcome outcome = RelayOutcome::NoDaemon;
  std::string why;
};

/// Joins the daemon at `socket_path` when it serves `database`; stdin and stdout are not
/// touched unless it does. Then relays until the end (Finished or DaemonLost). `limits`:
/// the longest line taken from the client (a longer one is answered here, as takt would).
RelayResult relay_stdio(const std::string& socket_path, const std::string& database, const ServerConfig& limits);

}  // namespace takt
