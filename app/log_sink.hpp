#pragma once
/// takt's logging: the logger every component writes to through spdlog, with its sinks
/// (stderr, optionally a rotating file, and the MCP sink below), and an spdlog sink that
/// mirrors takt's log lines to MCP clients as notifications/message, for each session at
/// or above the level that client set with logging/setLevel.
/// Thread-safe (spdlog serialises sink calls; sessions are thread-safe).

#include <spdlog/logger.h>
#include <spdlog/sinks/base_sink.h>

#include <memory>
#include <mutex>
#include <vector>

#include "base/config.hpp"
#include "mcp/session.hpp"

namespace takt {

/// A session's way out may itself log (a writer that finds its client gone says so):
/// that line reaches this sink again on the same thread, inside the first one. The mutex
/// is recursive so that it is not a deadlock, and the inner line goes to stderr and the
/// file only, not to clients.
class McpLogSink final : public spdlog::sinks::base_sink<std::recursive_mutex> {
 public:
  /// Sessions that ended are dropped from the list here, so a daemon's sink stays small.
  void attach(const std::shared_ptr<Session>& session);

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override {}

 private:
  std::vector<std::weak_ptr<Session>> sessions_;
};

/// The logger for `cfg`: stderr and (logging.file) a size-rotated file, both at
/// logging.level, and `mcp` filtered per client. Throws spdlog::spdlog_ex when the file
/// cannot be opened.
std::shared_ptr<spdlog::logger> make_logger(const LoggingConfig& cfg, std::shared_ptr<McpLogSink> mcp);

}  // namespace takt
