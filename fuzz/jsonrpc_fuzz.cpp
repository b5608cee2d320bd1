// The JSON-RPC reader as takt applies it to stdin: LineReader splits the byte stream into
// lines (dropping lines over the size limit without buffering them), then every line goes
// through mcp::parse_message with the nesting limit. Input: a byte for the size limit, a
// byte for the nesting limit, a byte for the size of each read, then the stream.
//
// Checks: the lines delivered are exactly a reference split of the stream (no line over
// the limit, an over-long line reported once as oversized); parse_message gives a message
// or an error, never both, never neither; an accepted message nests no deeper than the
// limit and has an object or no params; the error reply takt would send is valid JSON.

#include <rapidjson/document.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "check.hpp"
#include "base/json.hpp"
#include "mcp/jsonrpc.hpp"
#include "transports/stdio.hpp"

namespace {

using takt::fuzz::Input;

struct Line {
  std::string text;
  bool oversized = false;
  bool operator==(const Line&) const = default;
};

/// What LineReader must deliver: '\n'-separated lines, one trailing CR dropped, empty lines
/// skipped, lines over `max` reported as oversized with no text.
std::vector<Line> reference_split(std::string_view stream, std::size_t max) {
  std::vector<Line> out;
  while (!stream.empty()) {
    const auto nl = stream.find('\n');
    std::string_view line = stream.substr(0, nl);
    stream.remove_prefix(nl == std::string_view::npos ? stream.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() > max) out.push_back({{}, true});
    else if (!line.empty()) out.push_back({std::string(line), false});
  }
  return out;
}

unsigned depth_of(const rapidjson::Value& v) {
  unsigned d = 0;
  if (v.IsObject())
    for (const auto& m : v.GetObject()) d = std::max(d, depth_of(m.value));
  else if (v.IsArray())
    for (const auto& e : v.GetArray()) d = std::max(d, depth_of(e));
  else
    return 0;
  return d + 1;
}

void check_parse(const std::string& line, unsigned max_depth) {
  const auto r = takt::mcp::parse_message(line, max_depth);
  TAKT_FUZZ_CHECK(r.message.has_value() != r.error.has_value(), "a message or an error, exactly one");
  if (r.error) {
    const auto reply = takt::mcp::make_error(r.id, *r.error);
    rapidjson::Document d;
    d.Parse<rapidjson::kParseValidateEncodingFlag>(reply.data(), reply.size());
    TAKT_FUZZ_CHECK(!d.HasParseError() && d.IsObject(), "the error reply is JSON: " + reply);
    return;
  }
  // Accepted text is UTF-8 (a whole byte order mark in front may be skipped), so nothing
  // that is not reaches the tools or comes back in a reply.
  const std::size_t bom = line.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  TAKT_FUZZ_CHECK(takt::fuzz::valid_utf8(std::string_view(line).substr(bom)), "an accepted message is UTF-8");
  const auto& m = *r.message;
  TAKT_FUZZ_CHECK(m.doc && depth_of(*m.doc) <= max_depth, "accepted nesting within the limit");
  TAKT_FUZZ_CHECK(m.params == nullptr || m.params->IsObject(), "params is an object when present");
  if (m.kind == takt::mcp::Message::Kind::Request) TAKT_FUZZ_CHECK(!m.id.empty(), "a request has an id");
  if (m.kind != takt::mcp::Message::Kind::Response) TAKT_FUZZ_CHECK(!m.method.empty(), "a method");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Input in(data, size);
  const std::size_t max_line = 1 + in.byte() * 8;  // 1 .. 2041 bytes
  const unsigned max_depth = 1 + in.byte() % 80;
  const std::string_view stream = in.rest();
  // Bytes per read: 1 .. 256, but at most 64 writes, so the socket's buffer never fills.
  const std::size_t chunk = std::max<std::size_t>(1 + in.byte(), (stream.size() + 63) / 64);

  // A SEQPACKET socket hands the reader one write per read, so lines cross reads as the
  // fuzzer chooses.
  int fds[2];
  TAKT_FUZZ_CHECK(::socketpair(AF_UNIX, SOCK_SEQPACKET, 0, fds) == 0, "socketpair");
  for (std::size_t at = 0; at < stream.size(); at += chunk) {
    const auto n = std::min(chunk, stream.size() - at);
    TAKT_FUZZ_CHECK(::write(fds[1], stream.data() + at, n) == static_cast<ssize_t>(n), "write to the socket");
  }
  ::close(fds[1]);

  std::vector<Line> got;
  {
    takt::LineReader reader(fds[0], max_line);
    reader.run([&](std::string line, bool oversized) {
      TAKT_FUZZ_CHECK(line.size() <= max_line, "a delivered line is within the limit");
      TAKT_FUZZ_CHECK(std::find(line.begin(), line.end(), '\n') == line.end(), "no newline inside a line");
      got.push_back({line, oversized});
      if (!oversized) check_parse(line, max_depth);
      return true;
    });
  }
  ::close(fds[0]);
  TAKT_FUZZ_CHECK(got == reference_split(stream, max_line), "LineReader splits like the reference");
  return 0;
}
