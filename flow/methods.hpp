#pragma once
/// The table of MCP methods takt serves. Classify looks a method up here; the fast stage
/// calls its handler. Adding a method is adding a row. Immutable, thread-safe.

#include <span>
#include <string_view>

namespace takt {

struct Job;
struct Services;

struct MethodSpec {
  std::string_view name;
  bool before_initialize;  ///< may arrive before the initialize handshake is done
  /// Answers the job in-process (fast lane); nullptr for tools/call, which runs in the
  /// lane of its tool.
  void (*handle)(Job& job, Services& services);
};

/// The row for `name`, or nullptr for an unknown method.
const MethodSpec* find_method(std::string_view name);
/// Every row, in table order (for per-method metrics resolved once).
std::span<const MethodSpec> all_methods();

/// The protocol versions takt speaks, newest first.
inline constexpr std::string_view kProtocolVersions[] = {"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"};

}  // namespace takt
