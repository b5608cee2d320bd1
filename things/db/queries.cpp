// The list reads of ThingsDb: Things' lists, filtered lists, search, recent, due and
// repeating. Each builds a WHERE condition with bound values and an ORDER BY made of
// takt's own constants; ThingsDb::list pages it and writes the items.

#include "things/db/queries.hpp"

#include "things/db/db.hpp"
#include "things/db/items.hpp"
#include "things/db/task_index.hpp"
#include "things/data/folding.hpp"

namespace takt::things {

/// One list read: which tasks, in which order, which page, and how to write them.
struct ThingsDb::ListQuery {
  Sql where;          ///< WHERE condition
  std::string order;  ///< ORDER BY terms; never user text
  Page page;
  ItemOptions item;
  const char* from = kIndexFrom;        ///< how the page is looked for in the index
  const char* count_from = kIndexFrom;  ///< how the whole list is counted there
  bool total_in_page = true;            ///< counted in the page's own pass (items.hpp: select_page)
};

namespace {

/// Tasks Things shows (task_index.hpp: kIndexVisible) that are open, and match `condition`.
Sql open_visible(std::string_view condition) {
  Sql s;
  s += kIndexVisible;
  s += " AND t.status = 0 AND (";
  s += condition;
  s += ")";
  return s;
}

/// Items written in full, or compact when the caller asked for it.
ItemOptions plain(const ListArgs& a) {
  ItemOptions o;
  o.compact = a.compact;
  return o;
}

long long packed(const Date& d) { return static_cast<long long>(pack_date(d)); }

/// " AND <column> <op> ?" for each date the range names.
void add_range(Sql& where, const char* column, const DateRange& range) {
  const std::string c = std::string(" AND ") + column;
  if (range.on) where.add(c + " = ?", packed(*range.on));
  if (range.before) where.add(c + " < ?", packed(*range.before));
  if (range.after) where.add(c + " > ?", packed(*range.after));
}

void add_span(Sql& where, const char* column, const Span& span) {
  where.add(std::string(" AND ") + column + " >= ? AND " + column + " < ?", span.from, span.to);
}

/// Every word in the title or the notes, case-insensitive (things/data/folding.hpp). The
/// index holds both folded, a line break between them, which no search word contains.
void add_words(Sql& where, const std::string& query) {
  for (auto& word : search_words(query)) where.add(" AND instr(w.words, ?) > 0", word);
}

/// Items carrying the tag or one of its child tags, at any depth (Things' filter by a
/// parent tag shows its children's items too).
void add_tag(Sql& where, const std::string& tag_id) {
  where.add(" AND t.rid IN (SELECT l.rid FROM temp.takt_tag_link l WHERE l.tag IN ("
            "WITH RECURSIVE tag_tree(uuid) AS (SELECT ? UNION SELECT c.uuid FROM TMTag c JOIN tag_tree"
            " ON c.parent = tag_tree.uuid) SELECT uuid FROM tag_tree))",
            tag_id);
}

std::string quoted(const std::string& v) { return "'" + v + "'"; }

/// The id of the tag called `tag` or with that id: exact match first, then a title that
/// differs only in case. Throws NotFound naming `field`.
std::string resolve_tag(sqlite3* db, const std::string& tag, const char* field) {
  Sql exact;
  exact.add("SELECT uuid FROM TMTag WHERE uuid = ? OR title = ? ORDER BY uuid = ? DESC, \"index\" LIMIT 1", tag, tag,
            tag);
  Stmt s(db, exact);
  if (s.step()) return s.text(0);
  Sql folded;
  folded.add("SELECT uuid FROM TMTag WHERE takt_fold(title) = ? ORDER BY \"index\" LIMIT 1", fold_case(tag));
  Stmt f(db, folded);
  if (f.step()) return f.text(0);
  throw NotFound(std::string(field) + ": no tag is called " + quoted(tag) + " or has that id");
}

void require_project(sqlite3* db, const std::string& id) {
  Sql q;
  q.add("SELECT count(*) FROM TMTask WHERE uuid = ? AND type = 1", id);
  if (scalar(db, q) == 0) throw NotFound("project: no project has the id " + quoted(id));
  // A trashed project's items show in no list: say why the answer would be empty.
  Sql trashed;
  trashed.add("SELECT count(*) FROM TMTask WHERE uuid = ? AND trashed = 1", id);
  if (scalar(db, trashed) != 0)
    throw NotFound("project: " + quoted(id) +
                   " is in the Trash, and the items of a trashed project show in no list; get_item shows it, restore "
                   "brings it back");
}

void require_area(sqlite3* db, const std::string& id) {
  Sql q;
  q.add("SELECT count(*) FROM TMArea WHERE uuid = ?", id);
  if (scalar(db, q) == 0) throw NotFound("area: no area has the id " + quoted(id));
}

/// " AND ..." for the criteria of search and search_advanced.
Sql search_where(sqlite3* db, const SearchCriteria& c, const Date& today) {
  Sql where;
  where += kIndexVisible;
  add_words(where, c.query);
  if (c.status) where.add(" AND t.status = ?", static_cast<long long>(*c.status));
  if (c.type) where.add(" AND t.type = ?", static_cast<long long>(*c.type));
  if (c.tag) add_tag(where, resolve_tag(db, *c.tag, "tag"));
  if (c.area) {
    require_area(db, *c.area);
    where.add(" AND t.area_id = ?", *c.area);
  }
  if (c.project) {
    require_project(db, *c.project);
    where.add(" AND t.project_id = ?", *c.project);
  }
  add_range(where, "t.startDate", c.start_date);
  add_range(where, "t.deadline", c.deadline);
  if (c.created_within) add_span(where, "t.creationDate", span_of(today, *c.created_within));
  return where;
}

}  // namespace

Span span_of(const Date& today, const Period& period) {
  return {local_midnight(period_start(today, period)), local_midnight(add_days(today, 1))};
}

Sql inbox_where() { return open_visible("t.start = 0"); }

// Today: started and dated Anytime items, Someday items whose date has come (Things shows
// them with a yellow dot until confirmed), and undated items whose deadline has come,
// unless the user moved them out of Today (deadlineSuppressionDate).
Sql today_where(const Date& today) {
  Sql s = open_visible(
      "(t.start = 1 AND t.startDate IS NOT NULL)"
      " OR (t.start = 2 AND t.startDate IS NOT NULL AND t.startDate <= ?)"
      " OR (t.startDate IS NULL AND t.deadline IS NOT NULL AND t.deadline <= ? AND t.deadlineSuppressionDate IS NULL)");
  s.values = {packed(today), packed(today)};
  return s;
}

Sql upcoming_where(const Date& today) {
  Sql s = open_visible("t.start = 2 AND t.startDate > ?");
  s.values = {packed(today)};
  return s;
}

// Anytime: every started item, Today's included, except the to-dos of projects that are
// themselves in Someday or Upcoming (start 2): Things shows those only inside the project.
Sql anytime_where() { return open_visible("t.start = 1 AND COALESCE(t.project_start, 1) != 2"); }

Sql someday_where() { return open_visible("t.start = 2 AND t.startDate IS NULL"); }

Sql logbook_where(const std::optional<Span>& stopped_within) {
  Sql s;
  s += kIndexVisible;
  s += " AND t.status IN (2, 3)";
  if (stopped_within) add_span(s, "t.stopDate", *stopped_within);
  return s;
}

// The Trash: trashed items of any status (a to-do trashed inside a trashed project too);
// repeating templates stay hidden.
Sql trash_where() {
  Sql s;
  s += "t.trashed = 1 AND t.repeating = 0";
  return s;
}

Sql projects_where() { return open_visible("t.type = 1"); }

std::string ThingsDb::list(const ListQuery& q) {
  Lease lease(*this);
  IndexedRead read(*this, lease.get());  // the page and its total from one state of the database
  Stmt s(lease.get(), select_page(q.where, q.order, q.page, q.from, q.total_in_page));
  std::string answer = page_answer(
      lease.get(), s, q.page, [&] { return count_tasks(q.where, q.count_from); },
      [&](json::Writer& w, const Stmt& row) { write_item(w, row, q.item); }, q.total_in_page ? kPageTotal : -1);
  read.commit();
  return answer;
}

std::string ThingsDb::inbox(const ListArgs& a) { return list({inbox_where(), kThingsOrder, a.page, plain(a)}); }

// Things shows This Evening below the rest of Today; within each part, its own order.
// Undated items (shown for their deadline) sort before dated ones of the same todayIndex.
std::string ThingsDb::today(const ListArgs& a) {
  return list({today_where(today_()),
               std::string("COALESCE(t.startBucket, 0) = 1, t.todayIndex, t.startDate, ") + kTieBreak, a.page,
               plain(a)});
}

std::string ThingsDb::upcoming(const ListArgs& a) {
  return list({upcoming_where(today_()), std::string("t.startDate, t.todayIndex, ") + kTieBreak, a.page, plain(a)});
}

std::string ThingsDb::anytime(const ListArgs& a) { return list({anytime_where(), kThingsOrder, a.page, plain(a)}); }

std::string ThingsDb::someday(const ListArgs& a) { return list({someday_where(), kThingsOrder, a.page, plain(a)}); }

std::string ThingsDb::logbook(const ListArgs& a, const std::optional<Period>& period) {
  std::optional<Span> span;
  if (period) span = span_of(today_(), *period);
  // A period is counted along the stop dates it covers; the whole Logbook through the
  // status index, whose status and visibility cover it.
  return list({logbook_where(span), std::string("t.stopDate DESC, ") + kTieBreak, a.page, plain(a), kIndexByStopDate,
               span ? kIndexByStopDate : kIndexFrom, false});
}

std::string ThingsDb::trash(const ListArgs& a) { return list({trash_where(), kTieBreak, a.page, plain(a), kIndexScan}); }

std::string ThingsDb::projects(const ListArgs& a, const std::optional<std::string>& area) {
  Sql where = projects_where();
  if (area) {
    Lease lease(*this);
    require_area(lease.get(), *area);
    where.add(" AND t.area_id = ?", *area);
  }
  return list({std::move(where), kThingsOrder, a.page, plain(a)});
}

std::string ThingsDb::todos(const ListArgs& a, const TodoFilter& f) {
  Sql where = open_visible("t.type = 0");
  {
    Lease lease(*this);
    if (f.project) {
      require_project(lease.get(), *f.project);
      where.add(" AND t.project_id = ?", *f.project);
    }
    if (f.area) {
      require_area(lease.get(), *f.area);
      where.add(" AND t.area_id = ?", *f.area);
    }
    if (f.tag) add_tag(where, resolve_tag(lease.get(), *f.tag, "tag"));
  }
  return list({std::move(where), kThingsOrder, a.page, plain(a)});
}

std::string ThingsDb::headings(const ListArgs& a, const std::string& project) {
  {
    Lease lease(*this);
    require_project(lease.get(), project);
  }
  Sql where = open_visible("t.type = 2");
  where.add(" AND t.project_id = ?", project);
  return list({std::move(where), kThingsOrder, a.page, plain(a), kIndexByProject, kIndexByProject});
}

// Open items first (in Things' order), then the logged ones, the latest first.
std::string ThingsDb::search(const ListArgs& a, const SearchCriteria& c) {
  Sql where;
  {
    Lease lease(*this);
    where = search_where(lease.get(), c, today_());
  }
  // Words are looked for in the folded text first (kIndexWords). Without words, and with a
  // status asked for, the open-first key is the same for every item: the logged ones are
  // then walked latest first, the open ones through the status index.
  if (!search_words(c.query).empty())
    return list({std::move(where), std::string("t.status != 0, t.stopDate DESC, ") + kTieBreak, a.page, plain(a),
                 kIndexWords, kIndexWords});
  if (c.status)
    return list({std::move(where), std::string("t.stopDate DESC, ") + kTieBreak, a.page, plain(a),
                 *c.status == 0 ? kIndexFrom : kIndexByStopDate, kIndexScan, false});
  return list({std::move(where), std::string("t.status != 0, t.stopDate DESC, ") + kTieBreak, a.page, plain(a),
               kIndexScan});
}

std::string ThingsDb::recent(const ListArgs& a, const Period& period) {
  const Span span = span_of(today_(), period);
  Sql where;
  where += kIndexVisible;
  where.add(" AND ((t.creationDate >= ? AND t.creationDate < ?) OR (t.userModificationDate >= ? AND "
            "t.userModificationDate < ?))",
            span.from, span.to, span.from, span.to);
  return list({std::move(where),
               std::string("MAX(COALESCE(t.creationDate, 0), COALESCE(t.userModificationDate, 0)) DESC, ") +
                   kTieBreak,
               a.page, plain(a), kIndexScan});
}

std::string ThingsDb::due(const ListArgs& a, long long days) {
  const Date today = today_();
  Sql where = open_visible("t.deadline IS NOT NULL AND t.deadline <= ?");
  where.values = {packed(add_days(today, days))};
  ItemOptions options = plain(a);
  options.due_from = today;
  return list({std::move(where), std::string("t.deadline, ") + kTieBreak, a.page, options});
}

std::string ThingsDb::repeating(const ListArgs& a) {
  Sql where;
  where += "t.trashed = 0 AND t.status = 0 AND t.repeating = 1 AND t.parents_ok = 1";
  ItemOptions options = plain(a);
  options.with_repeat = true;
  return list({std::move(where), kTieBreak, a.page, options});
}

}  // namespace takt::things
