// Writing Things 3 rows the way Things itself fills them, shared by the demo seed and the
// script ops.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "database.hpp"
#include "dates.hpp"

namespace takt::sim {

// A bad value in one op (unknown uuid, empty title, ...): that op reports {"ok":false}.
class OpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class TaskType : int { todo = 0, project = 1, heading = 2 };
enum class TaskStatus : int { open = 0, canceled = 2, completed = 3 };
enum class StartList : int { inbox = 0, anytime = 1, someday = 2 };

// 22 random characters from [A-Za-z0-9], like Things' own ids. Always drawn from the
// system's entropy, never from --seed, so seeded runs cannot collide on ids.
std::string random_uuid();

// One TMTask row. Columns not listed get the values Things writes for a fresh item.
struct TaskRow {
  std::string uuid;
  TaskType type = TaskType::todo;
  TaskStatus status = TaskStatus::open;
  std::optional<double> stop_date;
  bool trashed = false;
  std::string title;
  std::string notes;  // Things stores '' (not NULL) for "no notes"
  StartList start = StartList::inbox;
  std::optional<std::int64_t> start_date;  // packed
  int start_bucket = 0;                    // 1 = This Evening
  std::optional<std::int64_t> reminder_time;  // h << 26 | min << 20
  std::optional<std::int64_t> deadline;       // packed
  std::optional<std::int64_t> deadline_suppression_date;
  std::int64_t index = 0;
  std::int64_t today_index = 0;
  std::optional<std::int64_t> today_index_reference_date;
  std::optional<std::string> area;
  std::optional<std::string> project;
  std::optional<std::string> heading;
  double creation_date = 0.0;
  double modification_date = 0.0;
  int checklist_items = 0;  // to-dos only
  int open_checklist_items = 0;
  bool leaves_tombstone = false;
  std::optional<std::string> repeating_template;  // an instance's template
  std::optional<std::string> recurrence_rule;     // plist XML; non-NULL marks a template
  std::optional<std::int64_t> instance_creation_start_date;
  int instance_creation_count = 0;
  std::optional<std::int64_t> next_instance_start_date;
};

void insert_task(Database& db, const TaskRow& row);

// The row of an existing task, or nullopt. Fills the columns an edit can change (and
// uuid, type, status, trashed, dates); the repeat fields are left at their defaults.
std::optional<TaskRow> load_task(Database& db, const std::string& uuid);

// Writes back the columns an edit can change: title, notes, start, startDate,
// startBucket, reminderTime, deadline, deadlineSuppressionDate, todayIndex,
// todayIndexReferenceDate, area, project, heading, userModificationDate.
void save_task(Database& db, const TaskRow& row);

// New items go on top, as in Things: one less than the current minimum.
std::int64_t next_index(Database& db);
std::int64_t next_today_index(Database& db);

// Where a new item lands for a `when` value ("today", "evening", "tomorrow", "anytime",
// "someday", "YYYY-MM-DD", or none), given whether it has a project/area/heading.
struct Schedule {
  StartList start = StartList::inbox;
  std::optional<std::int64_t> start_date;
  int start_bucket = 0;
};
Schedule resolve_when(const std::optional<std::string>& when, bool has_container, Date today);

// A named list: "inbox" (start 0, no date) or a `when` of the same name ("today",
// "evening", "anytime", "someday"). Throws OpError for anything else.
Schedule resolve_list(const std::string& list, Date today);

// Fills the scheduling columns (start, startDate, startBucket, todayIndex, ...) of a new
// row.
void apply_schedule(Database& db, TaskRow& row, const Schedule& schedule);

// Reschedules an existing row: a new date puts it on top of Today's order; an item left
// without a date loses its reminder (Things keeps a reminder only with a date).
void reschedule(Database& db, TaskRow& row, const Schedule& schedule);

// Tag by title, case-insensitive (ASCII), or nullopt.
std::optional<std::string> find_tag(Database& db, std::string_view title);
// A new tag at the end of the tag list; returns its uuid.
std::string insert_tag(Database& db, std::string_view title, const std::optional<std::string>& parent,
                       const std::optional<std::string>& shortcut);
// Tag by title, case-insensitive (ASCII); created when missing, and marked used now.
// Returns its uuid.
std::string ensure_tag(Database& db, std::string_view title, double now);
void link_tag(Database& db, const std::string& task_uuid, const std::string& tag_uuid);

void insert_checklist_item(Database& db, const std::string& task_uuid, std::string_view title,
                           std::int64_t index, TaskStatus status, double now);

// Sets checklistItemsCount / openChecklistItemsCount of a to-do from its items.
void refresh_checklist_counts(Database& db, const std::string& task_uuid);

// Recomputes untrashedLeafActionsCount / openUntrashedLeafActionsCount of every project
// and heading (to-dos directly in it or under its headings, as Things counts them).
void refresh_leaf_counts(Database& db);

// The uuid must name a TMTask of that type; throws OpError("<what> \"<uuid>\": no such <what>").
void require_task(Database& db, const std::string& uuid, TaskType type, std::string_view what);
// A project or heading that items are put into must not be in the Trash (nor, for a
// heading, its project): an item added there would be in no list, not even the Trash.
void require_not_in_trash(Database& db, const std::string& uuid, std::string_view what);
void require_area(Database& db, const std::string& uuid);

}  // namespace takt::sim
