#include "things/db/db.hpp"

#include <glob.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "things/db/sql.hpp"
#include "things/db/task_index.hpp"
#include "things/data/folding.hpp"

namespace takt::things {
namespace {

/// takt_fold(text): the text case-folded as search matches it; NULL stays NULL.
void fold_function(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  auto* p = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  const auto n = static_cast<std::size_t>(sqlite3_value_bytes(argv[0]));
  const std::string folded = fold_case(std::string_view(p ? p : "", p ? n : 0));
  sqlite3_result_text(ctx, folded.data(), static_cast<int>(folded.size()), SQLITE_TRANSIENT);
}

}  // namespace

void register_functions(sqlite3* db) {
  if (sqlite3_create_function(db, "takt_fold", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                              &fold_function, nullptr, nullptr) != SQLITE_OK)
    throw DbError(std::string("cannot prepare the Things database for reading: ") + sqlite3_errmsg(db));
}

ThingsDb::ThingsDb(std::string path, unsigned connections, TodayFn today)
    : path_(std::move(path)), capacity_(connections == 0 ? 1 : connections), today_(std::move(today)) {}

ThingsDb::ThingsDb(sqlite3* connection, TodayFn today) : ThingsDb(connection, std::move(today), Borrowed::Live) {}

ThingsDb::ThingsDb(sqlite3* connection, TodayFn today, Borrowed kind)
    : capacity_(1), today_(std::move(today)), borrowed_(true), frozen_(kind == Borrowed::Frozen) {
  if (connection == nullptr) throw DbError("cannot read the Things database: no connection");
  const char* file = sqlite3_db_filename(connection, "main");
  path_ = file != nullptr ? file : "";
  register_functions(connection);
  idle_.push_back(connection);
  open_ = 1;
}

ThingsDb::~ThingsDb() {
  if (borrowed_) return;
  for (auto* c : idle_) sqlite3_close_v2(c);
}

sqlite3* ThingsDb::open_one() {
  struct stat st{};
  if (::stat(path_.c_str(), &st) != 0) {
    if (errno == EACCES || errno == EPERM)
      throw DbError("cannot open the Things database at " + path_ +
                    ": permission denied. On macOS, give the app that starts takt Full Disk Access "
                    "(System Settings > Privacy & Security > Full Disk Access) and restart it.");
    throw DbError("no Things database at " + path_ + " (" + std::strerror(errno) +
                  "). Check backend.database in the configuration, or that Things 3 has been opened once.");
  }
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc == SQLITE_OK) {
    sqlite3_busy_timeout(db, 2000);
    // takt's index of the tasks (task_index.hpp) lives in memory, as TEMP tables of this
    // connection; it is what the lists scan, so the database's own pages are read for a
    // page of items and when the index is rebuilt: SQLite's default page cache (2 MiB)
    // holds what that needs, and the operating system's file cache the rest.
    sqlite3_exec(db, "PRAGMA temp_store = MEMORY", nullptr, nullptr, nullptr);
    // Opening is lazy: read the schema now so a file we may not read fails here, in plain words.
    rc = sqlite3_exec(db, "SELECT count(*) FROM sqlite_master WHERE name = 'TMTask'", nullptr, nullptr, nullptr);
  }
  if (rc != SQLITE_OK) {
    std::string why = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    throw DbError("cannot open the Things database at " + path_ + ": " + why +
                  ". On macOS this usually means the app that starts takt lacks Full Disk Access "
                  "(System Settings > Privacy & Security > Full Disk Access).");
  }
  try {
    register_functions(db);
  } catch (...) {
    sqlite3_close_v2(db);
    throw;
  }
  return db;
}

sqlite3* ThingsDb::acquire() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return !idle_.empty() || open_ < capacity_; });
  if (!idle_.empty()) {
    auto* c = idle_.back();
    idle_.pop_back();
    return c;
  }
  ++open_;
  lock.unlock();
  return open_counted();
}

sqlite3* ThingsDb::open_counted() {
  try {
    return open_one();
  } catch (...) {
    {
      std::lock_guard lock(mu_);
      --open_;
    }
    cv_.notify_one();
    throw;
  }
}

void ThingsDb::release(sqlite3* db) {
  {
    std::lock_guard lock(mu_);
    idle_.push_back(db);
  }
  cv_.notify_one();
}

ThingsDb::IndexedRead::IndexedRead(ThingsDb& owner, sqlite3* db) : owner_(owner), db_(db), snapshot_(db) {
  // A first read fixes the transaction's snapshot; data_version then names that state.
  scalar(db, Sql{"SELECT count(*) FROM (SELECT 1 FROM main.TMTask LIMIT 1)", {}});
  version_ = scalar(db, Sql{"PRAGMA main.data_version", {}});
  if (!owner.borrowed_ || owner.frozen_) {
    std::lock_guard lock(owner.mu_);
    auto it = owner.index_versions_.find(db);
    if (it != owner.index_versions_.end() && it->second == version_) return;
    owner.index_versions_.erase(db);  // kept again only once this rebuild is committed
  }
  build_task_index(db);
  built_ = true;
  owner.index_builds_.fetch_add(1, std::memory_order_relaxed);
}

void ThingsDb::IndexedRead::commit() {
  if (!snapshot_.commit() || !built_ || (owner_.borrowed_ && !owner_.frozen_)) return;
  std::lock_guard lock(owner_.mu_);
  owner_.index_versions_[db_] = version_;
}

int ThingsDb::refresh_index() {
  if (borrowed_) return 0;
  std::vector<sqlite3*> done;
  int rebuilt = 0;
  for (unsigned i = 0; i < capacity_; ++i) {
    sqlite3* db = nullptr;
    {
      std::lock_guard lock(mu_);
      auto it = std::find_if(idle_.begin(), idle_.end(),
                             [&](sqlite3* c) { return std::find(done.begin(), done.end(), c) == done.end(); });
      if (it != idle_.end()) {
        db = *it;
        idle_.erase(it);
      } else if (open_ < capacity_) {
        ++open_;
      } else {
        return rebuilt;  // the others are reading: each rebuilds its own
      }
    }
    if (db == nullptr) db = open_counted();
    done.push_back(db);
    try {
      IndexedRead read(*this, db);
      rebuilt += read.rebuilt() ? 1 : 0;
      read.commit();
    } catch (...) {
      release(db);
      throw;
    }
    release(db);
  }
  return rebuilt;
}

void ThingsDb::check_readable() {
  Lease lease(*this);
  Stmt s(lease.get(), "SELECT uuid FROM TMTask LIMIT 1");  // one page: cheap enough for every write batch
  s.step();
}

namespace {

std::optional<std::int64_t> opt_i64(const Stmt& s, int c) {
  if (s.null(c)) return std::nullopt;
  return s.i64(c);
}

std::optional<std::string> opt_text(const Stmt& s, int c) {
  if (s.null(c)) return std::nullopt;
  return s.text(c);
}

/// The first column of every row of `sql`, bound to `id`.
std::vector<std::string> column_of(sqlite3* db, const char* sql, const std::string& id) {
  Stmt s(db, sql);
  s.bind(1, id);
  std::vector<std::string> out;
  while (s.step()) out.push_back(s.text(0));
  return out;
}

}  // namespace

std::optional<TaskState> ThingsDb::task_state(const std::string& id) {
  Lease lease(*this);
  ReadSnapshot snapshot(lease.get());
  Stmt s(lease.get(), R"(SELECT uuid, title, notes, type, status, start, trashed, startBucket, startDate, deadline,
                                reminderTime, project, area, heading FROM TMTask WHERE uuid = ?1)");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  TaskState t;
  t.id = s.text(0);
  t.title = s.text(1);
  t.notes = s.text(2);
  t.type = static_cast<int>(s.i64(3));
  t.status = static_cast<int>(s.i64(4));
  t.start = static_cast<int>(s.i64(5));
  t.trashed = s.i64(6) != 0;
  t.evening = !s.null(7) && s.i64(7) == 1;
  t.start_date = opt_i64(s, 8);
  t.deadline = opt_i64(s, 9);
  t.reminder = opt_i64(s, 10);
  t.project = opt_text(s, 11);
  t.area = opt_text(s, 12);
  t.heading = opt_text(s, 13);
  sqlite3* db = lease.get();
  t.tags = column_of(db, R"(SELECT tg.title FROM TMTaskTag tt JOIN TMTag tg ON tg.uuid = tt.tags
                             WHERE tt.tasks = ?1 ORDER BY tg."index", tg.title)", id);
  t.checklist = column_of(db, R"(SELECT title FROM TMChecklistItem WHERE task = ?1 ORDER BY "index", uuid)", id);
  for (const auto& done : column_of(db, R"(SELECT status = 3 FROM TMChecklistItem WHERE task = ?1
                                           ORDER BY "index", uuid)", id))
    t.checklist_completed.push_back(done == "1");
  if (t.type == 1) {
    t.headings = column_of(db, R"(SELECT title FROM TMTask WHERE project = ?1 AND type = 2 AND trashed = 0
                                   ORDER BY "index", uuid)", id);
    t.todos = column_of(db, R"(SELECT title FROM TMTask WHERE project = ?1 AND type = 0 AND heading IS NULL
                                AND trashed = 0 ORDER BY "index", uuid)", id);
  }
  return t;
}

std::optional<int> ThingsDb::task_type(const std::string& id) {
  Lease lease(*this);
  Stmt s(lease.get(), "SELECT type FROM TMTask WHERE uuid = ?1");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return static_cast<int>(s.i64(0));
}

std::optional<std::string> ThingsDb::trashed_container(const std::string& id) {
  Lease lease(*this);
  Stmt s(lease.get(), R"(SELECT t.trashed, p.uuid, p.trashed FROM TMTask t
                         LEFT JOIN TMTask p ON t.type = 2 AND p.uuid = t.project WHERE t.uuid = ?1)");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  if (s.i64(0) != 0) return id;
  if (!s.null(1) && s.i64(2) != 0) return s.text(1);
  return std::nullopt;
}

bool ThingsDb::tag_exists(const std::string& title) {
  Lease lease(*this);
  Stmt s(lease.get(), "SELECT 1 FROM TMTag WHERE title = ?1 COLLATE NOCASE LIMIT 1");
  s.bind(1, title);
  return s.step();
}

std::optional<NamedState> ThingsDb::area_state(const std::string& id) {
  Lease lease(*this);
  ReadSnapshot snapshot(lease.get());
  Stmt s(lease.get(), "SELECT uuid, title FROM TMArea WHERE uuid = ?1");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  NamedState a{s.text(0), s.text(1), {}, std::nullopt};
  a.tags = column_of(lease.get(), R"(SELECT tg.title FROM TMAreaTag at JOIN TMTag tg ON tg.uuid = at.tags
                                      WHERE at.areas = ?1 ORDER BY tg."index", tg.title)", id);
  return a;
}

std::optional<NamedState> ThingsDb::tag_state(const std::string& id) {
  Lease lease(*this);
  Stmt s(lease.get(), "SELECT t.uuid, t.title, p.title FROM TMTag t LEFT JOIN TMTag p ON p.uuid = t.parent WHERE t.uuid = ?1");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return NamedState{s.text(0), s.text(1), {}, opt_text(s, 2)};
}

std::optional<std::string> ThingsDb::auth_token() {
  Lease lease(*this);
  Stmt s(lease.get(), "SELECT uriSchemeAuthenticationToken FROM TMSettings WHERE uriSchemeAuthenticationToken <> ''");
  if (!s.step() || s.null(0)) return std::nullopt;
  return s.text(0);
}

std::vector<std::pair<std::string, std::string>> ThingsDb::todos_titled(const std::vector<std::string>& titles) {
  std::vector<std::pair<std::string, std::string>> found;
  if (titles.empty()) return found;
  std::string sql = "SELECT title, uuid FROM TMTask WHERE type = 0 AND title IN (";
  for (std::size_t i = 0; i < titles.size(); ++i) sql += (i ? ",?" : "?") + std::to_string(i + 1);
  Lease lease(*this);
  Stmt s(lease.get(), sql + ")");
  for (std::size_t i = 0; i < titles.size(); ++i) s.bind(static_cast<int>(i + 1), titles[i]);
  while (s.step()) found.emplace_back(s.text(0), s.text(1));
  return found;
}

std::string find_things_database(const std::string& home) {
  const std::string base = home + "/Library/Group Containers/JLMPQHK86H.com.culturedcode.ThingsMac";
  glob_t g{};
  std::string found;
  long long newest = -1;
  if (::glob((base + "/ThingsData-*/Things Database.thingsdatabase/main.sqlite").c_str(), 0, nullptr, &g) == 0) {
    for (std::size_t i = 0; i < g.gl_pathc; ++i) {
      struct stat st{};
      if (::stat(g.gl_pathv[i], &st) != 0) continue;
      if (st.st_mtime > newest) {
        newest = st.st_mtime;
        found = g.gl_pathv[i];
      }
    }
  }
  globfree(&g);
  return found.empty() ? base + "/Things Database.thingsdatabase/main.sqlite" : found;
}

}  // namespace takt::things
