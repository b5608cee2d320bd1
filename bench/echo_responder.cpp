// takt-echo-responder: the physical floor of MCP over stdio on this machine.
//
// Reads newline-delimited JSON-RPC on stdin and answers every request with
// {"jsonrpc":"2.0","id":<same id>,"result":{}}, `initialize` with a minimal MCP result.
// Notifications (no id) and responses get nothing. No JSON document is built: the id is
// found by walking the top-level members (bench/wire.hpp). All complete lines of one read
// are answered with one write, so the cost per message is close to that of the pipe
// itself. What a load generator measures against it is the price of two process wake-ups
// through pipes, and the most any stdio server could do.

#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "bench/wire.hpp"

namespace {

constexpr std::string_view kDefaultVersion = "2025-11-25";

bool write_all(const char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(STDOUT_FILENO, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

// Appends the answer to one line (if it is a request) to `out`.
void answer(const char* b, const char* e, std::string& out) {
  bench::wire::Span id, method, params;
  bench::wire::for_each_member(b, e, [&](std::string_view k, const char* v, const char* end) -> const char* {
    const char* ve = bench::wire::skip_value(v, end);
    const bench::wire::Span val(v, static_cast<std::size_t>(ve - v));
    if (k == "id") id = val;
    else if (k == "method") method = val;
    else if (k == "params") params = val;
    return ve;
  });
  if (id.empty() || method.empty() || id == "null") return;  // a notification or a response
  out += R"({"jsonrpc":"2.0","id":)";
  out += id;
  if (bench::wire::unquote(method) == "initialize") {
    auto version = bench::wire::unquote(params.empty() ? bench::wire::Span{} : bench::wire::member(params, "protocolVersion"));
    if (version.empty()) version = kDefaultVersion;
    out += R"(,"result":{"protocolVersion":")";
    out += version;
    out += R"(","capabilities":{"tools":{}},"serverInfo":{"name":"takt-echo-responder","version":"0.1.0"}}})";
    out += '\n';
    return;
  }
  out += ",\"result\":{}}\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) {
    std::fprintf(stderr,
                 "usage: %s\n  answers newline-delimited JSON-RPC on stdin with empty results (the stdio floor)\n",
                 argv[0]);
    return std::string_view(argv[1]) == "--help" ? 0 : 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  std::string in(1 << 16, '\0');
  std::size_t have = 0;  // bytes in `in` not yet consumed
  std::string out;
  out.reserve(1 << 16);
  while (true) {
    if (have == in.size()) in.resize(in.size() * 2);  // a line longer than the buffer
    const ssize_t n = ::read(STDIN_FILENO, in.data() + have, in.size() - have);
    if (n < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (n == 0) break;
    const std::size_t scanned_from = have;
    have += static_cast<std::size_t>(n);
    char* const base = in.data();
    std::size_t start = 0;
    const char* nl = static_cast<const char*>(std::memchr(base + scanned_from, '\n', have - scanned_from));
    while (nl) {
      const char* e = nl;
      if (e > base + start && e[-1] == '\r') --e;
      answer(base + start, e, out);
      start = static_cast<std::size_t>(nl - base) + 1;
      nl = static_cast<const char*>(std::memchr(base + start, '\n', have - start));
    }
    if (!out.empty()) {
      if (!write_all(out.data(), out.size())) return 1;
      out.clear();
    }
    if (start > 0) {
      std::memmove(base, base + start, have - start);
      have -= start;
    }
  }
  return 0;
}
