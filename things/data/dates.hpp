#pragma once
/// Dates as Things 3 stores them: `startDate` and `deadline` are packed integers
/// (y<<16 | m<<12 | d<<7); "today" is always the local calendar date. Also the periods
/// ("7d", "2w", "1m", "1y") that read tools take. Pure functions apart from the local time
/// zone (the process's TZ) that the local-time helpers read; thread-safe.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace takt::things {

struct Date {
  int year = 1970, month = 1, day = 1;
  friend bool operator==(const Date&, const Date&) = default;
};

std::int64_t pack_date(const Date& d);
std::optional<Date> unpack_date(std::int64_t packed);
std::string iso_date(const Date& d);
/// Accepts YYYY-MM-DD with a real calendar day.
std::optional<Date> parse_iso_date(std::string_view text);
/// Unix seconds to an ISO 8601 UTC timestamp (`2026-11-22T10:15:00Z`).
std::string iso_timestamp(double unix_seconds);
/// The local calendar date now.
Date local_today();

/// Where "today" comes from: the local clock in production, a fixed date in tests.
using TodayFn = std::function<Date()>;

/// The date `days` days after `d` (before it when negative).
Date add_days(const Date& d, long long days);
/// Days from `from` to `to`: positive when `to` is later.
long long days_between(const Date& from, const Date& to);
/// The local calendar date of a Unix time (Things' creation, modification and stop times).
Date local_date(double unix_seconds);
/// The Unix time at which local day `d` begins.
double local_midnight(const Date& d);

/// A reminder time `HH:MM` (24 h) as Things stores it: h << 26 | min << 20.
std::optional<std::int64_t> parse_reminder(std::string_view text);
/// The stored reminder time back as `HH:MM`, or nullopt when it holds no valid time.
std::optional<std::string> reminder_text(std::int64_t packed);

/// A span of days back from today, written like `7d`, `2w`, `1m` or `1y`. Plain value.
struct Period {
  long long count = 0;
  char unit = 'd';  ///< d(ays), w(eeks), m(onths) or y(ears)
  friend bool operator==(const Period&, const Period&) = default;
};
/// Accepts 1 to 5 digits followed by d, w, m or y.
std::optional<Period> parse_period(std::string_view text);
/// The first day a period covers: `today` minus the period (month ends are clamped,
/// so 1m back from March 31 is February 28 or 29). The period runs to the end of today.
Date period_start(const Date& today, const Period& p);

}  // namespace takt::things
