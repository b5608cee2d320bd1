#pragma once
/// takt's own index of the tasks, beside the Things database it never writes (internal to
/// things/): a TEMP table per read connection, `temp.takt_task`, holding for every row of
/// TMTask the columns the lists select and order by, with what the lists would otherwise
/// join for on every read already resolved (its project, the project's start, its area,
/// whether Things shows it at all) and its title and notes case-folded for search; plus
/// `temp.takt_tag_link`, the task-tag links by task rowid; `temp.takt_words`, the folded
/// text. The lists pick their page and
/// count their total here, then read the page's own columns from TMTask by rowid
/// (items.hpp: select_page). A connection's index is rebuilt, inside the read transaction
/// that uses it, whenever the database changed since it was built (PRAGMA data_version),
/// so it always describes exactly the state that transaction reads; see
/// docs/architecture.md, "Reads on a heavy database". Not thread-safe: one connection, one
/// thread.

#include <sqlite3.h>

namespace takt::things {

/// FROM clause over the index, with the alias t. Its columns: rowid (TMTask's), uuid, type,
/// status, trashed, start, startDate, startBucket, stopDate, deadline,
/// deadlineSuppressionDate, "index", todayIndex, creationDate, userModificationDate as
/// TMTask has them; project_id, project_start and area_id of the task's own or inherited
/// project and area (as kTaskFrom's p and a find them); repeating (1 for a repeating
/// template); parents_ok (no trashed project or heading above it); visible (kVisible).
/// `temp.takt_tag_link` has tag (TMTag's uuid), rid, open and visible of each link.
/// `temp.takt_area_count` has, per area (TMArea's uuid), its open visible projects and
/// to-dos; `temp.takt_tag_count`, per tag, its visible items open and in all.
extern const char* const kIndexFrom;
/// The same with the alias w for the task's words: w.words is its title and notes
/// case-folded, a line break between them. Read word by word, for search.
extern const char* const kIndexWords;

/// The same, read row by row: for conditions no index of takt's serves (search, the Trash,
/// recent), where SQLite, which has no statistics of the index, would otherwise walk the
/// status index and look each row up.
extern const char* const kIndexScan;
/// The same, walked by stop date: the Logbook, latest first, stops after its page.
extern const char* const kIndexByStopDate;

/// The same, looked up by project: a project's headings.
extern const char* const kIndexByProject;

/// Tasks that Things shows in its lists (kVisible), over kIndexFrom.
extern const char* const kIndexVisible;

/// Builds (or rebuilds) the index of `db` from the database as its current read
/// transaction sees it. Call inside a transaction; commit it to keep the index. Throws
/// DbError if SQLite refuses.
void build_task_index(sqlite3* db);

}  // namespace takt::things
