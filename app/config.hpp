#pragma once
/// Loading takt's configuration: one YAML file parsed straight into the typed, validated
/// structs of base/config.hpp. Errors name the file, line, column and key.

#include <optional>
#include <stdexcept>
#include <string>

#include "base/config.hpp"

namespace takt {

/// A configuration file that cannot be used; what() names the file, line and key.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Loads and validates a YAML file; throws ConfigError.
Config load_config_file(const std::string& path);
/// Same, from text (tests); `name` stands in for the file name in messages.
Config load_config_text(const std::string& text, const std::string& name);

/// The longest duration a setting may have: 365 days.
inline constexpr Millis kMaxDuration{365LL * 24 * 3'600'000};
/// Parses `250ms`, `2s`, `1.5s`, `1m30s`, `1h` (units ms, s, m or min, h; largest first, each
/// once; whole milliseconds), up to kMaxDuration. A bare number has no unit and is refused.
std::optional<Millis> parse_duration(const std::string& text);
/// `host:port` (`[::1]:port` for an IPv6 address), as http.listen and --http take it.
struct ListenAddress {
  std::string host;
  unsigned short port = 0;
};
std::optional<ListenAddress> parse_listen(const std::string& text);
/// Parses `512`, `64KiB`, `4MiB`, `1GiB`, `10kB`, `1MB` into bytes (nullopt if it overflows).
std::optional<std::size_t> parse_size(const std::string& text);

}  // namespace takt
