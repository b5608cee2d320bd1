// add_todo and update_todo.
#include "edits.hpp"
#include "op_handlers.hpp"
#include "tasks.hpp"

namespace takt::sim {

namespace {

std::string quoted(const std::string& text) { return "\"" + text + "\""; }

std::optional<std::string> project_of_heading(Database& db, const std::string& heading) {
  return db.query_text("SELECT project FROM TMTask WHERE uuid = ?1", heading);
}

// The project a to-do is in: directly, or through its heading.
std::optional<std::string> project_of(Database& db, const TaskRow& row) {
  if (row.project) return row.project;
  if (row.heading) return project_of_heading(db, *row.heading);
  return std::nullopt;
}

bool has_container(const TaskRow& row) { return row.project || row.heading || row.area; }

// Validates project/area/heading of a new to-do and stores them as Things does: a to-do
// under a heading has project NULL (its project is the heading's project).
void place_new_todo(Database& db, const AddTodo& op, TaskRow& row) {
  if (op.area && (op.project || op.heading)) {
    throw OpError("area " + quoted(*op.area) + ": cannot go with project or heading");
  }
  if (op.project) {
    require_task(db, *op.project, TaskType::project, "project");
    require_not_in_trash(db, *op.project, "project");
  }
  if (op.area) require_area(db, *op.area);
  if (op.heading) {
    require_task(db, *op.heading, TaskType::heading, "heading");
    require_not_in_trash(db, *op.heading, "heading");
    const auto heading_project = project_of_heading(db, *op.heading);
    if (op.project && heading_project != op.project) {
      throw OpError("heading " + quoted(*op.heading) + ": not in project " + quoted(*op.project));
    }
    row.heading = op.heading;
    return;
  }
  row.project = op.project;
  row.area = op.area;
}

// project / heading / area of update_todo. Returns whether the to-do was moved INTO a
// container (which takes it out of the Inbox).
bool move_todo(Database& db, const UpdateTodo& op, TaskRow& row) {
  const Clearable& area = op.edits.area;
  if (area.sets() && (op.project.sets() || op.heading.sets())) {
    throw OpError("area " + quoted(*area.value) + ": cannot go with project or heading");
  }
  if (op.heading.sets() && op.project.clears()) {
    throw OpError("heading " + quoted(*op.heading.value) + ": cannot go with project null");
  }
  bool moved_in = false;
  if (op.project.sets()) {
    require_task(db, *op.project.value, TaskType::project, "project");
    require_not_in_trash(db, *op.project.value, "project");
    row.project = op.project.value;
    row.heading.reset();
    row.area.reset();
    moved_in = true;
  } else if (op.project.clears()) {
    row.project.reset();
    row.heading.reset();
  }
  if (op.heading.sets()) {
    const std::string& heading = *op.heading.value;
    require_task(db, heading, TaskType::heading, "heading");
    require_not_in_trash(db, heading, "heading");
    const auto target = project_of(db, row);  // the project of this op, or the current one
    if (!target) {
      throw OpError("heading " + quoted(heading) + ": the to-do is in no project (give the heading's project too)");
    }
    if (project_of_heading(db, heading) != target) {
      throw OpError("heading " + quoted(heading) + ": not in project " + quoted(*target));
    }
    row.heading = heading;
    row.project.reset();
    row.area.reset();
    moved_in = true;
  } else if (op.heading.clears() && row.heading) {
    row.project = project_of_heading(db, *row.heading);
    row.heading.reset();
  }
  if (area.sets()) {
    require_area(db, *area.value);
    row.area = area.value;
    row.project.reset();
    row.heading.reset();
    moved_in = true;
  } else if (area.clears()) {
    row.area.reset();
  }
  return moved_in;
}

// when / list of update_todo, after the move.
void schedule_todo(Database& db, const UpdateTodo& op, TaskRow& row, bool moved_in, Date today) {
  const Clearable& when = op.edits.when;
  if (when.given && op.list) throw OpError("when and list: give one or the other");
  if (op.list) {
    const Schedule schedule = resolve_list(*op.list, today);
    if (schedule.start == StartList::inbox) {
      if (moved_in) throw OpError("list \"inbox\": cannot go with project, heading or area");
      row.project.reset();
      row.heading.reset();
      row.area.reset();
    }
    reschedule(db, row, schedule);
  } else if (when.sets()) {
    reschedule(db, row, resolve_when(when.value, has_container(row), today));
  } else if (when.clears()) {
    // Things: "no date" puts an item in Anytime, but an Inbox item stays in the Inbox.
    const bool stays_in_inbox = row.start == StartList::inbox && !has_container(row);
    reschedule(db, row, {stays_in_inbox ? StartList::inbox : StartList::anytime, std::nullopt, 0});
  } else if (moved_in && row.start == StartList::inbox) {
    reschedule(db, row, {StartList::anytime, row.start_date, row.start_bucket});
  }
}

void edit_checklist(Database& db, const UpdateTodo& op, const std::string& task, double now) {
  if (op.checklist && !op.append_checklist.empty()) throw OpError("checklist: cannot go with append_checklist");
  if (op.checklist_items && (op.checklist || !op.append_checklist.empty())) {
    throw OpError("checklist_items: cannot go with checklist or append_checklist");
  }
  std::int64_t index = 0;
  if (op.checklist_items) {
    for (const ChecklistEntry& item : *op.checklist_items) {
      if (item.title.empty()) throw OpError("checklist_items \"\": empty checklist item");
    }
    db.run("DELETE FROM TMChecklistItem WHERE task = ?1", task);
    for (const ChecklistEntry& item : *op.checklist_items) {
      insert_checklist_item(db, task, item.title, index++, item.completed ? TaskStatus::completed : TaskStatus::open,
                            now);
    }
  } else if (op.checklist) {
    require_item_titles("checklist", *op.checklist, "checklist item");
    db.run("DELETE FROM TMChecklistItem WHERE task = ?1", task);
    for (const std::string& item : *op.checklist) {
      insert_checklist_item(db, task, item, index++, TaskStatus::open, now);
    }
  } else if (!op.append_checklist.empty()) {
    require_item_titles("append_checklist", op.append_checklist, "checklist item");
    index = db.query_int64(R"sql(SELECT COALESCE(MAX("index"), -1) + 1 FROM TMChecklistItem WHERE task = ?1)sql",
                           task)
                .value_or(0);
    for (const std::string& item : op.append_checklist) {
      insert_checklist_item(db, task, item, index++, TaskStatus::open, now);
    }
  } else {
    return;
  }
  refresh_checklist_counts(db, task);
}

}  // namespace

std::string add_todo(Database& db, const AddTodo& op, const Clock& clock) {
  require_title("title", op.title);
  TaskRow row;
  row.uuid = random_uuid();
  row.type = TaskType::todo;
  row.title = op.title;
  row.notes = op.notes.value_or("");
  row.creation_date = row.modification_date = clock.now;
  row.index = next_index(db);
  place_new_todo(db, op, row);
  if (op.when && op.list) throw OpError("when and list: give one or the other");
  const Schedule schedule =
      op.list ? resolve_list(*op.list, clock.today) : resolve_when(op.when, has_container(row), clock.today);
  if (op.list && schedule.start == StartList::inbox && has_container(row)) {
    throw OpError("list \"inbox\": cannot go with project, heading or area");
  }
  apply_schedule(db, row, schedule);
  if (op.reminder) set_reminder(row, *op.reminder);
  if (op.deadline) row.deadline = parse_date_field("deadline", *op.deadline);
  require_item_titles("checklist", op.checklist, "checklist item");
  row.checklist_items = row.open_checklist_items = static_cast<int>(op.checklist.size());
  insert_task(db, row);
  tag_task(db, row.uuid, op.tags, "tags", clock.now);
  std::int64_t checklist_index = 0;
  for (const std::string& item : op.checklist) {
    insert_checklist_item(db, row.uuid, item, checklist_index++, TaskStatus::open, clock.now);
  }
  return row.uuid;
}

std::string update_todo(Database& db, const UpdateTodo& op, const Clock& clock) {
  const TaskEdits& edits = op.edits;
  TaskRow row = require_task_row(db, edits.id, TaskType::todo);
  edit_text(row, edits);
  const bool moved_in = move_todo(db, op, row);
  schedule_todo(db, op, row, moved_in, clock.today);
  edit_reminder_and_deadline(row, edits);
  row.modification_date = clock.now;
  save_task(db, row);
  edit_tags(db, row.uuid, edits, clock.now);
  edit_checklist(db, op, row.uuid, clock.now);
  return row.uuid;
}

}  // namespace takt::sim
