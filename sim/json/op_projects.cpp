// add_project, update_project and add_heading.
#include "edits.hpp"
#include "op_handlers.hpp"
#include "tasks.hpp"

namespace takt::sim {

namespace {

TaskRow new_row(TaskType type, const std::string& title, std::int64_t index, double now) {
  TaskRow row;
  row.uuid = random_uuid();
  row.type = type;
  row.title = title;
  row.creation_date = row.modification_date = now;
  row.index = index;
  row.start = StartList::anytime;  // headings and the to-dos of a project are Anytime
  return row;
}

}  // namespace

std::string add_project(Database& db, const AddProject& op, const Clock& clock) {
  require_title("title", op.title);
  require_item_titles("headings", op.headings, "heading title");
  require_item_titles("todos", op.todos, "to-do title");
  if (op.area) require_area(db, *op.area);
  // The project and its items go on top, in the given order.
  const auto count = static_cast<std::int64_t>(1 + op.todos.size() + op.headings.size());
  std::int64_t index = next_index(db) - (count - 1);
  TaskRow project = new_row(TaskType::project, op.title, index++, clock.now);
  project.notes = op.notes.value_or("");
  project.area = op.area;
  // Projects never sit in the Inbox: without `when` they are Anytime.
  apply_schedule(db, project, resolve_when(op.when, true, clock.today));
  if (op.reminder) set_reminder(project, *op.reminder);
  if (op.deadline) project.deadline = parse_date_field("deadline", *op.deadline);
  insert_task(db, project);
  tag_task(db, project.uuid, op.tags, "tags", clock.now);
  for (const std::string& title : op.todos) {
    TaskRow todo = new_row(TaskType::todo, title, index++, clock.now);
    todo.project = project.uuid;
    insert_task(db, todo);
  }
  for (const std::string& title : op.headings) {
    TaskRow heading = new_row(TaskType::heading, title, index++, clock.now);
    heading.project = project.uuid;
    insert_task(db, heading);
  }
  return project.uuid;
}

std::string update_project(Database& db, const UpdateProject& op, const Clock& clock) {
  const TaskEdits& edits = op.edits;
  TaskRow row = require_task_row(db, edits.id, TaskType::project);
  edit_text(row, edits);
  if (edits.area.sets()) {
    require_area(db, *edits.area.value);
    row.area = edits.area.value;
  } else if (edits.area.clears()) {
    row.area.reset();
  }
  if (edits.when.sets()) {
    reschedule(db, row, resolve_when(edits.when.value, true, clock.today));
  } else if (edits.when.clears()) {
    reschedule(db, row, {StartList::anytime, std::nullopt, 0});
  }
  edit_reminder_and_deadline(row, edits);
  row.modification_date = clock.now;
  save_task(db, row);
  edit_tags(db, row.uuid, edits, clock.now);
  return row.uuid;
}

std::string add_heading(Database& db, const AddHeading& op, const Clock& clock) {
  require_task(db, op.project, TaskType::project, "project");
  require_not_in_trash(db, op.project, "project");
  require_title("title", op.title);
  // After the project's existing headings, so that headings added one by one keep their
  // order; the first heading of a project goes on top like any new item.
  const auto last = db.query_int64(R"sql(SELECT MAX("index") FROM TMTask WHERE type = 2 AND project = ?1)sql",
                                   op.project);
  TaskRow heading = new_row(TaskType::heading, op.title, last ? *last + 1 : next_index(db), clock.now);
  heading.project = op.project;
  insert_task(db, heading);
  return heading.uuid;
}

}  // namespace takt::sim
