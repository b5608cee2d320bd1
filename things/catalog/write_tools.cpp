// The write tools' arguments: what they must mean beyond their schema, and the typed
// operations they ask for (one per id for the tools over many ids).

#include <set>

#include "base/json.hpp"
#include "things/catalog/tools.hpp"

namespace takt::things {
namespace {

std::optional<std::string> opt_string(const rapidjson::Value& args, const char* name) {
  if (auto v = json::get_string(args, name)) return std::string(*v);
  return std::nullopt;
}

bool has(const rapidjson::Value& args, const char* name) { return json::member(args, name) != nullptr; }

std::vector<std::string> strings(const rapidjson::Value& args, const char* name) {
  std::vector<std::string> out;
  if (auto* v = json::member(args, name); v && v->IsArray())
    for (const auto& s : v->GetArray())
      if (s.IsString()) out.emplace_back(s.GetString(), s.GetStringLength());
  return out;
}

std::optional<std::vector<std::string>> opt_strings(const rapidjson::Value& args, const char* name) {
  if (!has(args, name)) return std::nullopt;
  return strings(args, name);
}

/// An update field where an empty string clears the value.
Clearable clearable(const rapidjson::Value& args, const char* name) {
  auto v = json::get_string(args, name);
  if (!v) return {};
  return v->empty() ? Clearable::clear() : Clearable::set(std::string(*v));
}

bool is_day_when(std::string_view w) {
  return w == "today" || w == "evening" || w == "tomorrow" || parse_iso_date(w).has_value();
}

bool valid_when(std::string_view w) { return is_day_when(w) || w == "anytime" || w == "someday"; }

const char* const kWhenError = "when: must be today, evening, tomorrow, anytime, someday or a date YYYY-MM-DD";

/// Things keeps dates from the year 4000 on as placeholders (a repeating template's start
/// is 4001-01-01) and its lists show none of them: such a date would be stored and then
/// vanish from every view, so it is refused.
constexpr int kFirstPlaceholderYear = 4000;

/// The error for a day Things cannot hold in `field`, or nullopt (not a day, or a good one).
std::optional<std::string> placeholder_day(std::string_view field, std::string_view text) {
  auto d = parse_iso_date(text);
  if (!d || d->year < kFirstPlaceholderYear) return std::nullopt;
  return std::string(field) + ": Things holds days up to 3999-12-31 (from the year 4000 on it keeps placeholders, "
                              "which no list shows)";
}

std::optional<std::string> check_days(const rapidjson::Value& a) {
  for (const char* f : {"when", "deadline"})
    if (auto v = json::get_string(a, f))
      if (auto err = placeholder_day(f, *v)) return err;
  return std::nullopt;
}

std::string ascii_folded(std::string text) {
  for (auto& c : text)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return text;
}

/// Characters, not bytes, of UTF-8 text.
std::size_t characters(std::string_view text) {
  std::size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

bool blank(std::string_view text) {
  for (char c : text)
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\v' && c != '\f') return false;
  return true;
}

/// Titles (of the item, its checklist items, headings, to-dos and tags) that hold only
/// white space: Things would show an item without a name. An empty one is the schema's.
std::optional<std::string> blank_title(const rapidjson::Value& a) {
  for (const char* f : {"title", "parent"})
    if (auto v = json::get_string(a, f); v && !v->empty() && blank(*v))
      return std::string(f) + ": must not be blank (it holds only white space)";
  for (const char* f : {"checklist", "append_checklist", "headings", "todos", "tags", "add_tags", "remove_tags"}) {
    const auto* list = json::member(a, f);
    if (!list || !list->IsArray()) continue;
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i) {
      const auto& v = (*list)[i];
      if (v.IsString() && v.GetStringLength() > 0 && blank(std::string_view(v.GetString(), v.GetStringLength())))
        return std::string(f) + "[" + std::to_string(i) + "]: must not be blank (it holds only white space)";
    }
  }
  if (const auto* items = json::member(a, "checklist_items"); items && items->IsArray())
    for (rapidjson::SizeType i = 0; i < items->Size(); ++i)
      if (auto t = json::get_string((*items)[i], "title"); t && !t->empty() && blank(*t))
        return "checklist_items[" + std::to_string(i) + "].title: must not be blank (it holds only white space)";
  return std::nullopt;
}

/// A checklist item holding a line break: Things' URL scheme separates checklist items by
/// line breaks, so Things would split it into two.
std::optional<std::string> multi_line_checklist(const rapidjson::Value& a) {
  const auto has_break = [](std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; };
  const char* const why = ": must be one line (Things separates checklist items by line breaks)";
  for (const char* f : {"checklist", "append_checklist"}) {
    const auto* list = json::member(a, f);
    if (!list || !list->IsArray()) continue;
    for (rapidjson::SizeType i = 0; i < list->Size(); ++i)
      if ((*list)[i].IsString() && has_break({(*list)[i].GetString(), (*list)[i].GetStringLength()}))
        return std::string(f) + "[" + std::to_string(i) + "]" + why;
  }
  if (const auto* items = json::member(a, "checklist_items"); items && items->IsArray())
    for (rapidjson::SizeType i = 0; i < items->Size(); ++i)
      if (auto t = json::get_string((*items)[i], "title"); t && has_break(*t))
        return "checklist_items[" + std::to_string(i) + "].title" + why;
  return std::nullopt;
}

/// The first string anywhere in `v` that holds a NUL character, as its field path.
std::optional<std::string> nul_field(const rapidjson::Value& v, const std::string& path) {
  if (v.IsString()) {
    if (std::string_view(v.GetString(), v.GetStringLength()).find('\0') != std::string_view::npos) return path;
  } else if (v.IsObject()) {
    for (const auto& m : v.GetObject())
      if (auto f = nul_field(m.value, path.empty() ? m.name.GetString() : path + "." + m.name.GetString())) return f;
  } else if (v.IsArray()) {
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i)
      if (auto f = nul_field(v[i], path + "[" + std::to_string(i) + "]")) return f;
  }
  return std::nullopt;
}

constexpr const char* kTodoFields[] = {"title",    "notes",     "append_notes", "prepend_notes", "when",
                                       "list",     "reminder",  "deadline",     "tags",          "add_tags",
                                       "remove_tags", "checklist", "append_checklist", "checklist_items",
                                       "project", "area", "heading"};
/// Fields of update_todo that a project does not have.
constexpr const char* kTodoOnly[] = {"list", "checklist", "append_checklist", "checklist_items", "project", "heading"};

/// The rules of an update that Things would otherwise break on part-way, checked up front so
/// the caller hears them before anything is queued.
std::optional<std::string> check_changes(const rapidjson::Value& a) {
  if (auto when = json::get_string(a, "when"); when && !when->empty() && !valid_when(*when)) return kWhenError;
  if (auto r = json::get_string(a, "reminder"); r && !r->empty() && !parse_reminder(*r))
    return "reminder: must be a time HH:MM (24 h), like 09:30";
  if (auto d = json::get_string(a, "deadline"); d && !d->empty() && !parse_iso_date(*d))
    return "deadline: must be a date YYYY-MM-DD, or empty to remove it";
  if (auto err = check_days(a)) return err;
  if (has(a, "when") && has(a, "list")) return "when and list: give one or the other";
  if (has(a, "notes") && (has(a, "append_notes") || has(a, "prepend_notes")))
    return "notes: cannot go with append_notes or prepend_notes";
  if (has(a, "tags") && (has(a, "add_tags") || has(a, "remove_tags")))
    return "tags: replaces every tag, so it cannot go with add_tags or remove_tags";
  // Tags match without regard to (ASCII) case, as in Things and things-sim.
  for (const auto& t : strings(a, "add_tags"))
    for (const auto& r : strings(a, "remove_tags"))
      if (ascii_folded(t) == ascii_folded(r)) return "add_tags and remove_tags: '" + t + "' is in both";
  if (has(a, "checklist") && has(a, "append_checklist")) return "checklist: cannot go with append_checklist";
  if (has(a, "checklist_items") && (has(a, "checklist") || has(a, "append_checklist")))
    return "checklist_items: cannot go with checklist or append_checklist";
  const auto area = clearable(a, "area"), project = clearable(a, "project"), heading = clearable(a, "heading");
  if (area.sets() && (project.sets() || heading.sets())) return "area: cannot go with project or heading";
  if (heading.sets() && project.clears()) return "heading: cannot go with an empty project";
  if (json::get_string(a, "list") == std::optional<std::string_view>("inbox") &&
      (project.sets() || heading.sets() || area.sets()))
    return "list: inbox cannot go with project, heading or area";
  return std::nullopt;
}

std::optional<std::string> check_new_item(const rapidjson::Value& a) {
  auto when = json::get_string(a, "when");
  if (when && !valid_when(*when)) return kWhenError;
  if (auto err = check_days(a)) return err;
  if (auto r = json::get_string(a, "reminder")) {
    if (!parse_reminder(*r)) return "reminder: must be a time HH:MM (24 h), like 09:30";
    if (!when || !is_day_when(*when))
      return "reminder: needs 'when' with a day (today, evening, tomorrow or YYYY-MM-DD)";
  }
  if (has(a, "area") && (has(a, "project") || has(a, "heading"))) return "area: cannot go with project or heading";
  return std::nullopt;
}

std::optional<std::string> check_ids(const rapidjson::Value& a) {
  std::set<std::string> seen;
  for (const auto& id : strings(a, "ids"))
    if (!seen.insert(id).second) return "ids: '" + id + "' is given twice";
  return std::nullopt;
}

bool any_change(const rapidjson::Value& a) {
  for (const char* f : kTodoFields)
    if (has(a, f)) return true;
  return false;
}

/// The fields to-dos and projects share.
struct TaskEditsView {
  std::optional<std::string> title, notes, append_notes, prepend_notes;
  Clearable when, reminder, deadline, area;
  std::optional<std::vector<std::string>> tags;
  std::vector<std::string> add_tags, remove_tags;
};

TaskEditsView todo_changes(const rapidjson::Value& a) {
  TaskEditsView v;
  v.title = opt_string(a, "title");
  v.notes = opt_string(a, "notes");
  v.append_notes = opt_string(a, "append_notes");
  v.prepend_notes = opt_string(a, "prepend_notes");
  v.when = clearable(a, "when");
  v.reminder = clearable(a, "reminder");
  v.deadline = clearable(a, "deadline");
  v.area = clearable(a, "area");
  v.tags = opt_strings(a, "tags");
  v.add_tags = strings(a, "add_tags");
  v.remove_tags = strings(a, "remove_tags");
  return v;
}

/// An update of `id` (UpdateTodo or UpdateProject) with the fields both share.
template <class Update>
Update update_of_kind(const std::string& id, const rapidjson::Value& a) {
  Update u;
  u.id = id;
  const auto v = todo_changes(a);
  u.title = v.title;
  u.notes = v.notes;
  u.append_notes = v.append_notes;
  u.prepend_notes = v.prepend_notes;
  u.when = v.when;
  u.reminder = v.reminder;
  u.deadline = v.deadline;
  u.area = v.area;
  u.tags = v.tags;
  u.add_tags = v.add_tags;
  u.remove_tags = v.remove_tags;
  return u;
}

UpdateTodo update_todo(const std::string& id, const rapidjson::Value& a) {
  auto u = update_of_kind<UpdateTodo>(id, a);
  u.list = opt_string(a, "list");
  u.checklist = opt_strings(a, "checklist");
  u.append_checklist = strings(a, "append_checklist");
  if (auto* items = json::member(a, "checklist_items"); items && items->IsArray()) {
    u.checklist_items.emplace();
    for (const auto& item : items->GetArray()) {
      ChecklistItem c;
      if (auto title = json::get_string(item, "title")) c.title = std::string(*title);
      c.completed = json::get_bool(item, "completed").value_or(false);
      u.checklist_items->push_back(std::move(c));
    }
  }
  u.project = clearable(a, "project");
  u.heading = clearable(a, "heading");
  return u;
}

UpdateProject update_project(const std::string& id, const rapidjson::Value& a) {
  return update_of_kind<UpdateProject>(id, a);
}

/// update_todo's fields for `id`, as an update of a project when the id is one and asks
/// nothing a project lacks (otherwise the to-do update fails on it, naming the id).
Operation update_of(const std::string& id, const rapidjson::Value& a, const KindOf& kind_of) {
  if (kind_of(id) == std::optional<int>(1)) {
    bool todo_only = false;
    for (const char* f : kTodoOnly) todo_only |= has(a, f);
    if (!todo_only) return update_project(id, a);
  }
  return update_todo(id, a);
}

/// move's destination for `id`: a project moves to a list as its `when`, or to an area.
Operation move_of(const std::string& id, const rapidjson::Value& a, const KindOf& kind_of) {
  const auto list = opt_string(a, "list");
  if (kind_of(id) == std::optional<int>(1) && !has(a, "project") && !has(a, "heading") && list != "inbox") {
    UpdateProject u;
    u.id = id;
    if (list) u.when = Clearable::set(*list);
    if (auto area = opt_string(a, "area")) u.area = Clearable::set(*area);
    return u;
  }
  UpdateTodo u;
  u.id = id;
  u.list = list;
  if (auto p = opt_string(a, "project")) u.project = Clearable::set(*p);
  if (auto h = opt_string(a, "heading")) u.heading = Clearable::set(*h);
  if (auto ar = opt_string(a, "area")) u.area = Clearable::set(*ar);
  return u;
}

Operation tags_of(const std::string& id, const rapidjson::Value& a, const KindOf& kind_of, bool add) {
  auto tags = strings(a, "tags");
  if (kind_of(id) == std::optional<int>(1)) {
    UpdateProject u;
    u.id = id;
    (add ? u.add_tags : u.remove_tags) = std::move(tags);
    return u;
  }
  UpdateTodo u;
  u.id = id;
  (add ? u.add_tags : u.remove_tags) = std::move(tags);
  return u;
}

/// What the ids a write changes name, against what the tool does with them: Things'
/// AppleScript answers `to do id` with a project too (so update_todo on a project's id
/// would edit the project), and it has no headings at all. A message naming the id, or
/// nullopt; ids the database does not hold are left to Things, which names them.
std::optional<std::string> check_kinds(const ToolSpec& tool, const rapidjson::Value& args, ThingsDb& db) {
  const auto& n = tool.name;
  const bool single = n == "update_todo" || n == "update_project";
  if (!single && !tool.bulk) return std::nullopt;
  const char* field = single ? "id" : "ids";
  std::vector<std::string> ids;
  if (single) ids.push_back(opt_string(args, "id").value_or(""));
  else ids = strings(args, "ids");
  for (const auto& id : ids) {
    const auto kind = db.task_type(id);
    if (!kind) continue;
    const auto named = std::string(field) + ": '" + id + "'";
    if (*kind == 2)
      return named + " is a heading; Things' AppleScript has no headings, so takt cannot change one: change it in "
                     "Things (or move, complete or trash its to-dos)";
    if (n == "update_todo" && *kind == 1) return named + " is a project; use update_project for it";
    if (n == "update_project" && *kind == 0) return named + " is a to-do; use update_todo for it";
    if (n == "bulk_update" && *kind == 1)
      for (const char* f : kTodoOnly)
        if (has(args, f)) return named + " is a project, and '" + f + "' is for to-dos only; leave it out or leave out the project";
  }
  return std::nullopt;
}

ItemKind item_kind(const KindOf& kind_of, const std::string& id) {
  const auto k = kind_of(id);
  return k && *k >= 0 && *k <= 2 ? static_cast<ItemKind>(*k) : ItemKind::Unknown;
}

}  // namespace

std::optional<std::string> check_write_arguments(const ToolSpec& tool, const rapidjson::Value& args) {
  if (auto field = nul_field(args, "")) return *field + ": must not hold the NUL character";
  const auto& n = tool.name;
  if (tool.bulk)
    if (auto err = check_ids(args)) return err;
  if (auto err = blank_title(args)) return err;
  if (auto err = multi_line_checklist(args)) return err;
  if (n == "add_todo" || n == "add_project") return check_new_item(args);
  if (n == "update_todo" || n == "update_project" || n == "bulk_update") {
    if (!any_change(args)) return "arguments: give at least one field to change";
    return check_changes(args);
  }
  if (n == "create_tag")
    if (auto shortcut = json::get_string(args, "shortcut"); shortcut && characters(*shortcut) != 1)
      return "shortcut: must be one character";
  if (n == "show" && has(args, "id") == has(args, "list")) return "show: give exactly one of id and list";
  if (n == "move") {
    int destinations = 0;
    for (const char* f : {"list", "project", "heading", "area"}) destinations += has(args, f) ? 1 : 0;
    if (destinations != 1) return "move: give exactly one destination: list, project, heading or area";
  }
  return std::nullopt;
}

std::optional<std::string> check_write_against_database(const ToolSpec& tool, const rapidjson::Value& args,
                                                        ThingsDb& db) {
  const auto& n = tool.name;
  // Tags to take off must exist: a typo would otherwise fail every item (things-sim) or
  // do nothing (Things), once per id. Every unknown one is named, once.
  const char* removed = n == "remove_tags" ? "tags" : "remove_tags";
  if (n == "remove_tags" || n == "update_todo" || n == "update_project" || n == "bulk_update") {
    std::string unknown;
    for (const auto& title : strings(args, removed))
      if (!db.tag_exists(title)) unknown += (unknown.empty() ? "'" : ", '") + title + "'";
    if (!unknown.empty())
      return std::string(removed) + ": no tag is called " + unknown + " (get_tags lists them); nothing was changed";
  }
  if (auto err = check_kinds(tool, args, db)) return err;
  // Things keeps one tag per title (case aside); whether its AppleScript refuses a second
  // is not known, so takt does.
  if (n == "create_tag")
    if (auto title = opt_string(args, "title"); title && db.tag_exists(*title))
      return "title: a tag called '" + *title + "' exists already (get_tags lists them; titles ignore case)";
  if (n != "add_todo" && n != "add_heading" && n != "update_todo" && n != "bulk_update" && n != "move")
    return std::nullopt;
  for (const char* field : {"project", "heading"}) {
    auto id = json::get_string(args, field);
    if (!id || id->empty()) continue;
    const std::string given(*id);
    auto trashed = db.trashed_container(given);
    if (!trashed) continue;
    const auto how = " is in the Trash; restore it first (restore {\"ids\":[\"" + *trashed + "\"]})";
    if (*trashed == given) return std::string(field) + ": '" + given + "'" + how;
    return std::string(field) + ": the project of '" + given + "' ('" + *trashed + "')" + how;
  }
  return std::nullopt;
}

std::string place_before_trash(const TaskState& t, const Date& today) {
  if (t.start == 0) return "inbox";
  if (!t.start_date) return t.start == 2 ? "someday" : "anytime";
  const auto day = unpack_date(*t.start_date);
  if (!day || pack_date(*day) <= pack_date(today)) return "today";
  return iso_date(*day);
}

std::vector<Operation> to_operations(const ToolSpec& tool, const rapidjson::Value& a, const KindOf& kind_of) {
  const auto& n = tool.name;
  if (n == "add_todo") {
    AddTodo t;
    t.title = opt_string(a, "title").value_or("");
    t.notes = opt_string(a, "notes");
    t.when = opt_string(a, "when");
    t.reminder = opt_string(a, "reminder");
    t.deadline = opt_string(a, "deadline");
    t.project = opt_string(a, "project");
    t.area = opt_string(a, "area");
    t.heading = opt_string(a, "heading");
    t.tags = strings(a, "tags");
    t.checklist = strings(a, "checklist");
    return {t};
  }
  if (n == "add_project") {
    AddProject p;
    p.title = opt_string(a, "title").value_or("");
    p.notes = opt_string(a, "notes");
    p.when = opt_string(a, "when");
    p.reminder = opt_string(a, "reminder");
    p.deadline = opt_string(a, "deadline");
    p.area = opt_string(a, "area");
    p.tags = strings(a, "tags");
    p.headings = strings(a, "headings");
    p.todos = strings(a, "todos");
    return {p};
  }
  if (n == "add_heading") return {AddHeading{opt_string(a, "project").value_or(""), opt_string(a, "title").value_or("")}};
  if (n == "create_tag")
    return {CreateTag{opt_string(a, "title").value_or(""), opt_string(a, "parent"), opt_string(a, "shortcut")}};
  if (n == "create_area") return {CreateArea{opt_string(a, "title").value_or(""), strings(a, "tags")}};
  if (n == "show") {
    static const std::pair<const char*, std::pair<const char*, const char*>> lists[] = {
        {"inbox", {"TMInboxListSource", "Inbox"}},       {"today", {"TMTodayListSource", "Today"}},
        {"upcoming", {"TMCalendarListSource", "Upcoming"}}, {"anytime", {"TMNextListSource", "Anytime"}},
        {"someday", {"TMSomedayListSource", "Someday"}}, {"logbook", {"TMLogbookListSource", "Logbook"}},
        {"trash", {"TMTrashListSource", "Trash"}}};
    Show s;
    if (auto list = opt_string(a, "list")) {
      for (const auto& [name, ids] : lists)
        if (*list == name) {
          s.list = ids.first;
          s.list_title = ids.second;
        }
    } else {
      s.id = opt_string(a, "id").value_or("");
      s.kind = item_kind(kind_of, s.id);
    }
    return {s};
  }
  if (n == "update_todo") return {update_todo(opt_string(a, "id").value_or(""), a)};
  if (n == "update_project") return {update_project(opt_string(a, "id").value_or(""), a)};
  if (!tool.bulk) throw std::logic_error("to_operations: " + n + " is not a write tool");

  std::vector<Operation> ops;
  for (const auto& id : strings(a, "ids")) {
    if (n == "bulk_update") ops.push_back(update_of(id, a, kind_of));
    else if (n == "move") ops.push_back(move_of(id, a, kind_of));
    else if (n == "complete") ops.push_back(SetStatus{id, Status::Completed, item_kind(kind_of, id)});
    else if (n == "cancel") ops.push_back(SetStatus{id, Status::Canceled, item_kind(kind_of, id)});
    else if (n == "reopen") ops.push_back(SetStatus{id, Status::Open, item_kind(kind_of, id)});
    else if (n == "trash") ops.push_back(SetTrashed{id, true, item_kind(kind_of, id)});
    else if (n == "restore") ops.push_back(SetTrashed{id, false, item_kind(kind_of, id)});
    else if (n == "add_tags") ops.push_back(tags_of(id, a, kind_of, true));
    else if (n == "remove_tags") ops.push_back(tags_of(id, a, kind_of, false));
    else throw std::logic_error("to_operations: " + n + " is not a write tool");
  }
  return ops;
}

}  // namespace takt::things
