// Checks and edits that several ops share (internal to takt_sim_core). Every check throws
// OpError with a message that starts with the field's name and quotes the bad value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "database.hpp"
#include "script.hpp"
#include "tasks.hpp"

namespace takt::sim {

// "to-do", "project" or "heading".
std::string_view type_name(TaskType type);

// `<field>: empty` for an empty title.
void require_title(std::string_view field, const std::string& title);

// The task `id` names, which must be of type `type`: otherwise `id "X": no such to-do` or
// `id "X": a project, not a to-do`.
TaskRow require_task_row(Database& db, const std::string& id, TaskType type);
// Any task (to-do, project or heading).
TaskRow require_any_task_row(Database& db, const std::string& id);

// A DATE value of `field`, packed.
std::int64_t parse_date_field(std::string_view field, const std::string& value);

// "HH:MM" (24 h) as Things' reminderTime, h << 26 | min << 20.
std::int64_t parse_reminder(const std::string& value);

// Sets the reminder of a row whose schedule is final: it must have a date.
void set_reminder(TaskRow& row, const std::string& value);

// title, notes, append_notes, prepend_notes.
void edit_text(TaskRow& row, const TaskEdits& edits);

// reminder and deadline (after the schedule is final).
void edit_reminder_and_deadline(TaskRow& row, const TaskEdits& edits);

// tags, add_tags, remove_tags of a to-do or project (its row must exist).
void edit_tags(Database& db, const std::string& task, const TaskEdits& edits, double now);

// Links each tag (created when missing) to the task; `field` names them in errors.
void tag_task(Database& db, const std::string& task, const std::vector<std::string>& titles,
              std::string_view field, double now);

// Every title non-empty: otherwise `<field> "": empty ...`.
void require_item_titles(std::string_view field, const std::vector<std::string>& titles, std::string_view what);

}  // namespace takt::sim
