#pragma once
/// The checks every HTTP request to /mcp passes before it reaches a session: which hosts
/// and origins are local (DNS rebinding), the bearer token, what the client accepts, and
/// the session ids takt hands out. Pure functions over header values (no sockets), so
/// each rule is tested on its own; thread-safe.

#include <string>
#include <string_view>

namespace takt::http {

/// `localhost` (and names under it), 127.0.0.0/8, `::1` (with or without brackets).
bool is_loopback_host(std::string_view host);
/// A `Host` header (`host[:port]`, `[v6]:port`) without its port, brackets removed.
std::string_view host_of(std::string_view host_header);
/// Whether a request's `Host` names this server: a loopback name, or `bind_host` itself
/// when takt listens on a specific non-loopback address. A page on a foreign name that
/// resolves to 127.0.0.1 (DNS rebinding) sends its own name and is refused.
bool host_allowed(std::string_view host_header, std::string_view bind_host);
/// Whether an `Origin` (`scheme://host[:port]`) is a page served from this machine:
/// http or https on a loopback host. `null` and every other origin are foreign.
bool origin_allowed(std::string_view origin);
/// Whether `Authorization` is `Bearer <token>` (scheme case-insensitive), compared in
/// time independent of where the two differ.
bool bearer_matches(std::string_view authorization, std::string_view token);

/// What an `Accept` header allows of the two answers a POST may get. An absent header,
/// `*/*` and `application/*` allow JSON; `text/*` allows the event stream.
struct Accepts {
  bool json = false;
  bool sse = false;
};
Accepts parse_accept(std::string_view accept);

/// A new session id: 128 bits from the kernel's CSPRNG (getrandom), as 32 hex digits.
/// Throws std::system_error when the kernel gives none.
std::string new_session_id();

/// The bearer token kept in `path`: the file must be a regular file of this user that no
/// one else may read or write (mode 0600 or 0400), and hold a token of at least 16
/// characters (surrounding white space is dropped). Throws std::runtime_error saying what
/// is wrong otherwise.
std::string read_token_file(const std::string& path);

}  // namespace takt::http
