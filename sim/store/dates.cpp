#include "dates.hpp"

#include <ctime>
#include <stdexcept>

namespace takt::sim {

namespace chr = std::chrono;

Date local_today() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  if (localtime_r(&now, &local) == nullptr) {
    throw std::runtime_error("cannot determine the local date (localtime_r failed)");
  }
  return Date{chr::year{local.tm_year + 1900}, chr::month{static_cast<unsigned>(local.tm_mon + 1)},
              chr::day{static_cast<unsigned>(local.tm_mday)}};
}

Date add_days(Date date, int days) { return Date{chr::sys_days{date} + chr::days{days}}; }

std::int64_t pack_date(Date date) {
  const auto year = static_cast<std::int64_t>(static_cast<int>(date.year()));
  const auto month = static_cast<std::int64_t>(static_cast<unsigned>(date.month()));
  const auto day = static_cast<std::int64_t>(static_cast<unsigned>(date.day()));
  return (year << 16) | (month << 12) | (day << 7);
}

std::optional<Date> parse_iso_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int fields[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8};
  const std::size_t lengths[3] = {4, 2, 2};
  for (int f = 0; f < 3; ++f) {
    for (std::size_t i = starts[f]; i < starts[f] + lengths[f]; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      fields[f] = fields[f] * 10 + (text[i] - '0');
    }
  }
  const Date date{chr::year{fields[0]}, chr::month{static_cast<unsigned>(fields[1])},
                  chr::day{static_cast<unsigned>(fields[2])}};
  if (!date.ok() || fields[0] < 1) return std::nullopt;
  return date;
}

double unix_now() {
  const auto since_epoch = chr::system_clock::now().time_since_epoch();
  return chr::duration<double>(since_epoch).count();
}

std::int64_t unix_midnight_utc(Date date) {
  return chr::duration_cast<chr::seconds>(chr::sys_days{date}.time_since_epoch()).count();
}

}  // namespace takt::sim
