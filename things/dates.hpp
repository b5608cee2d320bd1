#pragma once
/// Dates as Things 3 stores them: `startDate` and `deadline` are packed integers
/// (y<<16 | m<<12 | d<<7); "today" is always the local calendar date. Pure functions.

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

}  // namespace takt::things
