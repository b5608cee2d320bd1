// The reads of ThingsDb that are not task lists: one item with what it holds, areas and
// tags with their counts, and the summary of every list.

#include "things/db/db.hpp"
#include "things/db/items.hpp"
#include "things/db/queries.hpp"
#include "things/db/task_index.hpp"

namespace takt::things {
namespace {

std::string text_of(const rapidjson::StringBuffer& sb) { return {sb.GetString(), sb.GetSize()}; }

/// `answer`, once the read that made it is committed (keeping an index it rebuilt).
template <class Read>
std::string committed(Read& read, std::string answer) {
  read.commit();
  return answer;
}

void put_string(json::Writer& w, const char* key, const std::string& v) {
  w.Key(key);
  w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
}

void put_count(json::Writer& w, const char* key, long long n) {
  w.Key(key);
  w.Int64(n);
}

/// Writes a unit-separated list of titles as a JSON array.
void put_titles(json::Writer& w, const char* key, const std::string& joined) {
  w.Key(key);
  w.StartArray();
  std::size_t from = 0;
  while (!joined.empty() && from <= joined.size()) {
    auto to = joined.find('\x1f', from);
    if (to == std::string::npos) to = joined.size();
    w.String(joined.data() + from, static_cast<rapidjson::SizeType>(to - from));
    from = to + 1;
  }
  w.EndArray();
}

/// Writes, as a JSON array, every task matching `where` in Things' order.
void put_tasks(json::Writer& w, sqlite3* db, const char* key, const Sql& where, const ItemOptions& options) {
  Stmt s(db, select_tasks(where, kTieBreak));
  w.Key(key);
  w.StartArray();
  while (s.step()) write_item(w, s, options);
  w.EndArray();
}

Sql open_children(const char* condition, const std::string& parent) {
  Sql s;
  s += kVisible;
  s += " AND t.status = 0 AND ";
  s.add(condition, parent);
  return s;
}

void put_checklist(json::Writer& w, sqlite3* db, const std::string& task) {
  Sql sql;
  sql.add("SELECT uuid, title, status, stopDate FROM TMChecklistItem WHERE task = ? ORDER BY \"index\", uuid", task);
  Stmt s(db, sql);
  w.Key("checklist");
  w.StartArray();
  while (s.step()) {
    w.StartObject();
    put_string(w, "id", s.text(0));
    put_string(w, "title", s.text(1));
    put_string(w, "status", s.i64(2) == 3 ? "completed" : s.i64(2) == 2 ? "canceled" : "open");
    if (!s.null(3)) put_string(w, "stop_date", iso_date(local_date(s.real(3))));
    w.EndObject();
  }
  w.EndArray();
}

/// A project's open headings, each with its open to-dos.
void put_headings(json::Writer& w, sqlite3* db, const std::string& project, const ItemOptions& options) {
  Stmt s(db, select_tasks(open_children("t.type = 2 AND t.project = ?", project), kTieBreak));
  w.Key("headings");
  w.StartArray();
  while (s.step()) {
    const std::string id = s.text(0);
    w.StartObject();
    put_string(w, "id", id);
    put_string(w, "title", s.text(2));
    put_tasks(w, db, "todos", open_children("t.type = 0 AND t.heading = ?", id), options);
    w.EndObject();
  }
  w.EndArray();
}

/// What an item holds: a to-do its checklist; a project its headings and the open to-dos
/// outside them; a heading its open to-dos.
void put_contents(json::Writer& w, sqlite3* db, const std::string& id, long long type, bool compact) {
  ItemOptions children;
  children.compact = compact;
  if (type == 0) put_checklist(w, db, id);
  if (type == 1) {
    put_headings(w, db, id, children);
    put_tasks(w, db, "todos", open_children("t.type = 0 AND t.heading IS NULL AND t.project = ?", id), children);
  }
  if (type == 2) put_tasks(w, db, "todos", open_children("t.type = 0 AND t.heading = ?", id), children);
}

}  // namespace

std::string ThingsDb::item(const std::string& id, bool compact) {
  Lease lease(*this);
  ReadSnapshot snapshot(lease.get());
  Sql where;
  where.add("t.uuid = ?", id);
  Stmt s(lease.get(), select_tasks(where, kTieBreak));
  if (!s.step()) throw NotFound("id: no to-do, project or heading has the id '" + id + "'");
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  w.StartObject();
  w.Key("item");
  w.StartObject();
  ItemOptions full;
  full.with_repeat = true;
  write_item_fields(w, s, full);
  put_contents(w, lease.get(), id, s.i64(1), compact);
  w.EndObject();
  w.EndObject();
  return text_of(sb);
}

// The counts of every area and every tag are takt's index's (task_index.hpp), counted once
// per change of the database: a read of the areas or the tags reads a row per area or tag,
// however many tasks there are (counting per read grew with the tasks; counting per area
// or tag, as once, with areas times tasks).
std::string ThingsDb::areas(const ListArgs& a) {
  Lease lease(*this);
  IndexedRead read(*this, lease.get());
  Sql sql;
  sql += R"(
SELECT ar.uuid, ar.title,
       (SELECT group_concat(title, char(31)) FROM
          (SELECT tg.title FROM TMAreaTag at JOIN TMTag tg ON tg.uuid = at.tags
            WHERE at.areas = ar.uuid ORDER BY tg."index", tg.title)),
       COALESCE(c.projects, 0), COALESCE(c.todos, 0)
  FROM TMArea ar
  LEFT JOIN temp.takt_area_count c ON c.area = ar.uuid
 ORDER BY ar."index", ar.uuid)";
  sql.add(" LIMIT ? OFFSET ?", a.page.limit, a.page.offset);
  Stmt s(lease.get(), sql);
  return committed(read, page_answer(lease.get(), s, a.page, [] { return Sql{"SELECT count(*) FROM TMArea", {}}; },
                     [&](json::Writer& w, const Stmt& row) {
                       w.StartObject();
                       put_string(w, "id", row.text(0));
                       put_string(w, "type", "area");
                       put_string(w, "title", row.text(1));
                       if (!a.compact) {
                         put_titles(w, "tags", row.text(2));
                         put_count(w, "open_projects", row.i64(3));
                         put_count(w, "open_todos", row.i64(4));
                       }
                       w.EndObject();
                     }));
}

std::string ThingsDb::tags(const ListArgs& a) {
  Lease lease(*this);
  IndexedRead read(*this, lease.get());
  Sql sql;
  sql += R"(
SELECT g.uuid, g.title, g.shortcut, g.parent, pg.title, COALESCE(c.open, 0), COALESCE(c.all_items, 0),
       COALESCE(ac.areas, 0)
  FROM TMTag g LEFT JOIN TMTag pg ON pg.uuid = g.parent
  LEFT JOIN temp.takt_tag_count c ON c.tag = g.uuid
  LEFT JOIN (SELECT tags AS tag, count(*) AS areas FROM TMAreaTag GROUP BY tags) ac ON ac.tag = g.uuid
 ORDER BY g."index", g.uuid)";
  sql.add(" LIMIT ? OFFSET ?", a.page.limit, a.page.offset);
  Stmt s(lease.get(), sql);
  return committed(read, page_answer(lease.get(), s, a.page, [] { return Sql{"SELECT count(*) FROM TMTag", {}}; },
                     [&](json::Writer& w, const Stmt& row) {
                       w.StartObject();
                       put_string(w, "id", row.text(0));
                       put_string(w, "type", "tag");
                       put_string(w, "title", row.text(1));
                       if (!a.compact) {
                         if (!row.text(2).empty()) put_string(w, "shortcut", row.text(2));
                         if (!row.text(3).empty()) put_string(w, "parent", row.text(3));
                         if (!row.text(4).empty()) put_string(w, "parent_title", row.text(4));
                         put_count(w, "open_items", row.i64(5));
                         put_count(w, "all_items", row.i64(6));
                         put_count(w, "areas", row.i64(7));
                       }
                       w.EndObject();
                     }));
}

// Every list's count in one pass over the tasks any of them can hold (open, trashed, or
// finished in the last 7 days), instead of one pass per list.
std::string ThingsDb::summary() {
  const Date today = today_();
  Lease lease(*this);
  IndexedRead read(*this, lease.get());
  auto* db = lease.get();
  const Span week = span_of(today, Period{7, 'd'});
  const std::pair<const char*, Sql> lists[] = {
      {"inbox", inbox_where()},          {"today", today_where(today)},     {"upcoming", upcoming_where(today)},
      {"anytime", anytime_where()},      {"someday", someday_where()},      {"logbook_last_7_days", logbook_where(week)},
      {"trash", trash_where()},          {"projects", projects_where()},
  };
  Sql sql;
  sql += "SELECT 0";
  for (const auto& [name, where] : lists) {
    sql += ", sum(CASE WHEN (";
    sql += where;
    sql += ") THEN 1 ELSE 0 END)";
  }
  sql += kIndexScan;  // one pass over the small rows; SQLite would look each one up through an index
  sql.add(" WHERE t.status = 0 OR t.trashed = 1 OR (t.stopDate >= ? AND t.stopDate < ?)", week.from, week.to);
  Stmt s(db, sql);
  s.step();
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  w.StartObject();
  put_string(w, "today_date", iso_date(today));
  int col = 1;
  for (const auto& list : lists) {
    put_count(w, list.first, s.null(col) ? 0 : s.i64(col));
    ++col;
  }
  put_count(w, "areas", scalar(db, Sql{"SELECT count(*) FROM TMArea", {}}));
  w.EndObject();
  read.commit();
  return text_of(sb);
}

}  // namespace takt::things
