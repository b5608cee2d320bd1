#include "things/data/recurrence.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <utility>

namespace takt::things {
namespace {

struct Member;

/// A value of a property list: a number, some text, or a container of values.
struct PValue {
  enum Kind { Number, Text, Array, Dict } kind = Number;
  double number = 0;
  std::string text;
  std::vector<PValue> items;
  std::vector<Member> members;

  const PValue* find(std::string_view key) const;
};

/// A member of a dict. (Not a std::pair<std::string, PValue>: clang 14 with libstdc++ 12,
/// the fuzz build's compiler, cannot instantiate that inside PValue.)
struct Member {
  std::string key;
  PValue value;
};

const PValue* PValue::find(std::string_view key) const {
  for (const auto& [k, v] : members)
    if (k == key) return &v;
  return nullptr;
}

/// Reads the XML form of a property list, the subset Things writes: dict, array, key,
/// integer, real, string, true and false. Tolerant of white space and the prologue.
class PlistReader {
 public:
  explicit PlistReader(std::string_view s) : s_(s) {}

  std::optional<PValue> document() {
    std::string tag;
    while (next_tag(tag))
      if (tag == "dict" || tag == "array" || tag == "dict/" || tag == "array/") return value(tag);
    return std::nullopt;
  }

 private:
  /// The next element tag's name (with a trailing '/' when empty), skipping the prologue.
  bool next_tag(std::string& name) {
    while (true) {
      const auto open = s_.find('<', pos_);
      if (open == std::string_view::npos) return false;
      const auto close = s_.find('>', open);
      if (close == std::string_view::npos) return false;
      pos_ = close + 1;
      auto inner = s_.substr(open + 1, close - open - 1);
      if (inner.empty() || inner[0] == '?' || inner[0] == '!') continue;
      if (inner.rfind("plist", 0) == 0 || inner == "/plist") continue;
      name.assign(inner.substr(0, inner.find(' ')));
      return true;
    }
  }

  /// The text up to the closing tag `</name>`.
  std::optional<std::string> text_until(const std::string& name) {
    const auto end = s_.find("</" + name + ">", pos_);
    if (end == std::string_view::npos) return std::nullopt;
    std::string text(s_.substr(pos_, end - pos_));
    pos_ = end + name.size() + 3;
    return text;
  }

  std::optional<PValue> value(const std::string& tag) {
    if (++depth_ > 16) return std::nullopt;  // Things' rules nest two levels deep
    auto v = value_of(tag);
    --depth_;
    return v;
  }

  std::optional<PValue> value_of(const std::string& tag) {
    PValue v;
    if (tag == "dict/" || tag == "array/") {
      v.kind = tag == "dict/" ? PValue::Dict : PValue::Array;
      return v;
    }
    if (tag == "true/" || tag == "false/") {
      v.number = tag == "true/" ? 1 : 0;
      return v;
    }
    if (tag == "dict") return dict();
    if (tag == "array") return array();
    auto text = text_until(tag);
    if (!text) return std::nullopt;
    if (tag == "integer" || tag == "real") {
      char* end = nullptr;
      v.number = std::strtod(text->c_str(), &end);
      if (end == text->c_str()) return std::nullopt;
    } else {
      v.kind = PValue::Text;
      v.text = std::move(*text);
    }
    return v;
  }

  std::optional<PValue> dict() {
    PValue v;
    v.kind = PValue::Dict;
    std::string tag;
    while (next_tag(tag)) {
      if (tag == "/dict") return v;
      if (tag != "key") return std::nullopt;
      auto key = text_until("key");
      if (!key || !next_tag(tag)) return std::nullopt;
      auto member = value(tag);
      if (!member) return std::nullopt;
      v.members.push_back({std::move(*key), std::move(*member)});
    }
    return std::nullopt;
  }

  std::optional<PValue> array() {
    PValue v;
    v.kind = PValue::Array;
    std::string tag;
    while (next_tag(tag)) {
      if (tag == "/array") return v;
      auto item = value(tag);
      if (!item) return std::nullopt;
      v.items.push_back(std::move(*item));
    }
    return std::nullopt;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

std::optional<int> int_of(const PValue& dict, std::string_view key) {
  const auto* v = dict.find(key);
  if (!v || v->kind != PValue::Number) return std::nullopt;
  return static_cast<int>(v->number);
}

RepeatOffset offset_of(const PValue& entry) {
  return {int_of(entry, "wd"), int_of(entry, "wdo"), int_of(entry, "dy"), int_of(entry, "mo")};
}

// Things writes 4001-01-01T00:00:00Z (64092211200) for a rule that never ends.
constexpr double kNever = 64092211200.0;

std::optional<Date> end_of(const PValue& dict) {
  const auto* ed = dict.find("ed");
  if (!ed || ed->kind != PValue::Number || ed->number >= kNever) return std::nullopt;
  std::time_t t = static_cast<std::time_t>(std::floor(ed->number));
  std::tm tm{};
  gmtime_r(&t, &tm);
  return Date{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

const char* weekday_name(int wd) {
  static const char* names[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
  return wd >= 0 && wd <= 6 ? names[wd] : "?";
}

const char* month_name(int mo) {
  static const char* names[] = {"January", "February", "March",     "April",   "May",      "June",
                                "July",    "August",   "September", "October", "November", "December"};
  return mo >= 1 && mo <= 12 ? names[mo - 1] : "?";
}

std::string ordinal_name(int n) {
  static const char* names[] = {"first", "second", "third", "fourth", "fifth"};
  if (n == -1) return "last";
  return n >= 1 && n <= 5 ? names[n - 1] : std::to_string(n) + "th";
}

/// "a", "a and b", "a, b and c".
std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += i + 1 == parts.size() ? " and " : ", ";
    out += parts[i];
  }
  return out;
}

std::string every(const RepeatRule& r) {
  const std::string unit = repeat_unit_name(r.unit);
  if (r.interval > 1) return "every " + std::to_string(r.interval) + " " + unit + "s";
  return unit == "month" ? "monthly" : "every " + unit;
}

std::string weekly_days(const RepeatRule& r) {
  std::vector<int> days;
  for (const auto& o : r.offsets)
    if (o.weekday) days.push_back(*o.weekday);
  // Monday first, as a week is read; Sunday last.
  std::sort(days.begin(), days.end(), [](int a, int b) { return (a + 6) % 7 < (b + 6) % 7; });
  days.erase(std::unique(days.begin(), days.end()), days.end());
  std::vector<std::string> names;
  for (int d : days) names.emplace_back(weekday_name(d));
  return names.empty() ? "" : " on " + join(names);
}

/// One offset within a month: "day 15", "the last day", "the second Tuesday".
std::string in_month(const RepeatOffset& o) {
  if (o.weekday) return "the " + (o.ordinal ? ordinal_name(*o.ordinal) + " " : std::string{}) + weekday_name(*o.weekday);
  if (o.day && *o.day == -1) return "the last day";
  if (o.day && *o.day > 0) return "day " + std::to_string(*o.day);
  return "";
}

std::string monthly_days(const RepeatRule& r) {
  std::vector<std::string> days, others;
  for (const auto& o : r.offsets) {
    if (!o.weekday && o.day && *o.day > 0) days.push_back(std::to_string(*o.day));
    else if (auto phrase = in_month(o); !phrase.empty()) others.push_back(phrase);
  }
  std::vector<std::string> parts;
  if (days.size() == 1) parts.push_back("day " + days[0]);
  if (days.size() > 1) parts.push_back("days " + join(days));
  parts.insert(parts.end(), others.begin(), others.end());
  return parts.empty() ? "" : " on " + join(parts);
}

std::string yearly_days(const RepeatRule& r) {
  std::vector<std::string> parts;
  for (const auto& o : r.offsets) {
    if (!o.month) {
      if (auto phrase = in_month(o); !phrase.empty()) parts.push_back(phrase);
    } else if (o.weekday) {
      parts.push_back(in_month(o) + " of " + month_name(*o.month));
    } else if (o.day && *o.day > 0) {
      parts.push_back(std::string(month_name(*o.month)) + " " + std::to_string(*o.day));
    } else if (o.day && *o.day == -1) {
      parts.push_back("the last day of " + std::string(month_name(*o.month)));
    }
  }
  return parts.empty() ? "" : " on " + join(parts);
}

std::string when_in_unit(const RepeatRule& r) {
  switch (r.unit) {
    case 256: return weekly_days(r);
    case 8: return monthly_days(r);
    case 4: return yearly_days(r);
    default: return "";  // a daily rule has no days to name
  }
}

}  // namespace

std::optional<RepeatRule> parse_repeat_rule(std::string_view plist) {
  auto doc = PlistReader(plist).document();
  if (!doc || doc->kind != PValue::Dict) return std::nullopt;
  RepeatRule r;
  r.unit = int_of(*doc, "fu").value_or(0);
  r.interval = std::max(1, int_of(*doc, "fa").value_or(1));
  r.after_completion = int_of(*doc, "tp").value_or(0) == 1;
  r.count = std::max(0, int_of(*doc, "rc").value_or(0));
  r.ends = end_of(*doc);
  if (const auto* of = doc->find("of"); of && of->kind == PValue::Array)
    for (const auto& entry : of->items)
      if (entry.kind == PValue::Dict) r.offsets.push_back(offset_of(entry));
  return r;
}

const char* repeat_unit_name(int unit) {
  switch (unit) {
    case 16: return "day";
    case 256: return "week";
    case 8: return "month";
    case 4: return "year";
    default: return nullptr;
  }
}

std::string describe(const RepeatRule& r) {
  if (!repeat_unit_name(r.unit)) return "repeats (by a rule takt cannot read)";
  // After completion, Things counts from the day the last one was done: no fixed days.
  std::string text = every(r) + (r.after_completion ? " after completion" : when_in_unit(r));
  if (r.count > 0) text += ", " + std::to_string(r.count) + (r.count == 1 ? " time" : " times");
  if (r.ends) text += ", until " + iso_date(*r.ends);
  return text;
}

}  // namespace takt::things
