#include "things/catalog/tools.hpp"

#include <functional>
#include <limits>
#include <map>

#include "base/json.hpp"
#include "things/catalog/schema.hpp"
#include "things/data/folding.hpp"

namespace takt::things {
namespace {

/// An integer argument; one beyond 2^63-1 (the schema lets any integer through) counts as
/// the largest, so an offset of 2^63 is past the end like 2^63-1, not wrapped to page one.
std::optional<long long> whole_number(const rapidjson::Value& args, const char* name) {
  const auto* v = json::member(args, name);
  if (v && !v->IsInt64() && v->IsUint64()) return std::numeric_limits<long long>::max();
  return json::get_int(args, name);
}

Page page_of(const rapidjson::Value& args) {
  Page p;
  if (auto limit = whole_number(args, "limit")) p.limit = *limit;
  if (auto offset = whole_number(args, "offset")) p.offset = *offset;
  return p;
}

ListArgs list_of(const rapidjson::Value& args) { return {page_of(args), json::get_bool(args, "compact").value_or(false)}; }

std::optional<std::string> opt_string(const rapidjson::Value& args, const char* name) {
  if (auto v = json::get_string(args, name)) return std::string(*v);
  return std::nullopt;
}

// ---- read tools: meaning of the arguments (their form is checked by the schema) ----------

std::optional<Period> period_arg(const rapidjson::Value& args, const char* name) {
  if (auto text = json::get_string(args, name)) return parse_period(*text);
  return std::nullopt;
}

std::optional<int> status_arg(const rapidjson::Value& args) {
  auto s = json::get_string(args, "status");
  if (!s) return std::nullopt;
  return *s == "completed" ? 3 : *s == "canceled" ? 2 : 0;
}

std::optional<int> type_arg(const rapidjson::Value& args) {
  auto t = json::get_string(args, "type");
  if (!t) return std::nullopt;
  return *t == "project" ? 1 : *t == "heading" ? 2 : 0;
}

DateRange range_arg(const rapidjson::Value& args, const char* name) {
  DateRange r;
  const auto* v = json::member(args, name);
  if (!v) return r;
  auto date = [&](const char* key) -> std::optional<Date> {
    if (auto text = json::get_string(*v, key)) return parse_iso_date(*text);
    return std::nullopt;
  };
  return {date("on"), date("before"), date("after")};
}

SearchCriteria criteria_of(const rapidjson::Value& args) {
  SearchCriteria c;
  c.query = opt_string(args, "query").value_or("");
  c.status = status_arg(args);
  c.type = type_arg(args);
  c.tag = opt_string(args, "tag");
  c.area = opt_string(args, "area");
  c.project = opt_string(args, "project");
  c.start_date = range_arg(args, "start_date");
  c.deadline = range_arg(args, "deadline");
  c.created_within = period_arg(args, "created_within");
  return c;
}

std::optional<std::string> check_period(const rapidjson::Value& args, const char* name) {
  auto text = json::get_string(args, name);
  if (!text || parse_period(*text)) return std::nullopt;
  return std::string(name) + ": '" + std::string(*text) +
         "' is not a period; write a number and d(ays), w(eeks), m(onths) or y(ears), like 7d, 2w, 1m or 1y";
}

/// A date range must be satisfiable: `on` alone, or `after` at least two days before `before`.
std::optional<std::string> check_range(const rapidjson::Value& args, const char* name) {
  const auto r = range_arg(args, name);
  if (r.on && (r.before || r.after)) return std::string(name) + ": give either 'on', or 'before' and/or 'after'";
  if (r.before && r.after && days_between(*r.after, *r.before) < 2)
    return std::string(name) + ": no day is after " + iso_date(*r.after) + " and before " + iso_date(*r.before);
  return std::nullopt;
}

std::optional<std::string> check_read_arguments(const rapidjson::Value& args) {
  for (const char* name : {"period", "created_within"})
    if (auto err = check_period(args, name)) return err;
  for (const char* name : {"start_date", "deadline"})
    if (auto err = check_range(args, name)) return err;
  if (auto query = json::get_string(args, "query"); query && search_words(*query).empty())
    return "query: must hold at least one word to search for";
  return std::nullopt;
}

using ReadFn = std::function<std::string(const rapidjson::Value&, ThingsDb&)>;

const std::map<std::string, ReadFn, std::less<>>& read_tools() {
  using V = const rapidjson::Value&;
  static const std::map<std::string, ReadFn, std::less<>> tools = {
      {"get_inbox", [](V a, ThingsDb& db) { return db.inbox(list_of(a)); }},
      {"get_today", [](V a, ThingsDb& db) { return db.today(list_of(a)); }},
      {"get_upcoming", [](V a, ThingsDb& db) { return db.upcoming(list_of(a)); }},
      {"get_anytime", [](V a, ThingsDb& db) { return db.anytime(list_of(a)); }},
      {"get_someday", [](V a, ThingsDb& db) { return db.someday(list_of(a)); }},
      {"get_logbook", [](V a, ThingsDb& db) { return db.logbook(list_of(a), period_arg(a, "period")); }},
      {"get_trash", [](V a, ThingsDb& db) { return db.trash(list_of(a)); }},
      {"get_projects", [](V a, ThingsDb& db) { return db.projects(list_of(a), opt_string(a, "area")); }},
      {"get_areas", [](V a, ThingsDb& db) { return db.areas(list_of(a)); }},
      {"get_tags", [](V a, ThingsDb& db) { return db.tags(list_of(a)); }},
      {"get_headings",
       [](V a, ThingsDb& db) { return db.headings(list_of(a), opt_string(a, "project").value_or("")); }},
      {"get_todos",
       [](V a, ThingsDb& db) {
         return db.todos(list_of(a), {opt_string(a, "project"), opt_string(a, "area"), opt_string(a, "tag")});
       }},
      {"get_item",
       [](V a, ThingsDb& db) {
         return db.item(opt_string(a, "id").value_or(""), json::get_bool(a, "compact").value_or(false));
       }},
      {"search", [](V a, ThingsDb& db) { return db.search(list_of(a), criteria_of(a)); }},
      {"search_advanced", [](V a, ThingsDb& db) { return db.search(list_of(a), criteria_of(a)); }},
      {"get_recent",
       [](V a, ThingsDb& db) { return db.recent(list_of(a), period_arg(a, "period").value_or(Period{7, 'd'})); }},
      {"get_due", [](V a, ThingsDb& db) { return db.due(list_of(a), json::get_int(a, "days").value_or(7)); }},
      {"get_summary", [](V, ThingsDb& db) { return db.summary(); }},
      {"get_repeating", [](V a, ThingsDb& db) { return db.repeating(list_of(a)); }},
  };
  return tools;
}

}  // namespace

std::optional<std::string> check_arguments(const ToolSpec& tool, const rapidjson::Value& args, const Dialect& dialect) {
  if (auto err = tool.input_check->validate(args)) return err;
  if (tool.kind == ToolKind::Read) return check_read_arguments(args);
  if (tool.kind != ToolKind::Write) return std::nullopt;
  if (auto err = check_write_arguments(tool, args)) return err;
  for (const auto& op : to_operations(tool, args))
    if (auto why = dialect.unsupported(op)) return *why;
  return std::nullopt;
}

std::string run_read(const ToolSpec& tool, const rapidjson::Value& args, ThingsDb& db) {
  const auto& tools = read_tools();
  auto it = tools.find(tool.name);
  if (it == tools.end()) throw std::logic_error("run_read: " + tool.name + " is not a read tool");
  return it->second(args, db);
}

std::optional<int> unknown_kind(const std::string&) { return std::nullopt; }

std::string tool_result(const std::string& structured_json) {
  return R"({"content":[{"type":"text","text":)" + json::quote(structured_json) + R"(}],"structuredContent":)" +
         structured_json + R"(,"isError":false})";
}

std::string tool_result(const std::string& structured_json, const std::string& summary) {
  return R"({"content":[{"type":"text","text":)" + json::quote(structured_json) + R"(},{"type":"text","text":)" +
         json::quote(summary) + R"(}],"structuredContent":)" + structured_json + R"(,"isError":false})";
}

std::string tool_error(const std::string& message) {
  return R"({"content":[{"type":"text","text":)" + json::quote(message) + R"(}],"isError":true})";
}

}  // namespace takt::things
