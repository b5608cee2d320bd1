#include "things/applescript.hpp"

#include <sstream>

namespace takt::things {

std::string applescript_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\" & linefeed & \""; break;
      case '\r': out += "\" & return & \""; break;
      default: out += c;
    }
  }
  return out + "\"";
}

namespace {

/// An AppleScript date for a calendar day at midnight, built field by field so it does
/// not depend on the Mac's date format. The day is set to 1 first so no month overflows.
std::string applescript_date(const std::string& var, const Date& d) {
  std::ostringstream s;
  s << "  set " << var << " to current date\n"
    << "  set day of " << var << " to 1\n"
    << "  set year of " << var << " to " << d.year << "\n"
    << "  set month of " << var << " to " << d.month << "\n"
    << "  set day of " << var << " to " << d.day << "\n"
    << "  set time of " << var << " to 0\n";
  return s.str();
}

std::string render_add_todo(const AddTodo& a, const Date& today, std::size_t n) {
  std::ostringstream s;
  const std::string v = "t" + std::to_string(n);
  s << "  set " << v << " to make new to do with properties {name:" << applescript_string(a.title);
  if (a.notes) s << ", notes:" << applescript_string(*a.notes);
  s << "}";
  if (a.project) s << " at beginning of project id " << applescript_string(*a.project) << "\n";
  else if (a.area) s << " at beginning of area id " << applescript_string(*a.area) << "\n";
  else s << " at beginning of list \"Inbox\"\n";
  if (!a.tags.empty()) {
    std::string joined;
    for (const auto& t : a.tags) joined += (joined.empty() ? "" : ", ") + t;
    s << "  set tag names of " << v << " to " << applescript_string(joined) << "\n";
  }
  if (a.deadline) {
    if (auto d = parse_iso_date(*a.deadline)) {
      s << applescript_date("d" + std::to_string(n), *d);
      s << "  set due date of " << v << " to d" << n << "\n";
    }
  }
  if (a.when) {
    if (*a.when == "today") s << "  move " << v << " to list \"Today\"\n";
    else if (*a.when == "anytime") s << "  move " << v << " to list \"Anytime\"\n";
    else if (*a.when == "someday") s << "  move " << v << " to list \"Someday\"\n";
    else if (auto d = parse_iso_date(*a.when)) {
      if (pack_date(*d) <= pack_date(today)) {
        s << "  move " << v << " to list \"Today\"\n";
      } else {
        s << applescript_date("w" + std::to_string(n), *d);
        s << "  schedule " << v << " for w" << n << "\n";
      }
    }
  }
  s << "  set end of takt_ids to (id of " << v << ")\n";
  return s.str();
}

}  // namespace

std::string AppleScriptDialect::render(const std::vector<Operation>& ops) const {
  std::ostringstream s;
  const Date today = today_();
  s << "set takt_ids to {}\ntell application \"Things3\"\n";
  std::size_t n = 0;
  for (const auto& op : ops) {
    // Reads never reach here: unsupported() turns them away before they are queued.
    if (const auto* a = std::get_if<AddTodo>(&op)) s << render_add_todo(*a, today, n++);
  }
  s << "end tell\nset AppleScript's text item delimiters to linefeed\nreturn takt_ids as text\n";
  return s.str();
}

std::optional<std::string> AppleScriptDialect::unsupported(const Operation& op) const {
  if (std::holds_alternative<ReadOp>(op))
    return "tools.reads_via: applescript is not available with osascript yet; set it to database";
  if (!std::holds_alternative<AddTodo>(op)) return op_name(op) + ": not available through osascript yet";
  const auto& a = std::get<AddTodo>(op);
  if (a.heading) return "heading: Things' AppleScript cannot place a to-do under a heading";
  if (!a.checklist.empty()) return "checklist: Things' AppleScript cannot create checklist items";
  if (a.when && *a.when == "evening") return "when: Things' AppleScript cannot schedule for This Evening";
  return std::nullopt;
}

std::vector<OpResult> AppleScriptDialect::parse(const ScriptOutput& out, std::size_t op_count) const {
  if (!out.started || out.timed_out || out.exit_code != 0) return all_failed(op_count, describe_failure(out));
  std::vector<OpResult> rs;
  std::istringstream lines(out.out);
  std::string line;
  while (std::getline(lines, line) && rs.size() < op_count) {
    line = trim_end(line);
    // Things may answer an event it rejected with an error text while osascript exits 0.
    const bool looks_like_id = !line.empty() && line.find(' ') == std::string::npos;
    rs.push_back(looks_like_id ? OpResult{true, line, {}, {}} : OpResult{false, {}, "Things answered: " + line, {}});
  }
  while (rs.size() < op_count) rs.push_back(OpResult{false, {}, "Things returned no id for this operation", {}});
  return rs;
}

}  // namespace takt::things
