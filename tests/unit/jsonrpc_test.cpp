#include <gtest/gtest.h>

#include "mcp/jsonrpc.hpp"

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

TEST(JsonRpc, WireFormats) {
  EXPECT_EQ(make_result("1", "{}"), R"({"jsonrpc":"2.0","id":1,"result":{}})");
  EXPECT_EQ(make_error("\"x\"", {kMethodNotFound, "Method not found: \"y\""}),
            R"({"jsonrpc":"2.0","id":"x","error":{"code":-32601,"message":"Method not found: \"y\""}})");
  EXPECT_EQ(make_notification("notifications/message", R"({"level":"info"})"),
            R"({"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info"}})");
}
