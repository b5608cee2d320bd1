// complete / cancel / reopen, and trash / restore.
#include "edits.hpp"
#include "op_handlers.hpp"
#include "tasks.hpp"

namespace takt::sim {

std::string set_status(Database& db, const SetStatus& op, const Clock& clock) {
  const TaskRow row = require_any_task_row(db, op.id);
  if (static_cast<int>(row.status) == op.status) return row.uuid;
  if (op.status == static_cast<int>(TaskStatus::open)) {
    // Reopening brings back the item alone: a project's logged to-dos stay logged.
    db.run("UPDATE TMTask SET status = 0, stopDate = NULL, userModificationDate = ?2 WHERE uuid = ?1", row.uuid,
           clock.now);
    return row.uuid;
  }
  db.run("UPDATE TMTask SET status = ?2, stopDate = ?3, userModificationDate = ?3 WHERE uuid = ?1", row.uuid,
         op.status, clock.now);
  if (row.type != TaskType::todo) {
    // Closing a project or heading closes its open to-dos (and a project's headings and
    // the to-dos under them), as Things does.
    db.run(R"sql(UPDATE TMTask SET status = ?2, stopDate = ?3, userModificationDate = ?3
                 WHERE status = 0 AND (project = ?1 OR heading = ?1 OR heading IN
                   (SELECT uuid FROM TMTask WHERE type = 2 AND project = ?1)))sql",
           row.uuid, op.status, clock.now);
  }
  return row.uuid;
}

std::string set_trashed(Database& db, const Trash& op, const Clock& clock) {
  const TaskRow row = require_any_task_row(db, op.id);
  if (row.trashed != op.trashed) {
    db.run("UPDATE TMTask SET trashed = ?2, userModificationDate = ?3 WHERE uuid = ?1", row.uuid, op.trashed,
           clock.now);
  }
  // The children of a project or a heading keep their own flag: the lists hide them
  // because their project or heading is trashed (things/items.cpp: kVisible), and
  // restoring the container brings back only what was not trashed on its own.
  return row.uuid;
}

}  // namespace takt::sim
