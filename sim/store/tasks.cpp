#include "tasks.hpp"

#include <random>
#include <stdexcept>

namespace takt::sim {

std::string random_uuid() {
  static constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  static std::mt19937_64 engine{[] {
    std::random_device device;
    std::seed_seq seq{device(), device(), device(), device(), device(), device(), device(), device()};
    return std::mt19937_64(seq);
  }()};
  std::uniform_int_distribution<std::size_t> pick(0, alphabet.size() - 1);
  std::string uuid(22, ' ');
  for (char& c : uuid) c = alphabet[pick(engine)];
  return uuid;
}

void insert_task(Database& db, const TaskRow& row) {
  const bool is_todo = row.type == TaskType::todo;
  const int leaf_count = is_todo ? -1 : 0;
  const int checklist_count = is_todo ? row.checklist_items : -1;
  const int open_checklist_count = is_todo ? row.open_checklist_items : -1;
  std::optional<Blob> rule;
  if (row.recurrence_rule) rule = Blob{*row.recurrence_rule};
  db.run(R"sql(
    INSERT INTO TMTask (
      uuid, leavesTombstone, creationDate, userModificationDate, type, status, stopDate,
      trashed, title, notes, notesSync, cachedTags, start, startDate, startBucket,
      reminderTime, lastReminderInteractionDate, deadline, deadlineSuppressionDate,
      t2_deadlineOffset, "index", todayIndex, todayIndexReferenceDate, area, project, heading,
      contact, untrashedLeafActionsCount, openUntrashedLeafActionsCount, checklistItemsCount,
      openChecklistItemsCount, rt1_repeatingTemplate, rt1_recurrenceRule,
      rt1_instanceCreationStartDate, rt1_instanceCreationPaused, rt1_instanceCreationCount,
      rt1_afterCompletionReferenceDate, rt1_nextInstanceStartDate, experimental, repeater,
      repeaterMigrationDate)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, 1, X'', ?11, ?12, ?13,
            ?29, NULL, ?14, ?30, 0, ?15, ?16, ?17, ?18, ?19, ?20,
            NULL, ?21, ?21, ?22, ?23, ?24, ?25, ?26, 0, ?27, NULL, ?28, NULL, NULL, NULL)
  )sql",
         row.uuid, row.leaves_tombstone, row.creation_date, row.modification_date, static_cast<int>(row.type),
         static_cast<int>(row.status), row.stop_date, row.trashed, row.title, row.notes,
         static_cast<int>(row.start), row.start_date, row.start_bucket, row.deadline, row.index,
         row.today_index, row.today_index_reference_date, row.area, row.project, row.heading, leaf_count,
         checklist_count, open_checklist_count, row.repeating_template, rule, row.instance_creation_start_date,
         row.instance_creation_count, row.next_instance_start_date, row.reminder_time,
         row.deadline_suppression_date);
}

namespace {

// Tag by title, case-insensitive (ASCII), or nullopt.
std::optional<std::string> find_tag(Database& db, std::string_view title) {
  return db.query_text("SELECT uuid FROM TMTag WHERE title = ?1 COLLATE NOCASE ORDER BY \"index\" LIMIT 1", title);
}

// A new tag at the end of the tag list; returns its uuid.
std::string insert_tag(Database& db, std::string_view title, const std::optional<std::string>& parent,
                       const std::optional<std::string>& shortcut) {
  const std::string uuid = random_uuid();
  const std::int64_t index =
      db.query_int64(R"sql(SELECT COALESCE(MAX("index"), -1) + 1 FROM TMTag)sql").value_or(0);
  db.run(R"sql(INSERT INTO TMTag (uuid, title, shortcut, usedDate, parent, "index", experimental)
               VALUES (?1, ?2, ?3, NULL, ?4, ?5, NULL))sql",
         uuid, title, shortcut, parent, index);
  return uuid;
}

}  // namespace

std::string ensure_tag(Database& db, std::string_view title, double now) {
  if (title.empty()) throw std::invalid_argument("empty tag title");
  auto uuid = find_tag(db, title);
  if (!uuid) uuid = insert_tag(db, title, std::nullopt, std::nullopt);
  db.run("UPDATE TMTag SET usedDate = ?2 WHERE uuid = ?1", *uuid, now);
  return *uuid;
}

void link_tag(Database& db, const std::string& task_uuid, const std::string& tag_uuid) {
  db.run(R"sql(INSERT INTO TMTaskTag (tasks, tags) SELECT ?1, ?2
               WHERE NOT EXISTS (SELECT 1 FROM TMTaskTag WHERE tasks = ?1 AND tags = ?2))sql",
         task_uuid, tag_uuid);
}

void insert_checklist_item(Database& db, const std::string& task_uuid, std::string_view title,
                           std::int64_t index, TaskStatus status, double now) {
  if (title.empty()) throw std::invalid_argument("empty checklist item");
  std::optional<double> stop_date;
  if (status != TaskStatus::open) stop_date = now;
  db.run(R"sql(INSERT INTO TMChecklistItem (uuid, userModificationDate, creationDate, title, status,
                 stopDate, "index", task, leavesTombstone, experimental)
               VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, 0, NULL))sql",
         random_uuid(), now, title, static_cast<int>(status), stop_date, index, task_uuid);
}

void refresh_leaf_counts(Database& db) {
  db.run(R"sql(
    UPDATE TMTask AS container SET
      untrashedLeafActionsCount = (
        SELECT COUNT(*) FROM TMTask AS leaf
        WHERE leaf.type = 0 AND leaf.trashed = 0
          AND (leaf.project = container.uuid OR leaf.heading = container.uuid
               OR leaf.heading IN (SELECT h.uuid FROM TMTask AS h
                                   WHERE h.type = 2 AND h.trashed = 0 AND h.project = container.uuid))),
      openUntrashedLeafActionsCount = (
        SELECT COUNT(*) FROM TMTask AS leaf
        WHERE leaf.type = 0 AND leaf.trashed = 0 AND leaf.status = 0
          AND (leaf.project = container.uuid OR leaf.heading = container.uuid
               OR leaf.heading IN (SELECT h.uuid FROM TMTask AS h
                                   WHERE h.type = 2 AND h.trashed = 0 AND h.project = container.uuid)))
    WHERE container.type IN (1, 2)
  )sql");
}

}  // namespace takt::sim
