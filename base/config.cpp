#include "base/config.hpp"

namespace takt {

std::optional<CostClass> parse_cost_class(const std::string& text) {
  if (text == "fast") return CostClass::Fast;
  if (text == "medium") return CostClass::Medium;
  if (text == "slow") return CostClass::Slow;
  return std::nullopt;
}

const char* cost_class_name(CostClass c) {
  switch (c) {
    case CostClass::Fast: return "fast";
    case CostClass::Medium: return "medium";
    case CostClass::Slow: return "slow";
  }
  return "?";
}

}  // namespace takt
