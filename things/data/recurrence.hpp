#pragma once
/// Repeating to-dos: the rule Things keeps in `rt1_recurrenceRule` (an XML property list)
/// decoded, and described in words ("every week on Monday", "every 2 days after
/// completion"). Pure functions; thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "things/data/dates.hpp"

namespace takt::things {

/// One entry of a rule's `of` array: where in the week, month or year it falls. Plain value.
struct RepeatOffset {
  std::optional<int> weekday;  ///< `wd`: 0 Sunday ... 6 Saturday
  std::optional<int> ordinal;  ///< `wdo`: 1 to 5 for the nth weekday of the month, -1 the last
  std::optional<int> day;      ///< `dy`: day of the month, -1 the last day
  std::optional<int> month;    ///< `mo`: 1 to 12
};

/// A decoded repeat rule. Plain value.
struct RepeatRule {
  int unit = 0;                   ///< `fu`, Apple's NSCalendarUnit: 16 day, 256 week, 8 month, 4 year
  long long interval = 1;         ///< `fa`: every n units
  bool after_completion = false;  ///< `tp` 1: the next one comes n units after the last is done
  std::vector<RepeatOffset> offsets;
  long long count = 0;       ///< `rc`: how many times in all; 0 without end
  std::optional<Date> ends;  ///< `ed`, unless it is Things' "never" (the year 4001)
};

/// Decodes the XML property list of a rule; nullopt when it is not one.
std::optional<RepeatRule> parse_repeat_rule(std::string_view plist);
/// "day", "week", "month" or "year" for a rule's unit, or nullptr for an unknown one.
const char* repeat_unit_name(int unit);
/// The rule in words, like Things says it: "every week on Monday", "every 2 days",
/// "monthly on day 15", "every year", "every week after completion".
std::string describe(const RepeatRule& rule);

}  // namespace takt::things
