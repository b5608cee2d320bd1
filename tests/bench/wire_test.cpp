// The load generator's reply reader (bench/wire.hpp): the figures in docs/performance.md
// count errors with it, so it must find them wherever a server puts isError.
#include <gtest/gtest.h>

#include <string>

#include "bench/wire.hpp"

namespace {
bool tool_error(const std::string& line) {
  const auto r = bench::wire::classify(line.data(), line.data() + line.size());
  return bench::wire::is_tool_error(r.result, line.data() + line.size());
}
}  // namespace

TEST(BenchWire, FindsIsErrorAtTheEndOrAnywhere) {
  EXPECT_FALSE(tool_error(R"({"jsonrpc":"2.0","id":1,"result":{"content":[],"isError":false}})"));
  EXPECT_TRUE(tool_error(R"({"jsonrpc":"2.0","id":1,"result":{"content":[],"isError":true}})"));
  EXPECT_TRUE(tool_error(R"({"jsonrpc":"2.0","id":1,"result":{"isError":true,"content":[{"type":"text"}]}})"));
  EXPECT_FALSE(tool_error(R"({"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"x"}]}})"));
  // Inside a string the key has escaped quotes: not the result's own flag.
  EXPECT_FALSE(tool_error(R"({"jsonrpc":"2.0","id":1,"result":{"content":[{"text":"{\"isError\":true}"}]}})"));
  EXPECT_FALSE(tool_error(R"({"jsonrpc":"2.0","id":1,"result":{"structuredContent":{"a":{}}}})"));
}
