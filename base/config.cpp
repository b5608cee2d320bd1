#include "base/config.hpp"

namespace takt {

std::optional<LaneClass> parse_lane(const std::string& text) {
  if (text == "fast") return LaneClass::Fast;
  if (text == "medium") return LaneClass::Medium;
  if (text == "slow") return LaneClass::Slow;
  return std::nullopt;
}

const char* lane_name(LaneClass lane) {
  switch (lane) {
    case LaneClass::Fast: return "fast";
    case LaneClass::Medium: return "medium";
    case LaneClass::Slow: return "slow";
  }
  return "?";
}

}  // namespace takt
