#include "things/dates.hpp"

#include <cstdio>
#include <ctime>

namespace takt::things {

std::int64_t pack_date(const Date& d) {
  return (std::int64_t{d.year} << 16) | (std::int64_t{d.month} << 12) | (std::int64_t{d.day} << 7);
}

namespace {
bool valid(const Date& d) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (d.year < 1 || d.year > 9999 || d.month < 1 || d.month > 12 || d.day < 1) return false;
  const bool leap = (d.year % 4 == 0 && d.year % 100 != 0) || d.year % 400 == 0;
  return d.day <= days[d.month - 1] + (d.month == 2 && leap ? 1 : 0);
}
}  // namespace

std::optional<Date> unpack_date(std::int64_t packed) {
  Date d{static_cast<int>(packed >> 16), static_cast<int>((packed >> 12) & 0xF), static_cast<int>((packed >> 7) & 0x1F)};
  if (!valid(d)) return std::nullopt;
  return d;
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

Date local_today() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  return {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

}  // namespace takt::things
