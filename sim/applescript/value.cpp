#include "value.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace takt::sim::as {

namespace {

constexpr const char* month_names[] = {"January", "February", "March",     "April",   "May",      "June",
                                       "July",    "August",   "September", "October", "November", "December"};
constexpr const char* weekday_names[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                         "Thursday", "Friday", "Saturday"};

[[noreturn]] void cannot_make(const Value& value, std::string_view cls) {
  throw ScriptError{"Can\xE2\x80\x99t make " + describe(value) + " into type " + std::string(cls) + ".", -1700};
}

std::string format_real(double r) {
  if (std::isnan(r)) return "NaN";
  if (std::isinf(r)) return r > 0 ? "1.0E+308" : "-1.0E+308";
  char buffer[64];
  if (std::fabs(r) >= 1e15 || (r != 0.0 && std::fabs(r) < 1e-4)) {
    std::snprintf(buffer, sizeof buffer, "%.12E", r);
    // 1.500000000000E+20 -> 1.5E+20
    std::string text(buffer);
    const auto e = text.find('E');
    std::string mantissa = text.substr(0, e);
    while (mantissa.size() > 1 && mantissa.back() == '0') mantissa.pop_back();
    if (mantissa.back() == '.') mantissa += '0';
    std::string exponent = text.substr(e + 1);
    const char sign = exponent[0];
    exponent = exponent.substr(1);
    while (exponent.size() > 1 && exponent[0] == '0') exponent.erase(0, 1);
    return mantissa + "E" + sign + exponent;
  }
  std::snprintf(buffer, sizeof buffer, "%.15g", r);
  std::string text(buffer);
  if (text.find_first_of(".eE") == std::string::npos) text += ".0";
  return text;
}

std::optional<double> parse_number(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  double value = 0.0;
  const char* begin = text.data();
  if (*begin == '+') ++begin;
  const auto [end, ec] = std::from_chars(begin, text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string two(int n) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%02d", n);
  return buffer;
}

}  // namespace

Value Value::make_record(Record fields) {
  Value v;
  v.kind = Kind::record;
  v.record = std::make_shared<Record>(std::move(fields));
  return v;
}

Value deref(const Value& value) {
  if (value.kind != Kind::itemref) return value;
  if (!value.list || value.i < 1 || value.i > static_cast<std::int64_t>(value.list->size())) {
    throw ScriptError{"Can\xE2\x80\x99t get item " + std::to_string(value.i) + " of the list.", -1728};
  }
  return (*value.list)[static_cast<std::size_t>(value.i - 1)];
}

Value deep_copy(const Value& value) {
  if (value.kind == Kind::list) {
    List items;
    items.reserve(value.list->size());
    for (const Value& item : *value.list) items.push_back(deep_copy(item));
    return Value::make_list(std::move(items));
  }
  if (value.kind == Kind::record) {
    Record fields;
    for (const RecordField& field : *value.record) fields.push_back({field.key, deep_copy(field.value)});
    return Value::make_record(std::move(fields));
  }
  return value;
}

std::string to_text(const Value& in, const std::vector<std::string>& tids) {
  const Value value = deref(in);
  switch (value.kind) {
    case Kind::text:
      return value.s;
    case Kind::integer:
      return std::to_string(value.i);
    case Kind::real:
      return format_real(value.r);
    case Kind::boolean:
      return value.b ? "true" : "false";
    case Kind::constant:
      return value.s;
    case Kind::date:
      return full_date_text(value.i);
    case Kind::missing:
      return "missing value";
    case Kind::list: {
      std::string out;
      const std::string delimiter = tids.empty() ? std::string() : tids.front();
      bool first = true;
      for (const Value& item : *value.list) {
        if (!first) out += delimiter;
        first = false;
        out += to_text(item, tids);
      }
      return out;
    }
    default:
      cannot_make(value, "text");
  }
}

std::int64_t to_integer(const Value& in) {
  const Value value = deref(in);
  switch (value.kind) {
    case Kind::integer:
      return value.i;
    case Kind::real:
      if (!std::isfinite(value.r) || std::fabs(value.r) > 9.0e18) cannot_make(value, "integer");
      return static_cast<std::int64_t>(std::nearbyint(value.r));
    case Kind::text: {
      const auto number = parse_number(value.s);
      if (!number || !std::isfinite(*number) || std::fabs(*number) > 9.0e18) cannot_make(value, "integer");
      return static_cast<std::int64_t>(std::nearbyint(*number));
    }
    case Kind::constant:
      if (const auto month = month_from_name(fold_case(value.s))) return *month;
      if (const auto weekday = weekday_from_name(fold_case(value.s))) return *weekday + 1;
      cannot_make(value, "integer");
    case Kind::list:
      if (value.list->size() == 1) return to_integer(value.list->front());
      cannot_make(value, "integer");
    default:
      cannot_make(value, "integer");
  }
}

double to_real(const Value& in) {
  const Value value = deref(in);
  switch (value.kind) {
    case Kind::integer:
      return static_cast<double>(value.i);
    case Kind::real:
      return value.r;
    case Kind::text: {
      const auto number = parse_number(value.s);
      if (!number) cannot_make(value, "number");
      return *number;
    }
    case Kind::list:
      if (value.list->size() == 1) return to_real(value.list->front());
      cannot_make(value, "number");
    default:
      cannot_make(value, "number");
  }
}

bool to_boolean(const Value& in) {
  const Value value = deref(in);
  if (value.kind == Kind::boolean) return value.b;
  if (value.kind == Kind::text) {
    const std::string folded = fold_case(value.s);
    if (folded == "true") return true;
    if (folded == "false") return false;
  }
  if (value.kind == Kind::integer && (value.i == 0 || value.i == 1)) return value.i == 1;
  cannot_make(value, "boolean");
}

Value coerce(const Value& in, std::string_view cls, const std::vector<std::string>& tids) {
  const Value value = deref(in);
  if (cls == "text" || cls == "string" || cls == "unicode text") return Value::text(to_text(value, tids));
  if (cls == "integer") return Value::integer(to_integer(value));
  if (cls == "real") return Value::real(to_real(value));
  if (cls == "number") {
    if (value.kind == Kind::integer || value.kind == Kind::real) return value;
    const double r = to_real(value);
    if (std::nearbyint(r) == r && std::fabs(r) < 1e15 && value.kind == Kind::text &&
        value.s.find_first_of(".eE") == std::string::npos) {
      return Value::integer(static_cast<std::int64_t>(r));
    }
    return Value::real(r);
  }
  if (cls == "boolean") return Value::boolean(to_boolean(value));
  if (cls == "list") {
    if (value.kind == Kind::list) return value;
    if (value.kind == Kind::record) {
      List items;
      for (const RecordField& field : *value.record) items.push_back(field.value);
      return Value::make_list(std::move(items));
    }
    return Value::make_list({value});
  }
  if (cls == "record") {
    if (value.kind == Kind::record) return value;
    cannot_make(value, "record");
  }
  if (cls == "date") {
    if (value.kind == Kind::date) return value;
    if (value.kind == Kind::text) {
      if (const auto seconds = parse_date_text(value.s)) return Value::date(*seconds);
      throw ScriptError{"Invalid date and time date " + value.s + ".", -30720};
    }
    cannot_make(value, "date");
  }
  cannot_make(value, cls);
}

std::string describe(const Value& in) {
  const Value& value = in;
  switch (value.kind) {
    case Kind::nothing:
      return "nothing";
    case Kind::missing:
      return "missing value";
    case Kind::boolean:
      return value.b ? "true" : "false";
    case Kind::integer:
      return std::to_string(value.i);
    case Kind::real:
      return format_real(value.r);
    case Kind::text: {
      std::string out = "\"";
      for (char c : value.s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      return out + "\"";
    }
    case Kind::constant:
      return value.s;
    case Kind::date:
      return "date \"" + full_date_text(value.i) + "\"";
    case Kind::list: {
      std::string out = "{";
      bool first = true;
      for (const Value& item : *value.list) {
        if (!first) out += ", ";
        first = false;
        out += describe(item);
      }
      return out + "}";
    }
    case Kind::record: {
      std::string out = "{";
      bool first = true;
      for (const RecordField& field : *value.record) {
        if (!first) out += ", ";
        first = false;
        out += field.key + ":" + describe(field.value);
      }
      return out + "}";
    }
    case Kind::object:
      if (value.s == "application") return "application \"" + value.id + "\"";
      if (value.s == "insertion") {
        return value.id + " of " + (value.list && !value.list->empty() ? describe(value.list->front()) : "?");
      }
      if (value.s == "script") return "\xC2\xABscript\xC2\xBB";
      return value.s + " id \"" + value.id + "\" of application \"Things3\"";
    case Kind::itemref:
      return "item " + std::to_string(value.i) + " of " + (value.list ? describe(Value::make_list(*value.list)) : "{}");
  }
  return "?";
}

std::string osascript_text(const Value& in) {
  const Value value = deref(in);
  switch (value.kind) {
    case Kind::nothing:
      return "";
    case Kind::text:
      return value.s;
    case Kind::date:
      return "date " + full_date_text(value.i);
    case Kind::list: {
      std::string out;
      bool first = true;
      for (const Value& item : *value.list) {
        if (!first) out += ", ";
        first = false;
        out += osascript_text(item);
      }
      return out;
    }
    case Kind::record: {
      std::string out;
      bool first = true;
      for (const RecordField& field : *value.record) {
        if (!first) out += ", ";
        first = false;
        out += field.key + ":" + osascript_text(field.value);
      }
      return out;
    }
    default:
      return describe(value);
  }
}

std::string fold_case(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> characters(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    const unsigned char lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 1;
    if (lead >= 0xF0) length = 4;
    else if (lead >= 0xE0) length = 3;
    else if (lead >= 0xC0) length = 2;
    if (i + length > text.size()) length = text.size() - i;
    out.emplace_back(text.substr(i, length));
    i += length;
  }
  return out;
}

bool equal(const Value& a, const Value& b) {
  if (a.kind == Kind::itemref || b.kind == Kind::itemref) {
    // AppleScript compares the reference itself, not the item: never equal to a value.
    return a.kind == b.kind && a.list == b.list && a.i == b.i;
  }
  if (a.is_number() && b.is_number()) {
    if (a.kind == Kind::integer && b.kind == Kind::integer) return a.i == b.i;
    return to_real(a) == to_real(b);
  }
  if (a.kind != b.kind) return false;
  switch (a.kind) {
    case Kind::nothing:
    case Kind::missing:
      return true;
    case Kind::boolean:
      return a.b == b.b;
    case Kind::text:
      return fold_case(a.s) == fold_case(b.s);
    case Kind::constant:
      return a.s == b.s;
    case Kind::date:
      return a.i == b.i;
    case Kind::object:
      return a.s == b.s && a.id == b.id;
    case Kind::list:
      if (a.list->size() != b.list->size()) return false;
      for (std::size_t i = 0; i < a.list->size(); ++i) {
        if (!equal((*a.list)[i], (*b.list)[i])) return false;
      }
      return true;
    case Kind::record:
      if (a.record->size() != b.record->size()) return false;
      for (const RecordField& field : *a.record) {
        bool found = false;
        for (const RecordField& other : *b.record) {
          if (other.key == field.key) {
            found = equal(field.value, other.value);
            break;
          }
        }
        if (!found) return false;
      }
      return true;
    default:
      return false;
  }
}

bool less(const Value& in_a, const Value& in_b) {
  const Value a = deref(in_a);
  const Value b = deref(in_b);
  if (a.is_number()) return to_real(a) < to_real(b);
  if (a.kind == Kind::text) return fold_case(a.s) < fold_case(to_text(b, {}));
  if (a.kind == Kind::date) {
    if (b.kind != Kind::date) cannot_make(b, "date");
    return a.i < b.i;
  }
  throw ScriptError{"Can\xE2\x80\x99t compare " + describe(a) + " with " + describe(b) + ".", -1700};
}

// Howard Hinnant's days_from_civil.
std::int64_t days_from_civil(int year, int month, int day) {
  const std::int64_t y = static_cast<std::int64_t>(year) - (month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (month + 9) % 12;
  const std::int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilTime civil_from_seconds(std::int64_t seconds) {
  std::int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
  const std::int64_t rest = seconds - days * 86400;
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  CivilTime civil;
  civil.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  civil.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  civil.year = static_cast<int>(yoe + era * 400 + (civil.month <= 2 ? 1 : 0));
  civil.seconds = static_cast<int>(rest);
  return civil;
}

std::int64_t seconds_from_civil(int year, int month, int day, std::int64_t seconds_of_day) {
  // Months and days out of range roll over, as AppleScript's date setters do.
  std::int64_t y = year;
  std::int64_t m = month - 1;
  y += m >= 0 ? m / 12 : -((-m + 11) / 12);
  m = ((m % 12) + 12) % 12;
  return (days_from_civil(static_cast<int>(y), static_cast<int>(m + 1), 1) + day - 1) * 86400 + seconds_of_day;
}

int weekday_of(std::int64_t seconds) {
  const std::int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
  return static_cast<int>(((days % 7) + 7 + 4) % 7);  // 1970-01-01 was a Thursday
}

std::string date_string(std::int64_t seconds) {
  const CivilTime civil = civil_from_seconds(seconds);
  return std::string(weekday_names[weekday_of(seconds)]) + ", " + month_names[civil.month - 1] + " " +
         std::to_string(civil.day) + ", " + std::to_string(civil.year);
}

std::string time_string(std::int64_t seconds) {
  const CivilTime civil = civil_from_seconds(seconds);
  const int hour = civil.seconds / 3600;
  const int minute = civil.seconds / 60 % 60;
  const int second = civil.seconds % 60;
  const int hour12 = hour % 12 == 0 ? 12 : hour % 12;
  return std::to_string(hour12) + ":" + two(minute) + ":" + two(second) + (hour < 12 ? " AM" : " PM");
}

std::string full_date_text(std::int64_t seconds) { return date_string(seconds) + " at " + time_string(seconds); }

const char* month_name(int month) { return month_names[(month - 1 + 1200) % 12]; }
const char* weekday_name(int index) { return weekday_names[(index + 700) % 7]; }

std::optional<int> month_from_name(std::string_view name) {
  for (int i = 0; i < 12; ++i) {
    if (fold_case(month_names[i]) == name) return i + 1;
  }
  return std::nullopt;
}

std::optional<int> weekday_from_name(std::string_view name) {
  for (int i = 0; i < 7; ++i) {
    if (fold_case(weekday_names[i]) == name) return i;
  }
  return std::nullopt;
}

namespace {

std::vector<std::string> date_words(std::string_view text) {
  std::vector<std::string> words;
  std::string current;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      current += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else {
      if (!current.empty()) words.push_back(current);
      current.clear();
      if (c == '/' || c == '-' || c == ':') words.emplace_back(1, c);
    }
  }
  if (!current.empty()) words.push_back(current);
  return words;
}

bool all_digits(const std::string& word) {
  if (word.empty()) return false;
  for (char c : word) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

std::optional<std::int64_t> parse_date_text(std::string_view text) {
  // Accepts ISO "2026-12-04[ 15:00[:00]]", US "12/4/2026", and the long English form
  // AppleScript prints ("Friday, December 4, 2026 at 3:22:50 PM"), with or without a time.
  const std::vector<std::string> words = date_words(text);
  int year = -1, month = -1, day = -1;
  std::int64_t seconds = 0;
  std::size_t i = 0;
  auto number = [](const std::string& w) { return w.size() > 9 ? -1 : std::stoi(w); };
  if (words.size() >= 5 && all_digits(words[0]) && words[0].size() == 4 && words[1] == "-" && all_digits(words[2]) &&
      words[3] == "-" && all_digits(words[4])) {
    year = number(words[0]);
    month = number(words[2]);
    day = number(words[4]);
    i = 5;
  } else if (words.size() >= 5 && all_digits(words[0]) && words[1] == "/" && all_digits(words[2]) && words[3] == "/" &&
             all_digits(words[4])) {
    month = number(words[0]);
    day = number(words[2]);
    year = number(words[4]);
    if (year >= 0 && year < 100) year += 2000;
    i = 5;
  } else {
    if (i < words.size() && weekday_from_name(words[i])) ++i;
    if (i < words.size()) {
      if (const auto m = month_from_name(words[i])) {
        month = *m;
        ++i;
        if (i < words.size() && all_digits(words[i])) day = number(words[i++]);
        if (i < words.size() && all_digits(words[i])) year = number(words[i++]);
      } else if (all_digits(words[i]) && i + 1 < words.size()) {
        if (const auto m2 = month_from_name(words[i + 1])) {
          day = number(words[i]);
          month = *m2;
          i += 2;
          if (i < words.size() && all_digits(words[i])) year = number(words[i++]);
        }
      }
    }
  }
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return std::nullopt;
  const int month_days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day > month_days[month - 1] + (month == 2 && leap ? 1 : 0)) return std::nullopt;
  if (i < words.size() && words[i] == "at") ++i;
  if (i < words.size() && all_digits(words[i])) {
    int hour = number(words[i++]);
    int minute = 0, second = 0;
    if (i + 1 < words.size() && words[i] == ":" && all_digits(words[i + 1])) {
      minute = number(words[i + 1]);
      i += 2;
      if (i + 1 < words.size() && words[i] == ":" && all_digits(words[i + 1])) {
        second = number(words[i + 1]);
        i += 2;
      }
    }
    if (i < words.size() && (words[i] == "am" || words[i] == "pm")) {
      if (hour < 1 || hour > 12) return std::nullopt;
      hour = hour % 12 + (words[i] == "pm" ? 12 : 0);
      ++i;
    }
    if (hour > 23 || minute > 59 || second > 59 || hour < 0) return std::nullopt;
    seconds = hour * 3600 + minute * 60 + second;
  }
  if (i != words.size()) return std::nullopt;
  return days_from_civil(year, month, day) * 86400 + seconds;
}

std::int64_t local_now_seconds() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return seconds_from_civil(local.tm_year + 1900, local.tm_mon + 1, local.tm_mday,
                            local.tm_hour * 3600 + local.tm_min * 60 + local.tm_sec);
}

}  // namespace takt::sim::as
