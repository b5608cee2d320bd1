#include "things/mirror/mirror.hpp"

#include <charconv>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "takt_things_schema.hpp"
#include "things/data/dates.hpp"

namespace takt::things {
namespace {

// The script. Apple events: one per `… of every …` below (about fifteen, whatever the
// number of items); the loops after them work on the values already in the script.
// Texts are escaped (\\ \n \r \t) only when they hold one of those characters, so fields
// joined by tabs and lines by linefeeds cannot be forged. Dates are printed field by field
// (YYYYMMDD.seconds of the day, local time), never through a date string, which follows
// the Mac's locale. Line kinds:
//   T id title notes status(0 open, 2 canceled, 3 completed) due activation completion
//     cancellation creation modification trashed(0/1)   a to-do or project
//   g task-id tag-name      P project-id      p project-id to-do-id
//   A area-id title         a area-id item-id      q area-id tag-name
//   G tag-id title shortcut      c parent-tag-id child-tag-id
//   L list item-id          (list: inbox, today, anytime, upcoming, someday; in its order)
// The first line is "takt-mirror 1" and the time the script ran; the last is "end".
const char* const kScript = R"applescript(-- takt: a mirror of Things for reads without its database (things/mirror)
on esc(s)
	if s is missing value then return ""
	if s does not contain "\\" and s does not contain linefeed and s does not contain return and s does not contain tab then return s
	set saved to AppleScript's text item delimiters
	repeat with pair in {{"\\", "\\\\"}, {linefeed, "\\n"}, {return, "\\r"}, {tab, "\\t"}}
		set AppleScript's text item delimiters to item 1 of pair
		set parts to text items of s
		set AppleScript's text item delimiters to item 2 of pair
		set s to parts as text
	end repeat
	set AppleScript's text item delimiters to saved
	return s
end esc

on stamp(d)
	if d is missing value then return ""
	return (((year of d) * 10000 + (month of d as integer) * 100 + (day of d)) as text) & "." & ((time of d) as text)
end stamp

on taskLines(props, tagLists, trashed)
	set out to {}
	tell application "Things3"
		repeat with k from 1 to count of props
			set p to item k of props
			set st to status of p
			if st is completed then
				set code to "3"
			else if st is canceled then
				set code to "2"
			else
				set code to "0"
			end if
			set end of out to "T" & tab & (id of p) & tab & my esc(name of p) & tab & my esc(notes of p) & tab & code & tab & my stamp(due date of p) & tab & my stamp(activation date of p) & tab & my stamp(completion date of p) & tab & my stamp(cancellation date of p) & tab & my stamp(creation date of p) & tab & my stamp(modification date of p) & tab & trashed
			repeat with t in item k of tagLists
				set end of out to "g" & tab & (id of p) & tab & my esc(contents of t)
			end repeat
		end repeat
	end tell
	return out
end taskLines

on pairLines(kind, owners, members)
	set out to {}
	repeat with k from 1 to count of owners
		repeat with m in item k of members
			set end of out to kind & tab & (item k of owners) & tab & my esc(contents of m)
		end repeat
	end repeat
	return out
end pairLines

on listLines(kind, ids)
	set out to {}
	repeat with i in ids
		set end of out to "L" & tab & kind & tab & (contents of i)
	end repeat
	return out
end listLines

tell application "Things3"
	set todoProps to properties of every to do
	set todoTags to name of tags of every to do
	set trashProps to properties of to dos of list id "TMTrashListSource"
	set trashTags to name of tags of to dos of list id "TMTrashListSource"
	set trashClasses to class of to dos of list id "TMTrashListSource"
	-- A project in the Trash is in no project list, nor are its to-dos under it: asked one by one.
	set trashedProjects to {}
	repeat with k from 1 to count of trashProps
		if item k of trashClasses is project then set end of trashedProjects to id of item k of trashProps
	end repeat
	set trashedProjectTodos to {}
	repeat with i in trashedProjects
		set end of trashedProjectTodos to id of to dos of project id (contents of i)
	end repeat
	set projectIds to id of every project
	set projectTodos to id of to dos of every project
	set areaProps to properties of every area
	set areaIds to id of every area
	set areaTodos to id of to dos of every area
	set areaProjects to id of projects of every area
	set areaTags to name of tags of every area
	set tagProps to properties of every tag
	set tagIds to id of every tag
	set tagChildren to id of tags of every tag
	set inboxIds to id of to dos of list id "TMInboxListSource"
	set todayIds to id of to dos of list id "TMTodayListSource"
	set anytimeIds to id of to dos of list id "TMNextListSource"
	set upcomingIds to id of to dos of list id "TMCalendarListSource"
	set somedayIds to id of to dos of list id "TMSomedayListSource"
end tell
set out to {"takt-mirror 1" & tab & my stamp(current date)}
set out to out & my taskLines(todoProps, todoTags, "0") & my taskLines(trashProps, trashTags, "1")
repeat with i in projectIds & trashedProjects
	set end of out to "P" & tab & (contents of i)
end repeat
set out to out & my pairLines("p", projectIds, projectTodos) & my pairLines("p", trashedProjects, trashedProjectTodos)
repeat with a in areaProps
	set end of out to "A" & tab & (id of a) & tab & my esc(name of a)
end repeat
set out to out & my pairLines("a", areaIds, areaTodos) & my pairLines("a", areaIds, areaProjects) & my pairLines("q", areaIds, areaTags)
repeat with t in tagProps
	set end of out to "G" & tab & (id of t) & tab & my esc(name of t) & tab & my esc(keyboard shortcut of t)
end repeat
set out to out & my pairLines("c", tagIds, tagChildren)
set out to out & my listLines("inbox", inboxIds) & my listLines("today", todayIds) & my listLines("anytime", anytimeIds) & my listLines("upcoming", upcomingIds) & my listLines("someday", somedayIds)
set end of out to "end"
set AppleScript's text item delimiters to linefeed
return out as text
)applescript";

std::string unescape(std::string_view s, int line) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (++i == s.size()) throw MirrorError("line " + std::to_string(line) + ": a text ends in a lone backslash");
    switch (s[i]) {
      case '\\': out += '\\'; break;
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      default: throw MirrorError("line " + std::to_string(line) + ": unknown escape \\" + std::string(1, s[i]));
    }
  }
  return out;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  std::size_t from = 0;
  for (;;) {
    const auto to = s.find(sep, from);
    out.push_back(s.substr(from, to == std::string_view::npos ? std::string_view::npos : to - from));
    if (to == std::string_view::npos) return out;
    from = to + 1;
  }
}

/// A stamp "YYYYMMDD.seconds" (local), or nullopt for "".
struct Stamp {
  Date date;
  long long seconds = 0;
};

std::optional<Stamp> parse_stamp(std::string_view s, int line) {
  if (s.empty()) return std::nullopt;
  const auto dot = s.find('.');
  long long ymd = 0, secs = 0;
  auto bad = [&] { return MirrorError("line " + std::to_string(line) + ": '" + std::string(s) + "' is no date"); };
  if (dot == std::string_view::npos) throw bad();
  auto [p1, e1] = std::from_chars(s.data(), s.data() + dot, ymd);
  auto [p2, e2] = std::from_chars(s.data() + dot + 1, s.data() + s.size(), secs);
  if (e1 != std::errc() || p1 != s.data() + dot || e2 != std::errc() || p2 != s.data() + s.size()) throw bad();
  Stamp st{Date{static_cast<int>(ymd / 10000), static_cast<int>(ymd / 100 % 100), static_cast<int>(ymd % 100)}, secs};
  if (!parse_iso_date(iso_date(st.date)) || secs < 0 || secs >= 86400) throw bad();
  return st;
}

struct Task {
  std::string id, title, notes;
  int status = 0;
  std::optional<Stamp> due, activation, completion, cancellation, creation, modification;
  bool trashed = false;
};

class Conn {
 public:
  explicit Conn(sqlite3* db) : db_(db) {}
  void exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string why = err ? err : "unknown error";
      sqlite3_free(err);
      throw MirrorError("building the mirror: " + why);
    }
  }

 private:
  sqlite3* db_;
};

/// One prepared INSERT, bound and stepped per row.
class Insert {
 public:
  Insert(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &st_, nullptr) != SQLITE_OK)
      throw MirrorError(std::string("building the mirror: ") + sqlite3_errmsg(db));
  }
  ~Insert() { sqlite3_finalize(st_); }
  Insert(const Insert&) = delete;
  Insert& operator=(const Insert&) = delete;
  Insert& text(int i, const std::string& v) {
    sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Insert& integer(int i, long long v) {
    sqlite3_bind_int64(st_, i, v);
    return *this;
  }
  Insert& real(int i, double v) {
    sqlite3_bind_double(st_, i, v);
    return *this;
  }
  Insert& null(int i) {
    sqlite3_bind_null(st_, i);
    return *this;
  }
  void run() {
    if (sqlite3_step(st_) != SQLITE_DONE) throw MirrorError(std::string("building the mirror: ") + sqlite3_errmsg(db_));
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
};

double unix_of(const Stamp& s) { return local_midnight(s.date) + static_cast<double>(s.seconds); }

}  // namespace

const std::string& mirror_script() {
  static const std::string script(kScript);
  return script;
}

const MirrorScriptParts& mirror_script_parts() {
  static const MirrorScriptParts parts = [] {
    const std::string whole(kScript);
    const auto body = whole.find("\ntell application \"Things3\"\n") + 1;
    const std::string tail = "set AppleScript's text item delimiters to linefeed\nreturn out as text\n";
    const auto end = whole.rfind(tail);
    if (body == 0 || end == std::string::npos || end + tail.size() != whole.size())
      throw std::logic_error("takt's mirror script lost the shape mirror_script_parts() cuts it by");
    return MirrorScriptParts{whole.substr(0, body),
                             whole.substr(body, end - body) +
                                 "set AppleScript's text item delimiters to linefeed\nset takt_mirror to out as text\n",
                             "takt_mirror"};
  }();
  return parts;
}

Mirror::Mirror(Mirror&& other) noexcept : db_(std::exchange(other.db_, nullptr)), tasks_(other.tasks_) {}

Mirror& Mirror::operator=(Mirror&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
    tasks_ = other.tasks_;
  }
  return *this;
}

Mirror::~Mirror() { sqlite3_close_v2(db_); }

Mirror Mirror::load(std::string_view output) {
  // osascript ends the result with a newline.
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.remove_suffix(1);
  const auto lines = split(output, '\n');
  const auto head = split(lines.front(), '\t');
  if (head.size() != 2 || head[0] != "takt-mirror 1")
    throw MirrorError("the script's answer is not takt's mirror (it begins '" +
                      std::string(lines.front().substr(0, 60)) + "')");
  const auto taken = parse_stamp(head[1], 1);  // when the script ran, Things' time
  if (!taken) throw MirrorError("line 1: no time the mirror was taken at");
  if (lines.back() != "end") throw MirrorError("the script's answer ends early (no 'end' line)");

  std::vector<Task> tasks;
  std::vector<std::pair<std::string, std::string>> task_tags, area_items, area_tags, tag_children;
  std::vector<std::string> project_ids;
  std::unordered_map<std::string, std::string> project_of;
  std::vector<std::pair<std::string, std::string>> areas;
  struct TagRow {
    std::string id, title, shortcut;
  };
  std::vector<TagRow> tags;
  std::unordered_map<std::string, std::vector<std::string>> lists;

  for (std::size_t n = 1; n + 1 < lines.size(); ++n) {
    const int line = static_cast<int>(n) + 1;
    const auto f = split(lines[n], '\t');
    auto need = [&](std::size_t count) {
      if (f.size() != count)
        throw MirrorError("line " + std::to_string(line) + ": " + std::to_string(f.size()) + " fields where '" +
                          std::string(f[0]) + "' has " + std::to_string(count));
    };
    const std::string_view kind = f[0];
    if (kind == "T") {
      need(12);
      Task t;
      t.id = std::string(f[1]);
      t.title = unescape(f[2], line);
      t.notes = unescape(f[3], line);
      if (f[4] != "0" && f[4] != "2" && f[4] != "3") throw MirrorError("line " + std::to_string(line) + ": bad status");
      t.status = f[4][0] - '0';
      t.due = parse_stamp(f[5], line);
      t.activation = parse_stamp(f[6], line);
      t.completion = parse_stamp(f[7], line);
      t.cancellation = parse_stamp(f[8], line);
      t.creation = parse_stamp(f[9], line);
      t.modification = parse_stamp(f[10], line);
      if (f[11] != "0" && f[11] != "1") throw MirrorError("line " + std::to_string(line) + ": bad trashed flag");
      t.trashed = f[11] == "1";
      tasks.push_back(std::move(t));
    } else if (kind == "g" || kind == "p" || kind == "a" || kind == "q" || kind == "c") {
      need(3);
      std::pair<std::string, std::string> pair{std::string(f[1]), unescape(f[2], line)};
      if (kind == "g") task_tags.push_back(std::move(pair));
      else if (kind == "p") project_of[pair.second] = pair.first;
      else if (kind == "a") area_items.push_back(std::move(pair));
      else if (kind == "q") area_tags.push_back(std::move(pair));
      else tag_children.push_back(std::move(pair));
    } else if (kind == "P") {
      need(2);
      project_ids.emplace_back(f[1]);
    } else if (kind == "A") {
      need(3);
      areas.emplace_back(std::string(f[1]), unescape(f[2], line));
    } else if (kind == "G") {
      need(4);
      tags.push_back({std::string(f[1]), unescape(f[2], line), unescape(f[3], line)});
    } else if (kind == "L") {
      need(3);
      lists[std::string(f[1])].emplace_back(f[2]);
    } else {
      throw MirrorError("line " + std::to_string(line) + ": unknown kind '" + std::string(kind.substr(0, 20)) + "'");
    }
  }
  Mirror m;
  if (sqlite3_open_v2(":memory:", &m.db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK)
    throw MirrorError("cannot open an in-memory database for the mirror");
  Conn c(m.db_);
  c.exec(generated::things_schema_sql);
  c.exec("BEGIN");

  std::unordered_map<std::string, std::string> area_of;
  for (const auto& [area, item] : area_items) area_of[item] = area;
  std::unordered_map<std::string, std::string> parent_of;
  for (const auto& [parent, child] : tag_children) parent_of[child] = parent;
  std::unordered_map<std::string, bool> is_project;
  for (const auto& id : project_ids) is_project[id] = true;
  // Where an open item was started, from the lists it is in (Things shows it there).
  std::unordered_map<std::string, int> start_of;
  std::unordered_map<std::string, long long> today_index;
  for (const auto& id : lists["someday"]) start_of[id] = 2;
  for (const auto& id : lists["upcoming"]) start_of[id] = 2;
  for (const auto& id : lists["today"]) start_of.try_emplace(id, 2);
  for (const auto& id : lists["anytime"]) start_of[id] = 1;
  for (const auto& id : lists["inbox"]) start_of[id] = 0;
  // The order of Today, and of each day of Upcoming, is the user's: the lists' own order.
  long long at = 0;
  const std::unordered_set<std::string> in_today(lists["today"].begin(), lists["today"].end());
  for (const auto& id : lists["today"]) today_index[id] = at++;
  for (const auto& id : lists["upcoming"]) today_index.try_emplace(id, at++);

  {
    Insert ins(m.db_,
               "INSERT INTO TMTask (uuid, type, title, notes, status, stopDate, trashed, start, startDate, deadline, "
               "creationDate, userModificationDate, project, area, \"index\", todayIndex, deadlineSuppressionDate, "
               "leavesTombstone) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, 0)");
    long long index = 0;
    for (const auto& t : tasks) {
      ins.text(1, t.id).integer(2, is_project.count(t.id) ? 1 : 0).text(3, t.title).text(4, t.notes).integer(5, t.status);
      const auto& stop = t.status == 3 ? t.completion : t.status == 2 ? t.cancellation : std::nullopt;
      stop ? ins.real(6, unix_of(*stop)) : ins.null(6);
      ins.integer(7, t.trashed ? 1 : 0);
      auto s = start_of.find(t.id);
      s != start_of.end() ? ins.integer(8, s->second) : ins.null(8);
      t.activation ? ins.integer(9, pack_date(t.activation->date)) : ins.null(9);
      t.due ? ins.integer(10, pack_date(t.due->date)) : ins.null(10);
      // Things shows an open item due by today without a start date in Today, unless the
      // user moved it out: one such item that Today does not list was moved out.
      const bool moved_out = t.due && !t.activation && t.status == 0 && !t.trashed && !in_today.count(t.id) &&
                             pack_date(t.due->date) <= pack_date(taken->date);
      moved_out ? ins.integer(17, pack_date(taken->date)) : ins.null(17);
      t.creation ? ins.real(11, unix_of(*t.creation)) : ins.null(11);
      t.modification ? ins.real(12, unix_of(*t.modification)) : ins.null(12);
      auto p = project_of.find(t.id);
      p != project_of.end() ? ins.text(13, p->second) : ins.null(13);
      auto a = area_of.find(t.id);
      a != area_of.end() ? ins.text(14, a->second) : ins.null(14);
      ins.integer(15, index++);
      auto ti = today_index.find(t.id);
      ti != today_index.end() ? ins.integer(16, ti->second) : ins.null(16);
      ins.run();
    }
  }
  {
    Insert ins(m.db_, "INSERT INTO TMArea (uuid, title, visible, \"index\") VALUES (?1, ?2, 1, ?3)");
    long long index = 0;
    for (const auto& [id, title] : areas) ins.text(1, id).text(2, title).integer(3, index++).run();
  }
  std::unordered_map<std::string, std::string> tag_id;
  {
    Insert ins(m.db_, "INSERT INTO TMTag (uuid, title, shortcut, parent, \"index\") VALUES (?1, ?2, ?3, ?4, ?5)");
    long long index = 0;
    for (const auto& t : tags) {
      tag_id[t.title] = t.id;
      ins.text(1, t.id).text(2, t.title);
      t.shortcut.empty() ? ins.null(3) : ins.text(3, t.shortcut);
      auto p = parent_of.find(t.id);
      p != parent_of.end() ? ins.text(4, p->second) : ins.null(4);
      ins.integer(5, index++).run();
    }
  }
  auto tag_of = [&](const std::string& title) {
    auto it = tag_id.find(title);
    if (it == tag_id.end()) throw MirrorError("an item has the tag '" + title + "', which is not among the tags");
    return it->second;
  };
  {
    Insert ins(m.db_, "INSERT INTO TMTaskTag (tasks, tags) VALUES (?1, ?2)");
    for (const auto& [task, title] : task_tags) ins.text(1, task).text(2, tag_of(title)).run();
  }
  {
    Insert ins(m.db_, "INSERT INTO TMAreaTag (areas, tags) VALUES (?1, ?2)");
    for (const auto& [area, title] : area_tags) ins.text(1, area).text(2, tag_of(title)).run();
  }
  c.exec("COMMIT");
  m.tasks_ = tasks.size();
  return m;
}

}  // namespace takt::things
