// The sink that mirrors takt's log lines to MCP clients (logging/setLevel).

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <chrono>
#include <future>
#include <string>
#include <vector>

#include "app/log_sink.hpp"

using namespace takt;

namespace {

/// A client's way out that logs while it sends, as a writer that finds its client gone does.
struct LoggingOutput final : Output {
  std::vector<std::string> lines;
  void send(std::string line, std::function<void()> written) override {
    spdlog::warn("the client's connection closed; replies are dropped from now on");
    lines.push_back(std::move(line));
    if (written) written();
  }
};

}  // namespace

// A line logged while a log line is being sent to a client used to deadlock on the sink's
// own mutex: every thread that logged after it hung, and with it all of takt.
TEST(McpLogSink, ALineLoggedWhileSendingToAClientDoesNotDeadlock) {
  auto sink = std::make_shared<McpLogSink>();
  auto before = spdlog::default_logger();
  LoggingConfig quiet;
  quiet.level = "off";
  spdlog::set_default_logger(make_logger(quiet, sink));
  auto out = std::make_shared<LoggingOutput>();
  auto session = std::make_shared<Session>(out);
  session->set_log_level(LogLevel::Debug);
  sink->attach(session);
  spdlog::default_logger()->set_level(spdlog::level::debug);
  auto done = std::async(std::launch::async, [] { spdlog::info("a write was confirmed"); });
  if (done.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    ADD_FAILURE() << "logging deadlocked";
    std::_Exit(1);
  }
  ASSERT_EQ(out->lines.size(), 1u);  // the line itself, not the one logged on the way
  EXPECT_NE(out->lines[0].find("a write was confirmed"), std::string::npos);
  spdlog::set_default_logger(before);
}
