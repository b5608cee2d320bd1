// The read tools of the catalogue: what each takes and returns. Every one runs in the
// medium lane (a read of the Things database), is cacheable, read-only and idempotent.

#include <string>

#include "things/catalog/catalog_parts.hpp"

namespace takt::things {
namespace {

// ---- input schemas ------------------------------------------------------------------------

const std::string kPageProps = R"(
  "limit":{"type":"integer","minimum":1,"maximum":1000,"description":"Most items to return (default 100)."},
  "offset":{"type":"integer","minimum":0,"description":"Items to skip, for paging (default 0)."},
  "compact":{"type":"boolean","description":"Only id, type, title, status, start date and deadline of each item (default false): small answers for a long list."})";

const std::string kPeriodText =
    "A period back from today: a number and d(ays), w(eeks), m(onths) or y(ears), like 7d, 2w, 1m or 1y. "
    "It covers today and that much before it, by local dates.";

std::string period_prop(const std::string& name, const std::string& what) {
  return "\"" + name + R"(":{"type":"string","description":")" + what + " " + kPeriodText + "\"}";
}

std::string date_range(const std::string& name, const std::string& what) {
  return "\"" + name + R"(":{"type":"object","description":")" + what + R"( Give on, or before and/or after (both exclusive).",
    "properties":{"on":{"type":"string","format":"date","description":"YYYY-MM-DD"},
                  "before":{"type":"string","format":"date","description":"YYYY-MM-DD"},
                  "after":{"type":"string","format":"date","description":"YYYY-MM-DD"}},
    "minProperties":1,"additionalProperties":false})";
}

/// An input schema of a tool taking `props` (comma-separated property schemas).
std::string input(const std::string& props, const std::string& required = "") {
  return R"({"type":"object","properties":{)" + props + "}," +
         (required.empty() ? "" : R"("required":[)" + required + "],") + R"("additionalProperties":false})";
}

/// A list tool's input: its own properties, then paging and compact.
std::string list_input(const std::string& props = "", const std::string& required = "") {
  return input(props.empty() ? kPageProps : props + "," + kPageProps, required);
}

const std::string kStatusProp =
    R"("status":{"type":"string","enum":["open","completed","canceled"],"description":"Only items with this status (default: every status)."})";

// ---- output schemas -----------------------------------------------------------------------

const std::string kDate = R"({"type":"string","format":"date"})";

const std::string kItemProps = R"(
  "id":{"type":"string"},"type":{"type":"string","enum":["to-do","project","heading"]},
  "title":{"type":"string"},"status":{"type":"string","enum":["open","completed","canceled"]},
  "start_date":{"type":"string","format":"date","description":"The day it is scheduled for."},
  "deadline":{"type":"string","format":"date"},
  "notes":{"type":"string"},"start":{"type":"string","enum":["inbox","anytime","someday"]},
  "evening":{"type":"boolean","description":"In This Evening."},
  "reminder_time":{"type":"string","description":"HH:MM"},
  "stop_date":{"type":"string","format":"date","description":"The local day it was completed or canceled."},
  "trashed":{"type":"boolean"},
  "project":{"type":"string"},"project_title":{"type":"string"},
  "area":{"type":"string"},"area_title":{"type":"string"},
  "heading":{"type":"string"},"heading_title":{"type":"string"},
  "tags":{"type":"array","items":{"type":"string"}},
  "created":{"type":"string","description":"ISO 8601, UTC"},"modified":{"type":"string","description":"ISO 8601, UTC"},
  "repeating_template":{"type":"string","description":"Of a repeating to-do's instance: its template's id."},
  "overdue":{"type":"boolean"},"days_left":{"type":"integer","description":"Days to the deadline; negative when overdue."},
  "repeat":{"type":"object","properties":{
    "rule":{"type":"string","description":"The rule in words, like 'every week on Monday'."},
    "unit":{"type":"string","enum":["day","week","month","year"]},"interval":{"type":"integer","minimum":1},
    "after_completion":{"type":"boolean"},"paused":{"type":"boolean"},
    "next_start_date":{"type":"string","format":"date"}},
    "required":["rule","after_completion","paused"]})";

const std::string kItemRequired = R"("required":["id","type","title","status"])";

std::string item_schema(const std::string& extra_props = "") {
  return R"({"type":"object","properties":{)" + kItemProps + extra_props + "}," + kItemRequired + "}";
}

const std::string kCountProps = R"(
  "count":{"type":"integer","minimum":0,"description":"Items in this answer."},
  "total":{"type":"integer","minimum":0,"description":"Items in the whole list."})";

std::string list_output(const std::string& item) {
  return R"({"type":"object","properties":{"items":{"type":"array","items":)" + item + "}," + kCountProps +
         R"(},"required":["items","count","total"]})";
}

std::string item_output() {
  const std::string todos = R"(,"todos":{"type":"array","items":)" + item_schema() + "}";
  const std::string contents = R"(,
    "checklist":{"type":"array","items":{"type":"object","properties":{
      "id":{"type":"string"},"title":{"type":"string"},
      "status":{"type":"string","enum":["open","completed","canceled"]},"stop_date":)" + kDate +
                               R"(},"required":["id","title","status"]}},
    "headings":{"type":"array","items":{"type":"object","properties":{
      "id":{"type":"string"},"title":{"type":"string"})" + todos +
                               R"(},"required":["id","title","todos"]}})" + todos;
  return R"({"type":"object","properties":{"item":)" + item_schema(contents) + R"(},"required":["item"]})";
}

const std::string kAreaItem = R"({"type":"object","properties":{
  "id":{"type":"string"},"type":{"type":"string","enum":["area"]},"title":{"type":"string"},
  "tags":{"type":"array","items":{"type":"string"}},
  "open_projects":{"type":"integer","minimum":0},"open_todos":{"type":"integer","minimum":0}},
  "required":["id","type","title"]})";

const std::string kTagItem = R"({"type":"object","properties":{
  "id":{"type":"string"},"type":{"type":"string","enum":["tag"]},"title":{"type":"string"},
  "shortcut":{"type":"string"},"parent":{"type":"string"},"parent_title":{"type":"string"},
  "open_items":{"type":"integer","minimum":0,"description":"Open items carrying the tag."},
  "all_items":{"type":"integer","minimum":0,"description":"Items of any status carrying it, outside the Trash."},
  "areas":{"type":"integer","minimum":0,"description":"Areas carrying it."}},
  "required":["id","type","title"]})";

std::string summary_output() {
  std::string props = R"("today_date":{"type":"string","format":"date","description":"The local date the lists are for."})";
  std::string required = R"("today_date")";
  for (const char* n : {"inbox", "today", "upcoming", "anytime", "someday", "logbook_last_7_days", "trash", "projects",
                        "areas"}) {
    props += std::string(",\"") + n + R"(":{"type":"integer","minimum":0})";
    required += std::string(",\"") + n + "\"";
  }
  return R"({"type":"object","properties":{)" + props + R"(},"required":[)" + required + "]}";
}

// ---- the tools ----------------------------------------------------------------------------

void add(std::vector<ToolSpec>& tools, const char* name, const char* title, const std::string& description,
         const std::string& in, const std::string& out) {
  tools.push_back(make_tool(name, title, description, ToolKind::Read, CostClass::Medium, in, out));
}

void add_lists(std::vector<ToolSpec>& tools) {
  const std::string items = list_output(item_schema());
  add(tools, "get_inbox", "Inbox", "List the open to-dos in the Things Inbox, in Things' order.", list_input(), items);
  add(tools, "get_today", "Today",
      "List what Things shows in Today: to-dos and projects started for today or earlier, scheduled items whose "
      "date has come, and items whose deadline has passed. This Evening comes last. Today is the local date.",
      list_input(), items);
  add(tools, "get_upcoming", "Upcoming",
      "List the open items scheduled for a later day than today, soonest first.", list_input(), items);
  add(tools, "get_anytime", "Anytime",
      "List the open items Things shows in Anytime (Today's included), in Things' order. To-dos of projects in "
      "Someday or Upcoming are left out, as Things shows them only in their project.",
      list_input(), items);
  add(tools, "get_someday", "Someday", "List the open items in Someday (no date), in Things' order.", list_input(),
      items);
  add(tools, "get_logbook", "Logbook",
      "List completed and canceled items, the most recently finished first.",
      list_input(period_prop("period", "Only items finished within this period (default: the whole Logbook).")),
      items);
  add(tools, "get_trash", "Trash", "List the items in the Trash, whatever their status.", list_input(), items);
}

void add_structure(std::vector<ToolSpec>& tools) {
  const std::string items = list_output(item_schema());
  add(tools, "get_projects", "Projects", "List the open projects, with their area, in Things' order.",
      list_input(R"("area":{"type":"string","minLength":1,"description":"Only the projects of this area (its id)."})"),
      items);
  add(tools, "get_areas", "Areas",
      "List the areas in Things' order, with their tags and how many open projects and to-dos each holds.",
      list_input(), list_output(kAreaItem));
  add(tools, "get_tags", "Tags",
      "List the tags in Things' order, with how many open items, items of any status and areas carry each.",
      list_input(), list_output(kTagItem));
  add(tools, "get_headings", "Headings", "List the open headings of a project, in Things' order.",
      list_input(R"("project":{"type":"string","minLength":1,"description":"The project's id."})", R"("project")"),
      items);
  add(tools, "get_todos", "To-dos",
      "List open to-dos in Things' order, narrowed by project, area and/or tag (all that are given must match). "
      "A project's to-dos include those under its headings; an area's include those of its projects.",
      list_input(R"("project":{"type":"string","minLength":1,"description":"A project's id."},
        "area":{"type":"string","minLength":1,"description":"An area's id."},
        "tag":{"type":"string","minLength":1,"description":"A tag's title or id."})"),
      items);
  add(tools, "get_item", "Item",
      "Show one to-do, project or heading by id, whatever its status: a to-do with its checklist, a project with "
      "its headings and open to-dos, a heading with its open to-dos, a repeating template with its rule.",
      input(R"("id":{"type":"string","minLength":1,"description":"The item's id."},
        "compact":{"type":"boolean","description":"Show the to-dos it holds in short form (default false)."})",
            R"("id")"),
      item_output());
}

void add_queries(std::vector<ToolSpec>& tools) {
  const std::string items = list_output(item_schema());
  const std::string query =
      R"("query":{"type":"string","minLength":1,"maxLength":500,"description":"Words that must all occur in the title or notes, in any case."})";
  add(tools, "search", "Search",
      "Find items whose title or notes hold every word of the query, ignoring case, of every status unless "
      "narrowed (not in the Trash). Open items come first.",
      list_input(query + "," + kStatusProp, R"("query")"), items);
  add(tools, "search_advanced", "Advanced search",
      "Find items by any mix of words, status, type, tag, area, project, start date, deadline and creation date. "
      "Every criterion given must match; open items come first.",
      list_input(query + "," + kStatusProp + R"(,
        "type":{"type":"string","enum":["to-do","project","heading"]},
        "tag":{"type":"string","minLength":1,"description":"A tag's title or id."},
        "area":{"type":"string","minLength":1,"description":"An area's id (its projects' items included)."},
        "project":{"type":"string","minLength":1,"description":"A project's id (items under its headings included)."},)" +
                 date_range("start_date", "Scheduled date.") + "," + date_range("deadline", "Deadline.") + "," +
                 period_prop("created_within", "Only items created within this period.")),
      items);
  add(tools, "get_recent", "Recently changed",
      "List items created or changed within a period, the most recently touched first.",
      list_input(period_prop("period", "How far back to look (default 7d).")), items);
  add(tools, "get_due", "Due soon",
      "List open items whose deadline is at most 'days' days away, overdue ones included and marked, soonest "
      "deadline first.",
      list_input(
          R"("days":{"type":"integer","minimum":0,"maximum":36500,"description":"How many days ahead to look (default 7)."})"),
      items);
  add(tools, "get_summary", "Summary",
      "Count the items of every list: Inbox, Today, Upcoming, Anytime, Someday, the Logbook's last 7 days, the "
      "Trash, open projects and areas.",
      input(""), summary_output());
  add(tools, "get_repeating", "Repeating to-dos",
      "List the repeating to-dos (their templates, which the lists hide) with their rule in words, like "
      "'every week on Monday' or 'every 2 days after completion'.",
      list_input(), items);
}

}  // namespace

void add_read_tools(std::vector<ToolSpec>& tools) {
  add_lists(tools);
  add_structure(tools);
  add_queries(tools);
}

}  // namespace takt::things
