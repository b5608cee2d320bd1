#include "app/log_sink.hpp"

#include "mcp/json.hpp"
#include "mcp/jsonrpc.hpp"

namespace takt {
namespace {
LogLevel to_mcp(spdlog::level::level_enum l) {
  switch (l) {
    case spdlog::level::trace:
    case spdlog::level::debug: return LogLevel::Debug;
    case spdlog::level::info: return LogLevel::Info;
    case spdlog::level::warn: return LogLevel::Warning;
    case spdlog::level::err: return LogLevel::Error;
    default: return LogLevel::Critical;
  }
}
}  // namespace

void McpLogSink::attach(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(mutex_);
  sessions_.push_back(session);
}

void McpLogSink::sink_it_(const spdlog::details::log_msg& msg) {
  const auto level = to_mcp(msg.level);
  std::string params;
  for (auto& weak : sessions_) {
    auto session = weak.lock();
    if (!session || session->log_level() < 0 || static_cast<int>(level) < session->log_level()) continue;
    if (params.empty()) {
      params = std::string(R"({"level":")") + log_level_name(level) + R"(","logger":"takt","data":)" +
               json::quote(std::string_view(msg.payload.data(), msg.payload.size())) + "}";
    }
    session->send(mcp::make_notification("notifications/message", params));
  }
}

}  // namespace takt
