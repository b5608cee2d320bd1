#pragma once
/// takt's version, reported by --version, serverInfo and takt_build_info.
namespace takt {
inline constexpr const char* kName = "takt";
inline constexpr const char* kVersion = "0.1.0";
}  // namespace takt
