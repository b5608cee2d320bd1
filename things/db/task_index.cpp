// takt's own index of the tasks (task_index.hpp): built by SQL from TMTask with the joins
// of kTaskFrom resolved once per change of the database instead of on every read.

#include "things/db/task_index.hpp"

#include <string>

#include "things/db/items.hpp"
#include "things/db/sql.hpp"

namespace takt::things {

const char* const kIndexFrom = " FROM temp.takt_task t";

const char* const kIndexScan = " FROM temp.takt_task t NOT INDEXED";

const char* const kIndexByStopDate = " FROM temp.takt_task t INDEXED BY takt_task_stop";

const char* const kIndexByProject = " FROM temp.takt_task t INDEXED BY takt_task_project";

const char* const kIndexWords = " FROM temp.takt_words w NOT INDEXED CROSS JOIN temp.takt_task t ON t.rid = w.rid";

const char* const kIndexVisible = "t.visible = 1";

// The words live in a table of their own so that the rows every other list reads stay
// small (about 100 bytes); search reads the words first and looks up the rows they match.
// The open counts of each area and tag are counted here, once per change, so that
// get_areas and get_tags read a row per area or tag instead of counting the tasks again.
void build_task_index(sqlite3* db) {
  const std::string sql = std::string(R"(
DROP TABLE IF EXISTS temp.takt_task;
DROP TABLE IF EXISTS temp.takt_words;
DROP TABLE IF EXISTS temp.takt_tag_link;
CREATE TEMP TABLE takt_task(rid INTEGER PRIMARY KEY, uuid, type, status, trashed, start, startDate, startBucket,
  stopDate, deadline, deadlineSuppressionDate, "index", todayIndex, creationDate, userModificationDate,
  project_id, project_start, area_id, repeating, parents_ok, visible);
INSERT INTO temp.takt_task
SELECT t.rowid, t.uuid, t.type, t.status, t.trashed, t.start, t.startDate, t.startBucket,
       t.stopDate, t.deadline, t.deadlineSuppressionDate, t."index", t.todayIndex, t.creationDate,
       t.userModificationDate, p.uuid, p.start, a.uuid, t.rt1_recurrenceRule IS NOT NULL,
       (p.uuid IS NULL OR p.trashed = 0) AND (h.uuid IS NULL OR h.trashed = 0),
       )") + kVisible + R"(
)" + kTaskFrom + R"(;
CREATE TEMP TABLE takt_words(rid INTEGER PRIMARY KEY, words);
INSERT INTO temp.takt_words
SELECT rowid, takt_fold(COALESCE(title, '')) || char(10) || takt_fold(COALESCE(notes, '')) FROM main.TMTask;
CREATE INDEX temp.takt_task_status ON takt_task(status, visible, start, "index");
CREATE INDEX temp.takt_task_stop ON takt_task(stopDate, status, visible);
CREATE INDEX temp.takt_task_project ON takt_task(project_id);
CREATE TEMP TABLE takt_tag_link(tag, rid, open, visible);
INSERT INTO temp.takt_tag_link
SELECT tt.tags, t.rid, t.status = 0, t.visible
  FROM main.TMTaskTag tt JOIN main.TMTask m ON m.uuid = tt.tasks JOIN temp.takt_task t ON t.rid = m.rowid;
CREATE INDEX temp.takt_tag_link_tag ON takt_tag_link(tag);
DROP TABLE IF EXISTS temp.takt_area_count;
DROP TABLE IF EXISTS temp.takt_tag_count;
CREATE TEMP TABLE takt_area_count(area PRIMARY KEY, projects, todos) WITHOUT ROWID;
INSERT INTO temp.takt_area_count
SELECT t.area_id, sum(t.type = 1), sum(t.type = 0) FROM temp.takt_task t
 WHERE t.status = 0 AND t.visible = 1 AND t.type IN (0, 1) AND t.area_id IS NOT NULL GROUP BY t.area_id;
CREATE TEMP TABLE takt_tag_count(tag PRIMARY KEY, open, all_items) WITHOUT ROWID;
INSERT INTO temp.takt_tag_count
SELECT tag, sum(open), count(*) FROM temp.takt_tag_link WHERE visible = 1 AND tag IS NOT NULL GROUP BY tag;
)";
  char* error = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string why = error ? error : sqlite3_errmsg(db);
    sqlite3_free(error);
    throw DbError("cannot index the Things database for reading: " + why);
  }
}

}  // namespace takt::things
