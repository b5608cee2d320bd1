#pragma once
/// Read-only access to a Things 3 database (the real one on a Mac, things-sim's elsewhere).
/// Thread-safe: every call borrows one connection of a small pool, so up to `connections`
/// reads run at once. Reads block on SQLite I/O; run them in the medium lane only.
///
/// The lists follow Things' own rules, as things.py (the reference reader) derives them:
/// see docs/tools.md for each list and where takt differs from things.py.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "things/data/dates.hpp"

struct sqlite3;

namespace takt::things {

/// The database cannot be read; what() says why in plain words and how to fix it.
class DbError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A read named something the database does not hold (an id, a tag); what() starts with
/// the argument's name, like every argument error. Thread-safe value.
class NotFound : public DbError {
 public:
  using DbError::DbError;
};

/// Paging of a list read. Plain value.
struct Page {
  long long limit = 100;
  long long offset = 0;
};

/// How a list is read: the page, and whether items are cut down to their essentials
/// (id, type, title, status, start date, deadline). Plain value.
struct ListArgs {
  Page page;
  bool compact = false;
};

/// What get_todos narrows the open to-dos to. Plain value.
struct TodoFilter {
  std::optional<std::string> project;  ///< project id: its to-dos, under a heading or not
  std::optional<std::string> area;     ///< area id: its to-dos, directly or in its projects
  std::optional<std::string> tag;      ///< tag id or title
};

/// Dates to match: exactly `on`, or strictly `before` and/or `after`. Plain value.
struct DateRange {
  std::optional<Date> on, before, after;
  bool empty() const { return !on && !before && !after; }
};

/// What search and search_advanced look for; every part that is set must match. Plain value.
struct SearchCriteria {
  std::string query;           ///< words that must all occur in the title or notes; may be empty
  std::optional<int> status;   ///< Things' status code: 0 open, 3 completed, 2 canceled
  std::optional<int> type;     ///< 0 to-do, 1 project, 2 heading
  std::optional<std::string> tag, area, project;
  DateRange start_date, deadline;
  std::optional<Period> created_within;
};

/// Everything a verification read finds of one task (to-do, project or heading), as the
/// database stores it: what a write is checked against. Plain value.
struct TaskState {
  std::string id, title, notes;
  int type = 0;    ///< 0 to-do, 1 project, 2 heading
  int status = 0;  ///< 0 open, 2 canceled, 3 completed
  int start = 0;   ///< 0 Inbox, 1 Anytime, 2 Someday
  bool trashed = false, evening = false;
  std::optional<std::int64_t> start_date, deadline, reminder;  ///< packed, as stored
  std::optional<std::string> project, area, heading;           ///< the task's own columns
  std::vector<std::string> tags;       ///< tag titles
  std::vector<std::string> checklist;  ///< checklist item titles, in order
  std::vector<bool> checklist_completed;  ///< whether each of them is completed
  std::vector<std::string> headings;   ///< a project's headings' titles, in order
  std::vector<std::string> todos;      ///< a project's to-dos outside headings, titles in order
};

/// What a verification read finds of an area or a tag. Plain value.
struct NamedState {
  std::string id, title;
  std::vector<std::string> tags;       ///< an area's tag titles
  std::optional<std::string> parent;   ///< a tag's parent tag title
};

/// A pool of read-only connections to one Things database, and every read takt serves
/// from it. Thread-safe.
class ThingsDb {
 public:
  ThingsDb(std::string path, unsigned connections, TodayFn today);
  /// Reads through `connection`, a connection the caller opened, keeps and closes: the
  /// reads then see what that connection sees, its own uncommitted writes included
  /// (things-sim answers a read op inside the transaction of its script this way). Holds
  /// that one connection only, never writes through it, registers takt's SQL functions on
  /// it. When the connection is already inside a transaction, multi-statement reads run
  /// in that transaction instead of one of their own. `connection` must outlive this.
  ThingsDb(sqlite3* connection, TodayFn today);
  /// What a borrowed connection holds. Frozen: nothing changes it any more (takt's mirror
  /// of Things, things/mirror), so takt's index of the tasks is built once, not per read.
  enum class Borrowed { Live, Frozen };
  ThingsDb(sqlite3* connection, TodayFn today, Borrowed kind);
  ~ThingsDb();
  ThingsDb(const ThingsDb&) = delete;
  ThingsDb& operator=(const ThingsDb&) = delete;

  // Each returns the tool's structured result as JSON text. Lists answer
  // {"items":[...],"count":N,"total":M}: the page, its size and the whole list's size.
  // An unknown id or tag throws NotFound.
  std::string inbox(const ListArgs& args);
  std::string today(const ListArgs& args);
  std::string upcoming(const ListArgs& args);
  std::string anytime(const ListArgs& args);
  std::string someday(const ListArgs& args);
  /// Completed and canceled items, the latest first; `period` keeps those it covers.
  std::string logbook(const ListArgs& args, const std::optional<Period>& period);
  std::string trash(const ListArgs& args);
  std::string projects(const ListArgs& args, const std::optional<std::string>& area = std::nullopt);
  std::string todos(const ListArgs& args, const TodoFilter& filter);
  std::string headings(const ListArgs& args, const std::string& project);
  std::string areas(const ListArgs& args);
  std::string tags(const ListArgs& args);
  /// {"item":{...}}: one task with its checklist, or a project's headings and open to-dos.
  std::string item(const std::string& id, bool compact);
  std::string search(const ListArgs& args, const SearchCriteria& criteria);
  /// Items created or changed within `period`, the most recently touched first.
  std::string recent(const ListArgs& args, const Period& period);
  /// Open items whose deadline is at most `days` days away, overdue ones included.
  std::string due(const ListArgs& args, long long days);
  /// How many items each list holds.
  std::string summary();
  /// Repeating templates, with their rule in words.
  std::string repeating(const ListArgs& args);

  /// The task with this id, or nullopt; used to confirm writes.
  std::optional<TaskState> task_state(const std::string& id);
  /// The type of the task with this id (0 to-do, 1 project, 2 heading), or nullopt.
  std::optional<int> task_type(const std::string& id);
  /// For a task that items are put into: its own id when it is in the Trash, its
  /// project's id when it is a heading whose project is, else nullopt (also: no such task).
  std::optional<std::string> trashed_container(const std::string& id);
  /// Whether a tag has this title, ignoring ASCII case (as Things' tag look-ups do).
  bool tag_exists(const std::string& title);
  /// The area with this id, or nullopt.
  std::optional<NamedState> area_state(const std::string& id);
  /// The tag with this id, or nullopt.
  std::optional<NamedState> tag_state(const std::string& id);
  /// The URL scheme's auth token (TMSettings.uriSchemeAuthenticationToken), or nullopt
  /// when Things URLs are not enabled.
  std::optional<std::string> auth_token();
  /// The ids of every to-do titled one of `titles`, as (title, id) pairs; the AppleScript
  /// lane compares them before and after a failed script to tell which writes happened.
  std::vector<std::pair<std::string, std::string>> todos_titled(const std::vector<std::string>& titles);
  /// Brings takt's index of the tasks (task_index.hpp) up to date on every connection of
  /// the pool, one at a time and only while no read holds it, opening those not open yet:
  /// called when the database changed, so that the reads that follow find it built. A
  /// connection busy with a read is left to rebuild its own. Returns how many were rebuilt.
  /// Throws DbError when the database cannot be read.
  int refresh_index();
  /// How many times a connection's index of the tasks was built, since this pool was made.
  std::uint64_t index_builds() const { return index_builds_.load(std::memory_order_relaxed); }
  /// Throws DbError when the database cannot be opened and read.
  void check_readable();
  const std::string& path() const { return path_; }
  /// The local date the lists are computed for (injectable in tests).
  Date today() const { return today_(); }

 private:
  class Lease;
  struct ListQuery;
  sqlite3* acquire();
  void release(sqlite3* db);
  sqlite3* open_one();
  /// open_one for a connection already counted in open_ (under mu_): on failure the count
  /// is given back and a waiting reader woken.
  sqlite3* open_counted();
  std::string list(const ListQuery& q);
  /// A read transaction in which the connection's index of the tasks (task_index.hpp)
  /// describes the database; sql.hpp.
  class IndexedRead;

  std::string path_;
  unsigned capacity_;
  TodayFn today_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<sqlite3*> idle_;
  unsigned open_ = 0;
  bool borrowed_ = false;  ///< the connection is the caller's: never closed here
  bool frozen_ = false;    ///< borrowed, and nothing writes to it any more
  /// The data_version at which each connection's index of the tasks was built and kept;
  /// under mu_. Never trusted on a live borrowed connection, whose own writes it would not see.
  std::unordered_map<sqlite3*, long long> index_versions_;
  std::atomic<std::uint64_t> index_builds_{0};
};

/// The Things database under `home` (Library/Group Containers/JLMPQHK86H.com.culturedcode.
/// ThingsMac/ThingsData-*/Things Database.thingsdatabase/main.sqlite; older installs lack
/// the ThingsData-* level): the most recently modified one when there are several, the
/// older path when none exists (opening it then says it is missing).
std::string find_things_database(const std::string& home);

}  // namespace takt::things
