#include "things/data/dates.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace takt::things {

std::int64_t pack_date(const Date& d) {
  return (std::int64_t{d.year} << 16) | (std::int64_t{d.month} << 12) | (std::int64_t{d.day} << 7);
}

namespace {
int days_in_month(int year, int month) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return days[month - 1] + (month == 2 && leap ? 1 : 0);
}

bool valid(const Date& d) {
  if (d.year < 1 || d.year > 9999 || d.month < 1 || d.month > 12 || d.day < 1) return false;
  return d.day <= days_in_month(d.year, d.month);
}
}  // namespace

std::optional<Date> unpack_date(std::int64_t packed) {
  Date d{static_cast<int>(packed >> 16), static_cast<int>((packed >> 12) & 0xF), static_cast<int>((packed >> 7) & 0x1F)};
  if (!valid(d)) return std::nullopt;
  return d;
}

std::optional<std::int64_t> parse_reminder(std::string_view t) {
  if (t.size() != 5 || t[2] != ':') return std::nullopt;
  for (std::size_t i : {0u, 1u, 3u, 4u})
    if (t[i] < '0' || t[i] > '9') return std::nullopt;
  const int h = (t[0] - '0') * 10 + (t[1] - '0'), m = (t[3] - '0') * 10 + (t[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return (std::int64_t{h} << 26) | (std::int64_t{m} << 20);
}

std::optional<std::string> reminder_text(std::int64_t packed) {
  const int h = static_cast<int>((packed >> 26) & 0x3F), m = static_cast<int>((packed >> 20) & 0x3F);
  if (h > 23 || m > 59) return std::nullopt;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d:%02d", h, m);
  return buf;
}

std::string iso_date(const Date& d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", d.year, d.month, d.day);
  return buf;
}

std::optional<Date> parse_iso_date(std::string_view t) {
  if (t.size() != 10 || t[4] != '-' || t[7] != '-') return std::nullopt;
  auto num = [&](std::size_t at, std::size_t n) {
    int v = 0;
    for (std::size_t i = at; i < at + n; ++i) {
      if (t[i] < '0' || t[i] > '9') return -1;
      v = v * 10 + (t[i] - '0');
    }
    return v;
  };
  Date d{num(0, 4), num(5, 2), num(8, 2)};
  if (!valid(d)) return std::nullopt;
  return d;
}

std::string iso_timestamp(double unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {
// Days since 1970-01-01 of a proleptic Gregorian date, and back (H. Hinnant's algorithms).
long long days_from_civil(const Date& d) {
  const long long y = d.month <= 2 ? d.year - 1 : d.year;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const long long yoe = y - era * 400;
  const long long mp = (d.month + 9) % 12;
  const long long doy = (153 * mp + 2) / 5 + d.day - 1;
  const long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Date civil_from_days(long long z) {
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const long long doe = z - era * 146097;
  const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long long mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0)), month, day};
}

// Periods never reach before year 1: an absurdly long period means "since ever".
constexpr Date kEarliest{1, 1, 1};

Date months_back(const Date& today, long long months) {
  const long long total = static_cast<long long>(today.year) * 12 + (today.month - 1) - months;
  if (total < 12) return kEarliest;
  const int year = static_cast<int>(total / 12), month = static_cast<int>(total % 12) + 1;
  return {year, month, std::min(today.day, days_in_month(year, month))};
}
}  // namespace

Date add_days(const Date& d, long long days) { return civil_from_days(days_from_civil(d) + days); }

long long days_between(const Date& from, const Date& to) { return days_from_civil(to) - days_from_civil(from); }

Date local_date(double unix_seconds) {
  std::time_t t = static_cast<std::time_t>(std::floor(unix_seconds));
  std::tm tm{};
  localtime_r(&t, &tm);
  return {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

double local_midnight(const Date& d) {
  std::tm tm{};
  tm.tm_year = d.year - 1900;
  tm.tm_mon = d.month - 1;
  tm.tm_mday = d.day;
  tm.tm_isdst = -1;  // let the time zone say whether summer time applies that day
  return static_cast<double>(std::mktime(&tm));
}

std::optional<Period> parse_period(std::string_view text) {
  if (text.size() < 2 || text.size() > 6) return std::nullopt;
  const char unit = text.back();
  if (unit != 'd' && unit != 'w' && unit != 'm' && unit != 'y') return std::nullopt;
  long long count = 0;
  for (char c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    count = count * 10 + (c - '0');
  }
  return Period{count, unit};
}

Date period_start(const Date& today, const Period& p) {
  switch (p.unit) {
    case 'm': return months_back(today, p.count);
    case 'y': return months_back(today, p.count * 12);
    default: {
      const long long days = p.unit == 'w' ? p.count * 7 : p.count;
      if (days >= days_between(kEarliest, today)) return kEarliest;
      return add_days(today, -days);
    }
  }
}

Date local_today() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  return {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

}  // namespace takt::things
