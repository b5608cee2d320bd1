// Writing Things 3 rows the way Things itself fills them, for the demo seed and the
// generated databases (the object model in sim/model writes its own rows).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "database.hpp"
#include "dates.hpp"

namespace takt::sim {

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

// Where an item is: the Inbox, Anytime or Someday, its date and This Evening.
struct Schedule {
  StartList start = StartList::inbox;
  std::optional<std::int64_t> start_date;
  int start_bucket = 0;
};

// Tag by title, case-insensitive (ASCII); created when missing, and marked used now.
// Returns its uuid.
std::string ensure_tag(Database& db, std::string_view title, double now);
void link_tag(Database& db, const std::string& task_uuid, const std::string& tag_uuid);

void insert_checklist_item(Database& db, const std::string& task_uuid, std::string_view title,
                           std::int64_t index, TaskStatus status, double now);

// Recomputes untrashedLeafActionsCount / openUntrashedLeafActionsCount of every project
// and heading (to-dos directly in it or under its headings, as Things counts them).
void refresh_leaf_counts(Database& db);

}  // namespace takt::sim
