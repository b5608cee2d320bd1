#include <gtest/gtest.h>

#include "mcp/jsonrpc.hpp"

#include <string>
#include <utility>

using namespace takt::mcp;

TEST(JsonRpc, Request) {
  auto r = parse_message(R"({"jsonrpc":"2.0","id":7,"method":"ping","params":{}})", 64);
  ASSERT_TRUE(r.message);
  EXPECT_EQ(r.message->kind, Message::Kind::Request);
  EXPECT_EQ(r.message->id, "7");
  EXPECT_EQ(r.message->method, "ping");
  ASSERT_NE(r.message->params, nullptr);
}

TEST(JsonRpc, StringIdKeepsItsQuotes) {
  auto r = parse_message(R"({"jsonrpc":"2.0","id":"a\"b","method":"ping"})", 64);
  ASSERT_TRUE(r.message);
  EXPECT_EQ(r.message->id, R"("a\"b")");
}

TEST(JsonRpc, Notification) {
  auto r = parse_message(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", 64);
  ASSERT_TRUE(r.message);
  EXPECT_EQ(r.message->kind, Message::Kind::Notification);
  EXPECT_TRUE(r.message->id.empty());
}

TEST(JsonRpc, ResponseFromClient) {
  auto r = parse_message(R"({"jsonrpc":"2.0","id":1,"result":{}})", 64);
  ASSERT_TRUE(r.message);
  EXPECT_EQ(r.message->kind, Message::Kind::Response);
}

struct Bad {
  const char* line;
  int code;
  const char* id;
};

class JsonRpcErrors : public ::testing::TestWithParam<Bad> {};

TEST_P(JsonRpcErrors, AnsweredWithTheSpecCode) {
  auto r = parse_message(GetParam().line, 8);
  ASSERT_TRUE(r.error) << GetParam().line;
  EXPECT_EQ(r.error->code, GetParam().code) << GetParam().line;
  EXPECT_EQ(r.id, GetParam().id) << GetParam().line;
}

INSTANTIATE_TEST_SUITE_P(
    All, JsonRpcErrors,
    ::testing::Values(Bad{"not json", kParseError, "null"}, Bad{"{\"jsonrpc\":", kParseError, "null"},
                      Bad{"{} trailing", kParseError, "null"}, Bad{"42", kInvalidRequest, "null"},
                      Bad{"[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", kInvalidRequest, "null"},
                      Bad{R"({"jsonrpc":"2.0","id":3})", kInvalidRequest, "3"},
                      Bad{R"({"jsonrpc":"1.0","id":3,"method":"ping"})", kInvalidRequest, "3"},
                      Bad{R"({"id":3,"method":"ping"})", kInvalidRequest, "3"},
                      Bad{R"({"jsonrpc":"2.0","id":null,"method":"ping"})", kInvalidRequest, "null"},
                      Bad{R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})", kInvalidRequest, "null"},
                      Bad{R"({"jsonrpc":"2.0","id":{},"method":"ping"})", kInvalidRequest, "null"},
                      Bad{R"({"jsonrpc":"2.0","id":4,"method":7})", kInvalidRequest, "4"},
                      Bad{R"({"jsonrpc":"2.0","id":5,"method":"ping","params":[1]})", kInvalidParams, "5"},
                      Bad{"{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"p\xff\"}", kParseError, "null"},
                      Bad{"[[[[[[[[[[[[1]]]]]]]]]]]]", kParseError, "null"},
                      Bad{R"({"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":1}}}}}}}}})", kParseError, "null"}));

TEST(JsonRpc, DepthCountIgnoresBracketsInStrings) {
  auto r = parse_message(R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":"[[[[[[[[[[[[[[{{{{{"}})", 4);
  EXPECT_TRUE(r.message);
}

namespace {
std::string ping_with(const std::string& text) {
  return R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"x":")" + text + R"("}})";
}
}  // namespace

TEST(JsonRpc, AcceptsEveryLengthOfUtf8) {
  // é (2 bytes), 中 (3), 😀 (4), U+10FFFF (the last), at every offset of the 8-byte fast path.
  for (const std::string text : {"\xC3\xA9", "\xE4\xB8\xAD", "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF"}) {
    for (std::size_t pad = 0; pad < 9; ++pad) {
      auto r = parse_message(ping_with(std::string(pad, 'a') + text), 64);
      ASSERT_TRUE(r.message) << pad << ": " << (r.error ? r.error->message : "");
      EXPECT_EQ(std::string((*r.message->params)["x"].GetString()), std::string(pad, 'a') + text);
    }
  }
}

TEST(JsonRpc, RefusesWhatIsNotUtf8OrHoldsNul) {
  // Offsets are within the text; ping_with() puts it after a prefix.
  const std::pair<std::string, std::size_t> bad[] = {
      {"\xC0\x80", 0},          // overlong NUL
      {"\xC1\xBF", 0},          // overlong ASCII
      {"\xE0\x9F\xBF", 0},      // overlong 3-byte form
      {"\xED\xA0\x80", 0},      // a UTF-16 surrogate written as UTF-8
      {"\xF0\x8F\xBF\xBF", 0},  // overlong 4-byte form
      {"\xF4\x90\x80\x80", 0},  // past U+10FFFF
      {"\xF5\x80\x80\x80", 0},  // no such lead byte
      {"\x80", 0},              // a continuation byte alone
      {"ab\xE4\xB8", 2},        // cut short: the quote is no continuation
      {std::string("abcdefghij\0k", 12), 10},
  };
  const std::size_t prefix = ping_with("").find("\"}}");
  for (const auto& [text, offset] : bad) {
    const std::size_t at = prefix + offset;
    auto r = parse_message(ping_with(text), 64);
    ASSERT_TRUE(r.error) << text;
    EXPECT_EQ(r.error->code, kParseError);
    EXPECT_NE(r.error->message.find("(at byte " + std::to_string(at) + ")"), std::string::npos) << r.error->message;
  }
  auto cut = parse_message("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\xE4", 64);  // ends inside a sequence
  ASSERT_TRUE(cut.error);
  EXPECT_NE(cut.error->message.find("invalid UTF-8"), std::string::npos);
}

TEST(JsonRpc, DepthLimitIsExact) {
  const auto nested = [](unsigned levels) {  // params is level 2
    std::string open, close;
    for (unsigned i = 2; i < levels; ++i) open += R"({"a":)", close += "}";
    return R"({"jsonrpc":"2.0","id":1,"method":"ping","params":)" + open + "{}" + close + "}";
  };
  EXPECT_TRUE(parse_message(nested(8), 8).message);
  auto r = parse_message(nested(9), 8);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->message, "Parse error: nesting deeper than 8 levels");
  EXPECT_TRUE(parse_message(nested(900), 1000).message);  // deep but allowed: no stack trouble
}

TEST(JsonRpc, FirstOfARepeatedMemberCounts) {
  auto r = parse_message(R"({"jsonrpc":"2.0","id":1,"id":2,"method":"ping","method":"x"})", 64);
  ASSERT_TRUE(r.message);
  EXPECT_EQ(r.message->id, "1");
  EXPECT_EQ(r.message->method, "ping");
}

TEST(JsonRpc, LargeIntegerIdsAndEscapedStringIds) {
  auto big = parse_message(R"({"jsonrpc":"2.0","id":18446744073709551615,"method":"ping"})", 64);
  ASSERT_TRUE(big.message);
  EXPECT_EQ(big.message->id, "18446744073709551615");
  auto neg = parse_message(R"({"jsonrpc":"2.0","id":-9223372036854775808,"method":"ping"})", 64);
  ASSERT_TRUE(neg.message);
  EXPECT_EQ(neg.message->id, "-9223372036854775808");
  auto esc = parse_message(R"({"jsonrpc":"2.0","id":"\u0041\n","method":"ping"})", 64);
  ASSERT_TRUE(esc.message);
  EXPECT_EQ(esc.message->id, R"("A\n")");
}

TEST(JsonRpc, WireFormats) {
  EXPECT_EQ(make_result("1", "{}"), R"({"jsonrpc":"2.0","id":1,"result":{}})");
  EXPECT_EQ(make_error("\"x\"", {kMethodNotFound, "Method not found: \"y\""}),
            R"({"jsonrpc":"2.0","id":"x","error":{"code":-32601,"message":"Method not found: \"y\""}})");
  EXPECT_EQ(make_notification("notifications/message", R"({"level":"info"})"),
            R"({"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info"}})");
}
