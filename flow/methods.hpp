#pragma once
/// The table of MCP methods takt serves. Classify looks a method up here; the fast stage
/// calls its handler. Adding a method is adding a row. Immutable, thread-safe.

#include <memory>
#include <span>
#include <string_view>

namespace takt {

namespace things {
struct ProtocolRead;
}

struct Job;
struct Services;

struct MethodSpec {
  std::string_view name;
  bool before_initialize;  ///< may arrive before the initialize handshake is done
  /// Answers the job in-process (fast lane); nullptr for tools/call, which runs in the
  /// lane of its tool.
  void (*handle)(Job& job, Services& services);
  /// For a method answered from the database (handle is nullptr): what classify gives the
  /// job to read there (job.protocol_read), or fails the job and returns nullptr.
  std::shared_ptr<const things::ProtocolRead> (*read)(Job& job, Services& services) = nullptr;
};

/// The row for `name`, or nullptr for an unknown method.
const MethodSpec* find_method(std::string_view name);
/// Every row, in table order (for per-method metrics resolved once).
std::span<const MethodSpec> all_methods();

/// The protocol versions takt speaks, newest first.
inline constexpr std::string_view kProtocolVersions[] = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};

}  // namespace takt
