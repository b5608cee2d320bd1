#include "edits.hpp"

#include <algorithm>

namespace takt::sim {

namespace {

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

// ASCII case folding, as SQLite's NOCASE (which the tag look-ups use).
std::string folded(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; });
  return result;
}

int two_digits(std::string_view text, std::size_t at) {
  const char high = text[at];
  const char low = text[at + 1];
  if (high < '0' || high > '9' || low < '0' || low > '9') return -1;
  return (high - '0') * 10 + (low - '0');
}

std::string join_notes(const std::string& first, const std::string& second) {
  if (first.empty()) return second;
  if (second.empty()) return first;
  return first + "\n" + second;
}

}  // namespace

std::string_view type_name(TaskType type) {
  switch (type) {
    case TaskType::todo:
      return "to-do";
    case TaskType::project:
      return "project";
    case TaskType::heading:
      return "heading";
  }
  return "item";
}

void require_title(std::string_view field, const std::string& title) {
  if (title.empty()) throw OpError(std::string(field) + ": empty");
}

// One rule for an id an op cannot act on, whatever the op: nothing has it (`no such
// item`: the op cannot know which kind was meant), or it names another kind (`an area,
// not a to-do`, `a heading, not a to-do`).
[[noreturn]] void no_task(Database& db, const std::string& id, std::string_view wanted) {
  if (db.query_int64("SELECT 1 FROM TMArea WHERE uuid = ?1", id)) {
    throw OpError("id " + quoted(id) + ": an area, not a " + std::string(wanted));
  }
  throw OpError("id " + quoted(id) + ": no such item");
}

TaskRow require_any_task_row(Database& db, const std::string& id) {
  auto row = load_task(db, id);
  if (!row) no_task(db, id, "to-do, project or heading");
  return std::move(*row);
}

TaskRow require_task_row(Database& db, const std::string& id, TaskType type) {
  auto row = load_task(db, id);
  if (!row) no_task(db, id, type_name(type));
  if (row->type != type) {
    throw OpError("id " + quoted(id) + ": a " + std::string(type_name(row->type)) + ", not a " +
                  std::string(type_name(type)));
  }
  return std::move(*row);
}

std::int64_t parse_date_field(std::string_view field, const std::string& value) {
  const auto date = parse_iso_date(value);
  if (!date) throw OpError(std::string(field) + " " + quoted(value) + ": expected a date YYYY-MM-DD");
  return pack_date(*date);
}

std::int64_t parse_reminder(const std::string& value) {
  const int hours = value.size() == 5 && value[2] == ':' ? two_digits(value, 0) : -1;
  const int minutes = hours >= 0 ? two_digits(value, 3) : -1;
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) {
    throw OpError("reminder " + quoted(value) + ": expected a time HH:MM (24 h, 00:00 to 23:59)");
  }
  return (static_cast<std::int64_t>(hours) << 26) | (static_cast<std::int64_t>(minutes) << 20);
}

void set_reminder(TaskRow& row, const std::string& value) {
  const std::int64_t time = parse_reminder(value);
  if (!row.start_date) {
    throw OpError("reminder " + quoted(value) +
                  ": a reminder needs a date (when today, evening, tomorrow or YYYY-MM-DD)");
  }
  row.reminder_time = time;
}

void edit_text(TaskRow& row, const TaskEdits& edits) {
  if (edits.title) {
    require_title("title", *edits.title);
    row.title = *edits.title;
  }
  if (edits.notes && (edits.append_notes || edits.prepend_notes)) {
    throw OpError("notes: cannot go with append_notes or prepend_notes");
  }
  if (edits.notes) row.notes = *edits.notes;
  if (edits.prepend_notes) row.notes = join_notes(*edits.prepend_notes, row.notes);
  if (edits.append_notes) row.notes = join_notes(row.notes, *edits.append_notes);
}

void edit_reminder_and_deadline(TaskRow& row, const TaskEdits& edits) {
  if (edits.reminder.sets()) {
    set_reminder(row, *edits.reminder.value);
  } else if (edits.reminder.clears()) {
    row.reminder_time.reset();
  }
  if (edits.deadline.given) {
    row.deadline.reset();
    if (edits.deadline.sets()) row.deadline = parse_date_field("deadline", *edits.deadline.value);
    row.deadline_suppression_date.reset();
  }
}

void require_item_titles(std::string_view field, const std::vector<std::string>& titles, std::string_view what) {
  for (const std::string& title : titles) {
    if (title.empty()) throw OpError(std::string(field) + " \"\": empty " + std::string(what));
  }
}

void tag_task(Database& db, const std::string& task, const std::vector<std::string>& titles,
              std::string_view field, double now) {
  require_item_titles(field, titles, "tag title");
  for (const std::string& title : titles) link_tag(db, task, ensure_tag(db, title, now));
}

void edit_tags(Database& db, const std::string& task, const TaskEdits& edits, double now) {
  if (edits.tags && (!edits.add_tags.empty() || !edits.remove_tags.empty())) {
    throw OpError("tags: cannot go with add_tags or remove_tags (tags replaces the whole set)");
  }
  for (const std::string& added : edits.add_tags) {
    for (const std::string& removed : edits.remove_tags) {
      if (folded(added) == folded(removed)) throw OpError("add_tags " + quoted(added) + ": also in remove_tags");
    }
  }
  if (edits.tags) {
    require_item_titles("tags", *edits.tags, "tag title");
    db.run("DELETE FROM TMTaskTag WHERE tasks = ?1", task);
    tag_task(db, task, *edits.tags, "tags", now);
  }
  tag_task(db, task, edits.add_tags, "add_tags", now);
  require_item_titles("remove_tags", edits.remove_tags, "tag title");
  for (const std::string& title : edits.remove_tags) {
    const auto tag = find_tag(db, title);
    if (!tag) throw OpError("remove_tags " + quoted(title) + ": no such tag");
    db.run("DELETE FROM TMTaskTag WHERE tasks = ?1 AND tags = ?2", task, *tag);
  }
}

}  // namespace takt::sim
