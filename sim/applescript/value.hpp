// AppleScript values as things-sim's interpreter holds them: text, numbers, booleans,
// lists and records (shared, as AppleScript's `set` shares them), dates, constants,
// application object specifiers and `item i of L` references (the loop variable of
// `repeat with x in L`). Also the coercions and the text forms osascript prints.
// Part of sim/applescript: standard C++ only, no SQLite, no Things, no takt code.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace takt::sim::as {

// An AppleScript error: what `on error m number n` catches and what osascript prints as
// "execution error: MESSAGE (NUMBER)".
struct ScriptError {
  std::string message;
  long number = -2700;
};

// A limit of the sim itself (steps, depth, memory): not catchable by `try`, so a hostile
// script cannot loop around it.
struct LimitError {
  std::string message;
};

struct Value;
using List = std::vector<Value>;
using ListP = std::shared_ptr<List>;
struct RecordField;
using Record = std::vector<RecordField>;
using RecordP = std::shared_ptr<Record>;

enum class Kind {
  nothing,   // no result (a command that returns nothing)
  missing,   // missing value
  boolean,
  integer,
  real,
  text,
  list,
  record,
  date,
  constant,  // an enumerator or class name: completed, January, days? (no: numbers), to do
  object,    // an application object: class + id (application: class "application")
  itemref,   // item `index` of a list: the variable of `repeat with x in L`
};

struct Value {
  Kind kind = Kind::nothing;
  bool b = false;
  std::int64_t i = 0;   // integer; date: naive local seconds since 1970-01-01 00:00
  double r = 0.0;
  std::string s;        // text; constant name; object class
  std::string id;       // object id (application: its name)
  ListP list;           // list; itemref: the list
  RecordP record;

  static Value none() { return {}; }
  static Value missing_value() { Value v; v.kind = Kind::missing; return v; }
  static Value boolean(bool b) { Value v; v.kind = Kind::boolean; v.b = b; return v; }
  static Value integer(std::int64_t i) { Value v; v.kind = Kind::integer; v.i = i; return v; }
  static Value real(double r) { Value v; v.kind = Kind::real; v.r = r; return v; }
  static Value text(std::string s) { Value v; v.kind = Kind::text; v.s = std::move(s); return v; }
  static Value constant(std::string name) { Value v; v.kind = Kind::constant; v.s = std::move(name); return v; }
  static Value date(std::int64_t seconds) { Value v; v.kind = Kind::date; v.i = seconds; return v; }
  static Value object(std::string cls, std::string id) {
    Value v; v.kind = Kind::object; v.s = std::move(cls); v.id = std::move(id); return v;
  }
  static Value make_list(List items = {}) {
    Value v; v.kind = Kind::list; v.list = std::make_shared<List>(std::move(items)); return v;
  }
  static Value make_record(Record fields);
  static Value item_ref(ListP list, std::int64_t index) {
    Value v; v.kind = Kind::itemref; v.list = std::move(list); v.i = index; return v;
  }
  bool is_number() const { return kind == Kind::integer || kind == Kind::real; }
};

struct RecordField {
  std::string key;
  Value value;
};

// The value an itemref points at (itself for anything else).
Value deref(const Value& value);

// `copy`: a deep copy of lists and records.
Value deep_copy(const Value& value);

// Coercions (`as text`, `as integer`, ...). `tids` are AppleScript's text item delimiters
// (the first one joins a list). Throw ScriptError -1700 when the value cannot be made
// into the class.
std::string to_text(const Value& value, const std::vector<std::string>& tids);
std::int64_t to_integer(const Value& value);
double to_real(const Value& value);
bool to_boolean(const Value& value);
Value coerce(const Value& value, std::string_view cls, const std::vector<std::string>& tids);

// AppleScript's source form of a value in messages: "abc" quoted, {1, 2}, to do id "x".
std::string describe(const Value& value);
// What osascript prints for a result (its default, human-readable form).
std::string osascript_text(const Value& value);

// Equality as AppleScript's `=` sees it (text ignoring case; 1 = 1.0; an itemref is never
// equal to a plain value: the classic `repeat with x in L` gotcha).
bool equal(const Value& a, const Value& b);
// <, for numbers, text (ignoring case), dates. Throws -1700 for anything else.
bool less(const Value& a, const Value& b);

// Lower-case ASCII (AppleScript compares text ignoring case by default).
std::string fold_case(std::string_view text);
// Unicode code points of UTF-8 text, as separate UTF-8 strings (characters).
std::vector<std::string> characters(std::string_view text);

// Dates: naive local time, seconds since 1970-01-01 00:00.
struct CivilTime {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;
  int seconds = 0;  // since midnight
};
std::int64_t days_from_civil(int year, int month, int day);
CivilTime civil_from_seconds(std::int64_t seconds);
std::int64_t seconds_from_civil(int year, int month, int day, std::int64_t seconds_of_day);
int weekday_of(std::int64_t seconds);  // 0 = Sunday
std::string date_string(std::int64_t seconds);   // Friday, December 4, 2026
std::string time_string(std::int64_t seconds);   // 3:22:50 PM
std::string full_date_text(std::int64_t seconds);  // date string & " at " & time string
std::optional<std::int64_t> parse_date_text(std::string_view text);
const char* month_name(int month);    // 1..12
const char* weekday_name(int index);  // 0 = Sunday
std::optional<int> month_from_name(std::string_view name);  // lower-case English
std::optional<int> weekday_from_name(std::string_view name);
std::int64_t local_now_seconds();

}  // namespace takt::sim::as
