#include "ops.hpp"

#include "tasks.hpp"

namespace takt::sim {

namespace {

void require_title(const std::string& title) {
  if (title.empty()) throw OpError("empty title");
}

std::optional<std::int64_t> parse_deadline(const std::optional<std::string>& deadline) {
  if (!deadline) return std::nullopt;
  const auto date = parse_iso_date(*deadline);
  if (!date) throw OpError("invalid deadline \"" + *deadline + "\" (expected YYYY-MM-DD)");
  return pack_date(*date);
}

// Any TMTask (to-do, project or heading); returns its type.
TaskType require_any_task(Database& db, const std::string& uuid) {
  const auto type = db.query_int64("SELECT type FROM TMTask WHERE uuid = ?1", uuid);
  if (!type) throw OpError("unknown id \"" + uuid + "\"");
  return static_cast<TaskType>(*type);
}

// Validates project/area/heading of a new to-do and stores them as Things does: a to-do
// under a heading has project NULL (its project is the heading's project).
void place_todo(Database& db, const AddTodo& op, TaskRow& row) {
  if (op.area && (op.project || op.heading)) {
    throw OpError("a to-do in a project or under a heading cannot also name an area");
  }
  if (op.project) require_task(db, *op.project, TaskType::project, "project");
  if (op.area) require_area(db, *op.area);
  if (op.heading) {
    require_task(db, *op.heading, TaskType::heading, "heading");
    const auto heading_project = db.query_text("SELECT project FROM TMTask WHERE uuid = ?1", *op.heading);
    if (op.project && heading_project != op.project) {
      throw OpError("heading \"" + *op.heading + "\" is not in project \"" + *op.project + "\"");
    }
    row.heading = op.heading;
    return;
  }
  row.project = op.project;
  row.area = op.area;
}

std::string add_todo(Database& db, const AddTodo& op, const Clock& clock) {
  require_title(op.title);
  TaskRow row;
  row.uuid = random_uuid();
  row.type = TaskType::todo;
  row.title = op.title;
  row.notes = op.notes.value_or("");
  row.creation_date = row.modification_date = clock.now;
  row.index = next_index(db);
  place_todo(db, op, row);
  const bool has_container = op.project || op.area || op.heading;
  apply_schedule(db, row, resolve_when(op.when, has_container, clock.today));
  row.deadline = parse_deadline(op.deadline);
  row.checklist_items = row.open_checklist_items = static_cast<int>(op.checklist.size());
  insert_task(db, row);
  for (const std::string& tag : op.tags) {
    link_tag(db, row.uuid, ensure_tag(db, tag, clock.now));
  }
  std::int64_t checklist_index = 0;
  for (const std::string& item : op.checklist) {
    insert_checklist_item(db, row.uuid, item, checklist_index++, TaskStatus::open, clock.now);
  }
  return row.uuid;
}

std::string add_project(Database& db, const AddProject& op, const Clock& clock) {
  require_title(op.title);
  TaskRow row;
  row.uuid = random_uuid();
  row.type = TaskType::project;
  row.title = op.title;
  row.notes = op.notes.value_or("");
  row.creation_date = row.modification_date = clock.now;
  row.index = next_index(db);
  if (op.area) require_area(db, *op.area);
  row.area = op.area;
  // Projects never sit in the Inbox: without `when` they are Anytime.
  apply_schedule(db, row, resolve_when(op.when, true, clock.today));
  insert_task(db, row);
  return row.uuid;
}

// complete / cancel. Closing a project or heading also closes its open to-dos (and a
// project's headings), as Things does.
std::string set_status(Database& db, const SetStatus& op, const Clock& clock) {
  const TaskType type = require_any_task(db, op.id);
  db.run("UPDATE TMTask SET status = ?2, stopDate = ?3, userModificationDate = ?3 WHERE uuid = ?1", op.id,
         op.status, clock.now);
  if (type != TaskType::todo) {
    db.run(R"sql(UPDATE TMTask SET status = ?2, stopDate = ?3, userModificationDate = ?3
                 WHERE status = 0 AND (project = ?1 OR heading = ?1 OR heading IN
                   (SELECT uuid FROM TMTask WHERE type = 2 AND project = ?1)))sql",
           op.id, op.status, clock.now);
  }
  return op.id;
}

// Things trashes only the item itself; a trashed project's to-dos stay untrashed and drop
// out of the lists because their project is trashed.
std::string trash(Database& db, const Trash& op, const Clock& clock) {
  require_any_task(db, op.id);
  db.run("UPDATE TMTask SET trashed = 1, userModificationDate = ?2 WHERE uuid = ?1", op.id, clock.now);
  return op.id;
}

std::string update_todo(Database& db, const UpdateTodo& op, const Clock& clock) {
  require_any_task(db, op.id);
  if (op.title) require_title(*op.title);
  db.run(R"sql(UPDATE TMTask SET title = COALESCE(?2, title), notes = COALESCE(?3, notes),
                 userModificationDate = ?4 WHERE uuid = ?1)sql",
         op.id, op.title, op.notes, clock.now);
  return op.id;
}

struct OpVisitor {
  Database& db;
  const Clock& clock;
  std::string operator()(const AddTodo& op) const { return add_todo(db, op, clock); }
  std::string operator()(const AddProject& op) const { return add_project(db, op, clock); }
  std::string operator()(const SetStatus& op) const { return set_status(db, op, clock); }
  std::string operator()(const Trash& op) const { return trash(db, op, clock); }
  std::string operator()(const UpdateTodo& op) const { return update_todo(db, op, clock); }
};

OpResult apply_one(Database& db, const Op& op, const Clock& clock) {
  Savepoint savepoint(db);
  try {
    std::string id = std::visit(OpVisitor{db, clock}, op);
    savepoint.release();
    return {true, std::move(id)};
  } catch (const OpError& error) {
    return {false, error.what()};  // the savepoint's destructor rolls the op back
  }
}

}  // namespace

std::vector<OpResult> apply_ops(Database& db, const std::vector<Op>& ops, const Clock& clock) {
  Transaction transaction(db);
  std::vector<OpResult> results;
  results.reserve(ops.size());
  for (const Op& op : ops) {
    results.push_back(apply_one(db, op, clock));
  }
  refresh_leaf_counts(db);
  transaction.commit();
  return results;
}

}  // namespace takt::sim
