#include "things/db/items.hpp"

#include <cstdio>

#include "things/data/recurrence.hpp"
#include "things/db/task_index.hpp"

namespace takt::things {
namespace {

/// The columns that select_tasks selects, in order.
enum Col {
  kId, kType, kTitle, kNotes, kStatus, kStart, kStartDate, kBucket, kDeadline, kProject, kProjectTitle,
  kArea, kAreaTitle, kHeading, kHeadingTitle, kTags, kCreated, kModified, kStopDate, kTrashed, kReminder,
  kTemplate, kRule, kPaused, kNextStart, kColumns
};
static_assert(kColumns == kPageTotal, "select_page's total follows the item columns");

const char* type_name(long long t) { return t == 1 ? "project" : t == 2 ? "heading" : "to-do"; }
const char* status_name(long long s) { return s == 3 ? "completed" : s == 2 ? "canceled" : "open"; }
const char* start_name(long long s) { return s == 0 ? "inbox" : s == 2 ? "someday" : "anytime"; }

void put_string(json::Writer& w, const char* key, const std::string& v) {
  w.Key(key);
  w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
}

void put_optional(json::Writer& w, const char* key, const Stmt& s, int col) {
  if (s.null(col)) return;
  auto v = s.text(col);
  if (!v.empty()) put_string(w, key, v);
}

/// A packed date as YYYY-MM-DD. Dates from the year 4000 on are Things' placeholders
/// (repeating templates carry 4001-01-01) and are left out.
std::optional<Date> date_of(const Stmt& s, int col) {
  if (s.null(col)) return std::nullopt;
  auto d = unpack_date(s.i64(col));
  if (!d || d->year >= 4000) return std::nullopt;
  return d;
}

void put_date(json::Writer& w, const char* key, const Stmt& s, int col) {
  if (auto d = date_of(s, col)) put_string(w, key, iso_date(*d));
}

void put_timestamp(json::Writer& w, const char* key, const Stmt& s, int col) {
  if (!s.null(col)) put_string(w, key, iso_timestamp(s.real(col)));
}

/// reminderTime packs hours and minutes as h<<26 | min<<20.
void put_reminder(json::Writer& w, const Stmt& s) {
  if (s.null(kReminder)) return;
  if (auto text = reminder_text(s.i64(kReminder))) put_string(w, "reminder_time", *text);
}

void put_tags(json::Writer& w, const Stmt& s) {
  w.Key("tags");
  w.StartArray();
  auto tags = s.text(kTags);
  std::size_t from = 0;
  while (!tags.empty() && from <= tags.size()) {
    auto to = tags.find('\x1f', from);
    if (to == std::string::npos) to = tags.size();
    w.String(tags.data() + from, static_cast<rapidjson::SizeType>(to - from));
    from = to + 1;
  }
  w.EndArray();
}

void put_due(json::Writer& w, const Stmt& s, const Date& today) {
  auto deadline = date_of(s, kDeadline);
  if (!deadline) return;
  const long long left = days_between(today, *deadline);
  w.Key("overdue");
  w.Bool(left < 0);
  w.Key("days_left");
  w.Int64(left);
}

void put_repeat(json::Writer& w, const Stmt& s) {
  if (s.null(kRule)) return;
  w.Key("repeat");
  w.StartObject();
  auto rule = parse_repeat_rule(s.text(kRule));
  put_string(w, "rule", rule ? describe(*rule) : "repeats (by a rule takt cannot read)");
  if (rule && repeat_unit_name(rule->unit)) {
    put_string(w, "unit", repeat_unit_name(rule->unit));
    w.Key("interval");
    w.Int64(rule->interval);
  }
  w.Key("after_completion");
  w.Bool(rule && rule->after_completion);
  w.Key("paused");
  w.Bool(!s.null(kPaused) && s.i64(kPaused) != 0);
  put_date(w, "next_start_date", s, kNextStart);
  w.EndObject();
}

/// The fields of a compact item: enough to name it and to know when it is due.
void write_essentials(json::Writer& w, const Stmt& s) {
  put_optional(w, "id", s, kId);
  put_string(w, "type", type_name(s.i64(kType)));
  put_string(w, "title", s.text(kTitle));
  put_string(w, "status", status_name(s.i64(kStatus)));
  put_date(w, "start_date", s, kStartDate);
  put_date(w, "deadline", s, kDeadline);
}

void write_context(json::Writer& w, const Stmt& s) {
  put_optional(w, "project", s, kProject);
  put_optional(w, "project_title", s, kProjectTitle);
  put_optional(w, "area", s, kArea);
  put_optional(w, "area_title", s, kAreaTitle);
  put_optional(w, "heading", s, kHeading);
  put_optional(w, "heading_title", s, kHeadingTitle);
}

/// `"evening": true` for an item in This Evening (in compact items too: without it a
/// model could not tell This Evening from the rest of Today).
void put_evening(json::Writer& w, const Stmt& s) {
  if (!s.null(kBucket) && s.i64(kBucket) == 1) {
    w.Key("evening");
    w.Bool(true);
  }
}

void write_details(json::Writer& w, const Stmt& s) {
  put_optional(w, "notes", s, kNotes);
  // Unknown in takt's mirror of Things (things/mirror) for an item in none of the lists
  // that tell it (a completed one, say): left out rather than guessed.
  if (!s.null(kStart)) put_string(w, "start", start_name(s.i64(kStart)));
  put_evening(w, s);
  put_reminder(w, s);
  if (!s.null(kStopDate)) put_string(w, "stop_date", iso_date(local_date(s.real(kStopDate))));
  if (s.i64(kTrashed) != 0) {
    w.Key("trashed");
    w.Bool(true);
  }
  write_context(w, s);
  put_tags(w, s);
  put_timestamp(w, "created", s, kCreated);
  put_timestamp(w, "modified", s, kModified);
  put_optional(w, "repeating_template", s, kTemplate);
}

}  // namespace

namespace {
// Tags come in Things' order, joined by the unit separator (they may hold commas).
const char* const kTaskColumns = R"(
SELECT t.uuid, t.type, t.title, t.notes, t.status, t.start, t.startDate, t.startBucket, t.deadline,
       p.uuid, p.title, a.uuid, a.title, h.uuid, h.title,
       (SELECT group_concat(title, char(31)) FROM
          (SELECT tg.title FROM TMTaskTag tt JOIN TMTag tg ON tg.uuid = tt.tags
            WHERE tt.tasks = t.uuid ORDER BY tg."index", tg.title)),
       t.creationDate, t.userModificationDate, t.stopDate, t.trashed, t.reminderTime,
       t.rt1_repeatingTemplate, t.rt1_recurrenceRule, t.rt1_instanceCreationPaused, t.rt1_nextInstanceStartDate
)";
}  // namespace

const char* const kTaskFrom = R"(
  FROM TMTask t
  LEFT JOIN TMTask h ON h.uuid = t.heading
  LEFT JOIN TMTask p ON p.uuid = COALESCE(t.project, h.project)
  LEFT JOIN TMArea a ON a.uuid = COALESCE(t.area, p.area)
)";

const char* const kVisible =
    "t.trashed = 0 AND t.rt1_recurrenceRule IS NULL"
    " AND (p.uuid IS NULL OR p.trashed = 0) AND (h.uuid IS NULL OR h.trashed = 0)";

const char* const kTieBreak = "t.\"index\", t.uuid";

const char* const kThingsOrder = "t.\"index\", t.rowid";

Sql select_tasks(const Sql& where, std::string_view order) {
  Sql s;
  s += kTaskColumns;
  s += kTaskFrom;
  s += " WHERE ";
  s += where;
  s += " ORDER BY ";
  s += order;
  return s;
}

// The page is chosen first, in takt's index of the tasks (rowid and the order's keys only);
// the item columns (the tag list a subquery) are then read from TMTask for its rows alone,
// not for every row of the list.
Sql select_page(const Sql& where, std::string_view order, const Page& page, const char* from, bool with_total) {
  // The page's rowids, chosen in the index; with the whole list's size from the same pass
  // (a window over every matching row) instead of a second pass to count them.
  Sql chosen;
  chosen += with_total ? "SELECT t.rowid AS rid, count(*) OVER () AS total" : "SELECT t.rowid";
  chosen += from;
  chosen += " WHERE ";
  chosen += where;
  chosen += " ORDER BY ";
  chosen += order;
  chosen.add(" LIMIT ? OFFSET ?", page.limit, page.offset);
  Sql s;
  s += kTaskColumns;
  if (with_total) {
    s += ", pg.total FROM (";
    s += chosen;
    s += ") pg CROSS JOIN TMTask t ON t.rowid = pg.rid ";
    s += std::string_view(kTaskFrom).substr(std::string_view(kTaskFrom).find("LEFT JOIN"));  // its joins
  } else {
    s += kTaskFrom;
    s += " WHERE t.rowid IN (";
    s += chosen;
    s += ")";
  }
  s += " ORDER BY ";
  s += order;
  return s;
}

Sql count_tasks(const Sql& where, const char* from) {
  Sql s;
  s += "SELECT count(*)";
  s += from;
  s += " WHERE ";
  s += where;
  return s;
}

void write_item_fields(json::Writer& w, const Stmt& s, const ItemOptions& options) {
  write_essentials(w, s);
  if (options.due_from) put_due(w, s, *options.due_from);
  if (!options.compact) {
    write_details(w, s);
    if (options.with_repeat) put_repeat(w, s);
  } else {
    put_evening(w, s);
  }
}

void write_item(json::Writer& w, const Stmt& s, const ItemOptions& options) {
  w.StartObject();
  write_item_fields(w, s, options);
  w.EndObject();
}

}  // namespace takt::things
