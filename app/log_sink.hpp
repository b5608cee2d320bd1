#pragma once
/// An spdlog sink that mirrors takt's log lines to MCP clients as notifications/message,
/// for each session at or above the level that client set with logging/setLevel.
/// Thread-safe (spdlog serialises sink calls; sessions are thread-safe).

#include <spdlog/sinks/base_sink.h>

#include <memory>
#include <mutex>
#include <vector>

#include "mcp/session.hpp"

namespace takt {

class McpLogSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  void attach(const std::shared_ptr<Session>& session);

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  std::vector<std::weak_ptr<Session>> sessions_;
};

}  // namespace takt
