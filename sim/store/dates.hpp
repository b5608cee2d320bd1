// Things 3's date encodings and things-sim's notion of "now" and "today".
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace takt::sim {

using Date = std::chrono::year_month_day;

// The moment a call works at: its local date and its Unix time.
struct Clock {
  Date today;  // local date
  double now;  // Unix seconds
};

// Today's date in the LOCAL time zone (Things' lists are local: "today" in UTC is a
// known bug of other servers).
Date local_today();

Date add_days(Date date, int days);

// Things' packed date, as stored in startDate, deadline, todayIndexReferenceDate, ...:
// year << 16 | month << 12 | day << 7 (2021-03-28 = 132464128).
std::int64_t pack_date(Date date);

// Strict YYYY-MM-DD with a real calendar day; nullopt otherwise.
std::optional<Date> parse_iso_date(std::string_view text);

// Unix seconds with sub-second precision, as in creationDate / stopDate (REAL columns).
double unix_now();


// Midnight UTC of the date, in Unix seconds (used in recurrence rule plists).
std::int64_t unix_midnight_utc(Date date);

}  // namespace takt::sim
