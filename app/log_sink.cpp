#include "app/log_sink.hpp"

// The compiled spdlog instantiates base_sink for std::mutex only; the recursive one is
// instantiated here.
#include <spdlog/sinks/base_sink-inl.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "base/json.hpp"
#include "mcp/jsonrpc.hpp"

template class spdlog::sinks::base_sink<std::recursive_mutex>;

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
  // Sessions come and go over HTTP: forget the ended ones.
  std::erase_if(sessions_, [](const std::weak_ptr<Session>& w) { return w.expired(); });
  sessions_.push_back(session);
}

void McpLogSink::sink_it_(const spdlog::details::log_msg& msg) {
  thread_local bool inside = false;
  if (inside) return;  // logged while sending a log line to a client: not sent on
  inside = true;
  struct Leave {
    ~Leave() { inside = false; }
  } leave;
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

std::shared_ptr<spdlog::logger> make_logger(const LoggingConfig& cfg, std::shared_ptr<McpLogSink> mcp) {
  const auto level = spdlog::level::from_str(cfg.level);
  std::vector<spdlog::sink_ptr> sinks;
  auto err = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  err->set_pattern("%Y-%m-%d %H:%M:%S.%e takt %^%l%$ %v");
  err->set_level(level);
  sinks.push_back(err);
  if (!cfg.file.empty()) {
    auto file = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(cfg.file, cfg.max_size, cfg.max_files);
    file->set_pattern("%Y-%m-%d %H:%M:%S.%e takt[%P] %l %v");
    file->set_level(level);
    sinks.push_back(file);
  }
  mcp->set_pattern("%v");
  sinks.push_back(std::move(mcp));
  auto logger = std::make_shared<spdlog::logger>("takt", sinks.begin(), sinks.end());
  // Each sink filters: stderr and the file by the configured level, the MCP sink by what
  // each client asked for. The logger itself starts at the configured level (formatting a
  // debug line per request costs microseconds) and goes lower when a client asks for
  // more (logging/setLevel).
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  return logger;
}

}  // namespace takt
