// Hostile input (issue 6): deeply nested JSON, huge numbers, long strings, invalid UTF-8
// and odd encodings get clear errors, never a crash or an unbounded allocation. The
// fuzzers (fuzz/, `make fuzz`) search for more; these are the cases named, and the bugs
// the fuzzers found, pinned.

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "app/config.hpp"
#include "base/json.hpp"
#include "mcp/jsonrpc.hpp"
#include "things/catalog/catalog.hpp"
#include "things/script/applescript.hpp"
#include "things/catalog/tools.hpp"
#include "support/probe_dialect.hpp"
#include "transports/stdio.hpp"

using namespace takt;

namespace {

mcp::ParseResult parse(std::string_view line) { return mcp::parse_message(std::string(line), 64); }

/// The parse error for `line`, or "" when it parsed.
std::string parse_error(std::string_view line) {
  auto r = parse(line);
  if (!r.error) return "";
  EXPECT_EQ(r.error->code, mcp::kParseError) << r.error->message;
  return r.error->message;
}

std::string with_id(const std::string& id_json) { return R"({"jsonrpc":"2.0","id":)" + id_json + R"(,"method":"ping"})"; }

/// check_arguments of `tool` with `args_json` (the catalogue's own checks).
std::optional<std::string> check(const std::string& tool, const std::string& args_json) {
  rapidjson::Document args;
  args.Parse(args_json.c_str(), args_json.size());
  EXPECT_FALSE(args.HasParseError()) << args_json;
  static const test::ProbeDialect any;
  return things::check_arguments(*things::find_tool(tool), args, any);
}

}  // namespace

TEST(HostileInput, DeepNestingIsRefusedBeforeParsingAndFast) {
  const std::string deep = std::string(1'000'000, '[') + std::string(1'000'000, ']');
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(parse_error(deep), "Parse error: nesting deeper than 64 levels");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));
  EXPECT_EQ(parse_error(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":)" + std::string(64, '[') +
                        std::string(64, ']') + "}}"),
            "Parse error: nesting deeper than 64 levels");
  // Brackets inside strings do not count.
  EXPECT_TRUE(parse(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":")" + std::string(1000, '[') + R"("}})")
                  .message);
}

TEST(HostileInput, HugeNumbersAreErrorsNotOverflow) {
  EXPECT_NE(parse_error(with_id("1e400")).find("Number too big"), std::string::npos);
  // Beyond 64 bits an integer is a double: not an id.
  auto r = parse(with_id("123456789012345678901234567890"));
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->message, "Invalid Request: 'id' must be a string or an integer");
  EXPECT_EQ(check("get_today", R"({"limit":1e308})"),
            "limit: expected an integer written without a decimal point or exponent (such as 5), got 1e308");
  EXPECT_EQ(check("get_today", R"({"limit":18446744073709551615})"), "limit: must be at most 1000");
  EXPECT_EQ(check("get_today", R"({"offset":-9223372036854775808})"), "offset: must be at least 0");
}

TEST(HostileInput, LongStringsAreBoundedByTheSchemaAndTheLineLimit) {
  EXPECT_EQ(check("add_todo", R"({"title":")" + std::string(1 << 20, 'x') + R"("})"),
            "title: must be at most 4000 characters");
  // Characters, not bytes: 4000 two-byte characters are a valid title.
  std::string e4000;
  for (int i = 0; i < 4000; ++i) e4000 += "\xc3\xa9";
  EXPECT_EQ(check("add_todo", R"({"title":")" + e4000 + R"("})"), std::nullopt);

  // A line over the limit is dropped while it is read: never held whole in memory.
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  std::thread writer([fd = fds[1]] {
    const std::string chunk(64 * 1024, 'x');
    for (int i = 0; i < 64; ++i) (void)!::write(fd, chunk.data(), chunk.size());  // 4 MiB, one line
    const std::string tail = "\n" + with_id("1") + "\n";
    (void)!::write(fd, tail.data(), tail.size());
    ::close(fd);
  });
  std::vector<std::pair<std::size_t, bool>> lines;
  LineReader reader(fds[0], 1024);
  reader.run([&](std::string line, bool oversized) {
    lines.emplace_back(line.size(), oversized);
    return true;
  });
  writer.join();
  ::close(fds[0]);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], (std::pair<std::size_t, bool>{0, true}));
  EXPECT_EQ(lines[1].second, false);
}

TEST(HostileInput, InvalidUtf8AndOddEncodingsAreParseErrors) {
  for (const char* bad : {"\xff\xfe", "\xc0\xaf" /* overlong '/' */, "\xc0\x80" /* overlong NUL */,
                          "\xed\xa0\x80" /* an encoded surrogate */, "\xf4\x90\x80\x80" /* above U+10FFFF */,
                          "\xe2\x82" /* truncated */}) {
    EXPECT_NE(parse_error(with_id(std::string("\"") + bad + "\"")).find("invalid UTF-8"), std::string::npos)
        << bad;
  }
  // A UTF-8 byte order mark is skipped (RFC 8259 lets a parser ignore it); UTF-16 is not
  // JSON text to takt.
  EXPECT_TRUE(parse("\xef\xbb\xbf" + with_id("1")).message);
  // RapidJSON alone would skip any of its three bytes too (found writing this test).
  EXPECT_EQ(parse_error("\xef\xbb" + with_id("1")), "Parse error: invalid UTF-8 (at byte 0)");
  EXPECT_EQ(parse_error("\xbf" + with_id("1")), "Parse error: invalid UTF-8 (at byte 0)");
  EXPECT_NE(parse_error(std::string("{\0\"\0j\0", 7)), "");
  // A raw NUL ends nothing: the line is judged whole.
  EXPECT_NE(parse_error(std::string(R"({"jsonrpc":"2.0","id":1,"method":"pi)") + '\0' + R"(ng"})"), "");
}

TEST(HostileInput, LoneSurrogateEscapesAreParseErrors) {
  EXPECT_NE(parse_error(with_id(R"("\ud800")")).find("surrogate"), std::string::npos);
  EXPECT_NE(parse_error(with_id(R"("\ud800x")")).find("surrogate"), std::string::npos);
  // RapidJSON 1.1 lets a lone LOW surrogate through as bytes that are not UTF-8, which
  // takt would echo back in the reply (found by fuzz_tool_args in an argument's name).
  EXPECT_EQ(parse_error(with_id(R"("\udc00")")),
            "Parse error: \\udc00 is half of a UTF-16 surrogate pair, not a character (at byte 23)");
  EXPECT_NE(parse_error(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"arguments":{"ta\uDFFFgs":1}}})"),
            "");
  EXPECT_NE(parse_error(with_id(R"("\ud83d\ude00\udc00")")), "");
  // A proper pair, an escaped backslash before "u", and other escapes are fine.
  EXPECT_TRUE(parse(with_id(R"("\ud83d\ude00")")).message);
  EXPECT_TRUE(parse(with_id(R"("\\udc00")")).message);
  EXPECT_TRUE(parse(with_id(R"("\u00e9\u0000")")).message);
  EXPECT_EQ(json::lone_low_surrogate(R"("\\\udc00")"), 3u);
  EXPECT_EQ(json::lone_low_surrogate(R"("\\\\udc00")"), std::string_view::npos);
}

TEST(HostileInput, AnArgumentNameHoldingNulIsNotTheNameBeforeIt) {
  // "title\u0000x" used to be validated as "title" (a C-string look-up) and let through.
  EXPECT_EQ(check("add_todo", R"({"title":"a","title\u0000x":"b"})"), std::string("title") + '\0' + "x: is not a known argument");
}

TEST(HostileInput, ACarriageReturnAloneAtTheEndIsNoMessage) {
  // Found by fuzz_jsonrpc: "\r" after the last newline reached the pipeline as an empty
  // line (a parse error answered with a null id), unlike "\r\n" anywhere else.
  int fds[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
  const std::string input = with_id("1") + "\r\n\r";
  ASSERT_EQ(::write(fds[1], input.data(), input.size()), static_cast<ssize_t>(input.size()));
  ::close(fds[1]);
  std::vector<std::string> lines;
  LineReader reader(fds[0], 1024);
  reader.run([&](std::string line, bool) {
    lines.push_back(line);
    return true;
  });
  ::close(fds[0]);
  EXPECT_EQ(lines, std::vector<std::string>{with_id("1")});
}

TEST(HostileInput, AppleScriptRefusesATagNameWithAComma) {
  // Found by fuzz_script_render: Things takes tag names as one comma-separated list, so
  // "a, b" became two tags.
  const things::AppleScriptDialect applescript([] { return things::Date{2025, 6, 15}; });
  things::AddTodo op;
  op.title = "x";
  op.tags = {"a, b"};
  EXPECT_EQ(applescript.unsupported(op), "tags: 'a, b' holds a comma, which Things' AppleScript reads as two tags");
  op.tags = {"a", "b"};
  EXPECT_EQ(applescript.unsupported(op), std::nullopt);
}

TEST(HostileInput, ConfigDurationsAndSizesThatWouldOverflowAreErrors) {
  // Found by fuzz_config: 999999999999h is 3.6e18 ms, which overflowed steady_clock
  // (nanoseconds) as soon as it became a TTL or a deadline.
  EXPECT_FALSE(parse_duration("999999999999h"));
  EXPECT_EQ(parse_duration("8760h"), kMaxDuration);
  EXPECT_FALSE(parse_duration("8761h"));
  EXPECT_FALSE(parse_size("999999999999GiB"));  // wrapped around 2^64 before
  try {
    load_config_text("cache:\n  ttl: 999999999999h\n", "t.yaml");
    ADD_FAILURE() << "accepted";
  } catch (const ConfigError& e) {
    EXPECT_STREQ(e.what(), "t.yaml:2:8: 'cache.ttl' must be a duration with a unit (ms, s, m or min, h), such as "
                           "250ms, 30s, 1.5s or 1m30s, in whole milliseconds, at most 365 days (got '999999999999h')");
  }
  EXPECT_THROW(load_config_text("server:\n  max_message_size: 17179869184GiB\n", "t.yaml"), ConfigError);
}
