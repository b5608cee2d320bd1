#include "tasks.hpp"

#include <random>

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

std::optional<std::int64_t> optional_int64(const Statement& stmt, int column) {
  if (stmt.is_null(column)) return std::nullopt;
  return stmt.int64(column);
}

std::optional<double> optional_real(const Statement& stmt, int column) {
  if (stmt.is_null(column)) return std::nullopt;
  return stmt.real(column);
}

std::optional<std::string> optional_text(const Statement& stmt, int column) {
  if (stmt.is_null(column)) return std::nullopt;
  return stmt.text(column);
}

}  // namespace

std::optional<TaskRow> load_task(Database& db, const std::string& uuid) {
  Statement stmt = db.prepare(R"sql(
    SELECT type, status, stopDate, trashed, title, notes, start, startDate, startBucket,
           reminderTime, deadline, deadlineSuppressionDate, "index", todayIndex,
           todayIndexReferenceDate, area, project, heading, creationDate, userModificationDate,
           checklistItemsCount, openChecklistItemsCount, leavesTombstone
    FROM TMTask WHERE uuid = ?1)sql");
  stmt.bind(uuid);
  if (!stmt.step()) return std::nullopt;
  TaskRow row;
  row.uuid = uuid;
  row.type = static_cast<TaskType>(stmt.int64(0));
  row.status = static_cast<TaskStatus>(stmt.int64(1));
  row.stop_date = optional_real(stmt, 2);
  row.trashed = stmt.int64(3) != 0;
  row.title = stmt.text(4);
  row.notes = stmt.text(5);
  row.start = static_cast<StartList>(stmt.int64(6));
  row.start_date = optional_int64(stmt, 7);
  row.start_bucket = static_cast<int>(stmt.int64(8));
  row.reminder_time = optional_int64(stmt, 9);
  row.deadline = optional_int64(stmt, 10);
  row.deadline_suppression_date = optional_int64(stmt, 11);
  row.index = stmt.int64(12);
  row.today_index = stmt.int64(13);
  row.today_index_reference_date = optional_int64(stmt, 14);
  row.area = optional_text(stmt, 15);
  row.project = optional_text(stmt, 16);
  row.heading = optional_text(stmt, 17);
  row.creation_date = stmt.real(18);
  row.modification_date = stmt.real(19);
  row.checklist_items = static_cast<int>(stmt.int64(20));
  row.open_checklist_items = static_cast<int>(stmt.int64(21));
  row.leaves_tombstone = stmt.int64(22) != 0;
  return row;
}

void save_task(Database& db, const TaskRow& row) {
  db.run(R"sql(
    UPDATE TMTask SET title = ?2, notes = ?3, start = ?4, startDate = ?5, startBucket = ?6,
      reminderTime = ?7, deadline = ?8, deadlineSuppressionDate = ?9, todayIndex = ?10,
      todayIndexReferenceDate = ?11, area = ?12, project = ?13, heading = ?14,
      userModificationDate = ?15
    WHERE uuid = ?1)sql",
         row.uuid, row.title, row.notes, static_cast<int>(row.start), row.start_date, row.start_bucket,
         row.reminder_time, row.deadline, row.deadline_suppression_date, row.today_index,
         row.today_index_reference_date, row.area, row.project, row.heading, row.modification_date);
}

std::int64_t next_index(Database& db) {
  return db.query_int64(R"sql(SELECT COALESCE(MIN("index"), 0) - 1 FROM TMTask)sql").value_or(-1);
}

std::int64_t next_today_index(Database& db) {
  return db.query_int64("SELECT COALESCE(MIN(todayIndex), 0) - 1 FROM TMTask").value_or(-1);
}

Schedule resolve_when(const std::optional<std::string>& when, bool has_container, Date today) {
  const std::int64_t today_packed = pack_date(today);
  if (!when) {
    // No `when`: the Inbox, unless the item lives in a project or area (then Anytime).
    return {has_container ? StartList::anytime : StartList::inbox, std::nullopt, 0};
  }
  if (*when == "today") return {StartList::anytime, today_packed, 0};
  if (*when == "evening") return {StartList::anytime, today_packed, 1};
  if (*when == "anytime") return {StartList::anytime, std::nullopt, 0};
  if (*when == "someday") return {StartList::someday, std::nullopt, 0};
  if (*when == "tomorrow") return {StartList::someday, pack_date(add_days(today, 1)), 0};
  const auto date = parse_iso_date(*when);
  if (!date) {
    throw OpError("when \"" + *when + "\": expected today, evening, tomorrow, anytime, someday or YYYY-MM-DD");
  }
  // A future date is Upcoming (start 2 + date); today or earlier shows in Today.
  const std::int64_t packed = pack_date(*date);
  return {packed > today_packed ? StartList::someday : StartList::anytime, packed, 0};
}

Schedule resolve_list(const std::string& list, Date today) {
  if (list == "inbox") return {StartList::inbox, std::nullopt, 0};
  if (list == "today" || list == "evening" || list == "anytime" || list == "someday") {
    return resolve_when(list, true, today);
  }
  throw OpError("list \"" + list + "\": expected inbox, today, evening, anytime or someday");
}

void apply_schedule(Database& db, TaskRow& row, const Schedule& schedule) {
  row.start = schedule.start;
  row.start_date = schedule.start_date;
  row.start_bucket = schedule.start_bucket;
  if (schedule.start_date) {
    row.today_index = next_today_index(db);
    row.today_index_reference_date = schedule.start_date;
  }
}

void reschedule(Database& db, TaskRow& row, const Schedule& schedule) {
  const bool new_date = schedule.start_date && schedule.start_date != row.start_date;
  row.start = schedule.start;
  row.start_date = schedule.start_date;
  row.start_bucket = schedule.start_bucket;
  if (new_date) {
    row.today_index = next_today_index(db);
    row.today_index_reference_date = schedule.start_date;
  }
  if (!row.start_date) row.reminder_time.reset();
}

std::optional<std::string> find_tag(Database& db, std::string_view title) {
  return db.query_text("SELECT uuid FROM TMTag WHERE title = ?1 COLLATE NOCASE ORDER BY \"index\" LIMIT 1", title);
}

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

std::string ensure_tag(Database& db, std::string_view title, double now) {
  if (title.empty()) throw OpError("tags \"\": empty tag title");
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
  if (title.empty()) throw OpError("checklist \"\": empty checklist item");
  std::optional<double> stop_date;
  if (status != TaskStatus::open) stop_date = now;
  db.run(R"sql(INSERT INTO TMChecklistItem (uuid, userModificationDate, creationDate, title, status,
                 stopDate, "index", task, leavesTombstone, experimental)
               VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, 0, NULL))sql",
         random_uuid(), now, title, static_cast<int>(status), stop_date, index, task_uuid);
}

void refresh_checklist_counts(Database& db, const std::string& task_uuid) {
  db.run(R"sql(UPDATE TMTask SET
                 checklistItemsCount = (SELECT COUNT(*) FROM TMChecklistItem WHERE task = ?1),
                 openChecklistItemsCount = (SELECT COUNT(*) FROM TMChecklistItem
                                            WHERE task = ?1 AND status = 0)
               WHERE uuid = ?1)sql",
         task_uuid);
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

void require_task(Database& db, const std::string& uuid, TaskType type, std::string_view what) {
  const auto found = db.query_int64("SELECT 1 FROM TMTask WHERE uuid = ?1 AND type = ?2", uuid,
                                    static_cast<int>(type));
  if (!found) throw OpError(std::string(what) + " \"" + uuid + "\": no such " + std::string(what));
}

void require_not_in_trash(Database& db, const std::string& uuid, std::string_view what) {
  if (db.query_int64("SELECT trashed FROM TMTask WHERE uuid = ?1", uuid).value_or(0) != 0) {
    throw OpError(std::string(what) + " \"" + uuid + "\": is in the Trash; restore it first");
  }
  const auto project = db.query_text("SELECT project FROM TMTask WHERE uuid = ?1 AND type = 2", uuid);
  if (project && db.query_int64("SELECT trashed FROM TMTask WHERE uuid = ?1", *project).value_or(0) != 0) {
    throw OpError(std::string(what) + " \"" + uuid + "\": its project \"" + *project +
                  "\" is in the Trash; restore it first");
  }
}

void require_area(Database& db, const std::string& uuid) {
  if (!db.query_int64("SELECT 1 FROM TMArea WHERE uuid = ?1", uuid)) {
    throw OpError("area \"" + uuid + "\": no such area");
  }
}

}  // namespace takt::sim
