#pragma once
/// How takt shows a task (to-do, project or heading) of the Things database as JSON: the
/// columns every task read selects, the joins that find its project, area and heading,
/// and the writer of one item. Internal to things/; pure apart from the local time zone
/// used for stop dates; thread-safe.

#include "base/json.hpp"
#include "things/data/dates.hpp"
#include "things/db/sql.hpp"
#include "things/db/task_index.hpp"

namespace takt::things {

/// FROM clause of every task read, with aliases t (the task), h (its heading), p (its
/// project, direct or through the heading) and a (its area, direct or through the project).
extern const char* const kTaskFrom;

/// Tasks that Things shows in its lists: not in the Trash, not in a trashed project or
/// heading, and not a repeating template (its instances are shown instead).
extern const char* const kVisible;

/// Tie-breaks every ordering ends with, so that equal keys keep one order.
extern const char* const kTieBreak;

/// Things' own order of a list, as things.py reads it: the task index, and among equal
/// indexes the order the rows were stored in (rowid), which is what Things and things.py
/// show for ties.
extern const char* const kThingsOrder;

/// What to write of each item. Plain value.
struct ItemOptions {
  bool compact = false;                   ///< only id, type, title, status, start date, deadline
  std::optional<Date> due_from;           ///< set by get_due: mark overdue items, count days left
  bool with_repeat = false;               ///< describe the repeat rule of templates
};

/// SELECT of the item columns FROM kTaskFrom WHERE `where` ORDER BY `order`.
Sql select_tasks(const Sql& where, std::string_view order);
/// The item columns of one page of a list: `where` is a condition over takt's index of the
/// tasks (task_index.hpp), which chooses the page; `order` must be a total order (end with
/// a tie-break) over columns that TMTask and the index both have under the alias t, as
/// every list's is. `from` is kIndexFrom or one of its forms that steer SQLite's plan.
/// Run it where the index describes the database (ThingsDb::IndexedRead).
/// With `with_total`, each row ends with one more column, kPageTotal: the number of tasks
/// matching `where`, counted in the same pass (worth it where that pass reads every
/// matching row anyway; a list counted faster by an index of its own leaves it out).
Sql select_page(const Sql& where, std::string_view order, const Page& page, const char* from = kIndexFrom,
                bool with_total = false);
/// The column of select_page's rows that holds the list's total, when asked for.
constexpr int kPageTotal = 25;
/// SELECT count(*) of the tasks matching `where`, a condition over takt's index.
Sql count_tasks(const Sql& where, const char* from = kIndexFrom);

/// Writes the row `s` (selected with select_tasks) as one item object.
void write_item(json::Writer& w, const Stmt& s, const ItemOptions& options);
/// The same, without the braces, so that a caller may add fields.
void write_item_fields(json::Writer& w, const Stmt& s, const ItemOptions& options);

}  // namespace takt::things
