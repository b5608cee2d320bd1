#include "things/db.hpp"

#include <sqlite3.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "mcp/json.hpp"

namespace takt::things {
namespace {

/// A prepared statement that finalizes itself.
class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &s_, nullptr) != SQLITE_OK)
      throw DbError(std::string("cannot query the Things database: ") + sqlite3_errmsg(db));
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  void bind(int i, long long v) { sqlite3_bind_int64(s_, i, v); }
  void bind(int i, const std::string& v) { sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT); }
  bool step() {
    int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw DbError(std::string("cannot read the Things database: ") + sqlite3_errmsg(db_));
  }
  bool null(int c) const { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
  long long i64(int c) const { return sqlite3_column_int64(s_, c); }
  double real(int c) const { return sqlite3_column_double(s_, c); }
  std::string text(int c) const {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, c));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, c))) : std::string{};
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
};

constexpr const char* kSelect = R"(
SELECT t.uuid, t.type, t.title, t.notes, t.status, t.start, t.startDate, t.startBucket, t.deadline,
       p.uuid, p.title, a.uuid, a.title, h.uuid, h.title,
       (SELECT group_concat(tg.title, char(31)) FROM TMTaskTag tt JOIN TMTag tg ON tg.uuid = tt.tags
         WHERE tt.tasks = t.uuid),
       t.creationDate, t.userModificationDate,
       COUNT(*) OVER ()
  FROM TMTask t
  LEFT JOIN TMTask h ON h.uuid = t.heading
  LEFT JOIN TMTask p ON p.uuid = COALESCE(t.project, h.project)
  LEFT JOIN TMArea a ON a.uuid = COALESCE(t.area, p.area)
 WHERE t.trashed = 0 AND t.status = 0 AND t.rt1_recurrenceRule IS NULL
   AND (p.uuid IS NULL OR p.trashed = 0) AND (h.uuid IS NULL OR h.trashed = 0)
)";

const char* type_name(long long t) { return t == 1 ? "project" : t == 2 ? "heading" : "to-do"; }
const char* status_name(long long s) { return s == 3 ? "completed" : s == 2 ? "canceled" : "open"; }
const char* start_name(long long s) { return s == 0 ? "inbox" : s == 2 ? "someday" : "anytime"; }

void put_optional(json::Writer& w, const char* key, const Stmt& s, int col) {
  if (s.null(col)) return;
  auto v = s.text(col);
  if (v.empty()) return;
  w.Key(key);
  w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
}

void put_date(json::Writer& w, const char* key, const Stmt& s, int col) {
  if (s.null(col)) return;
  if (auto d = unpack_date(s.i64(col))) {
    w.Key(key);
    w.String(iso_date(*d).c_str());
  }
}

void write_item(json::Writer& w, const Stmt& s) {
  w.StartObject();
  put_optional(w, "id", s, 0);
  w.Key("type");
  w.String(type_name(s.i64(1)));
  w.Key("title");
  auto title = s.text(2);
  w.String(title.c_str(), static_cast<rapidjson::SizeType>(title.size()));
  put_optional(w, "notes", s, 3);
  w.Key("status");
  w.String(status_name(s.i64(4)));
  w.Key("start");
  w.String(start_name(s.i64(5)));
  put_date(w, "start_date", s, 6);
  if (!s.null(7) && s.i64(7) == 1) {
    w.Key("evening");
    w.Bool(true);
  }
  put_date(w, "deadline", s, 8);
  put_optional(w, "project", s, 9);
  put_optional(w, "project_title", s, 10);
  put_optional(w, "area", s, 11);
  put_optional(w, "area_title", s, 12);
  put_optional(w, "heading", s, 13);
  put_optional(w, "heading_title", s, 14);
  w.Key("tags");
  w.StartArray();
  auto tags = s.text(15);
  std::size_t from = 0;
  while (!tags.empty() && from <= tags.size()) {
    auto to = tags.find('\x1f', from);
    if (to == std::string::npos) to = tags.size();
    w.String(tags.data() + from, static_cast<rapidjson::SizeType>(to - from));
    from = to + 1;
  }
  w.EndArray();
  if (!s.null(16)) {
    w.Key("created");
    w.String(iso_timestamp(s.real(16)).c_str());
  }
  if (!s.null(17)) {
    w.Key("modified");
    w.String(iso_timestamp(s.real(17)).c_str());
  }
  w.EndObject();
}

}  // namespace

/// Borrows a connection for one read and gives it back, also on an exception.
class ThingsDb::Lease {
 public:
  explicit Lease(ThingsDb& db) : db_(db), conn_(db.acquire()) {}
  ~Lease() { db_.release(conn_); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  sqlite3* get() const { return conn_; }

 private:
  ThingsDb& db_;
  sqlite3* conn_;
};

ThingsDb::ThingsDb(std::string path, unsigned connections, TodayFn today)
    : path_(std::move(path)), capacity_(connections == 0 ? 1 : connections), today_(std::move(today)) {}

ThingsDb::~ThingsDb() {
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
  try {
    return open_one();
  } catch (...) {
    lock.lock();
    --open_;
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

void ThingsDb::check_readable() {
  Lease lease(*this);
  Stmt s(lease.get(), "SELECT count(*) FROM TMTask");
  s.step();
}

std::string ThingsDb::list(const std::string& where, const std::string& order, const Page& page, bool with_today) {
  Lease lease(*this);
  Stmt s(lease.get(), std::string(kSelect) + " AND (" + where + ") ORDER BY " + order + " LIMIT ?1 OFFSET ?2");
  s.bind(1, page.limit);
  s.bind(2, page.offset);
  if (with_today) s.bind(3, pack_date(today_()));
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  w.StartObject();
  w.Key("items");
  w.StartArray();
  long long count = 0, total = -1;
  while (s.step()) {
    write_item(w, s);
    ++count;
    total = s.i64(18);
  }
  w.EndArray();
  if (total < 0) {
    // No row on this page: count the whole list to report its size.
    Stmt c(lease.get(), "SELECT count(*) FROM (" + std::string(kSelect) + " AND (" + where + "))");
    if (with_today) c.bind(3, pack_date(today_()));
    total = c.step() ? c.i64(0) : 0;
  }
  w.Key("count");
  w.Int64(count);
  w.Key("total");
  w.Int64(total);
  w.EndObject();
  return {sb.GetString(), sb.GetSize()};
}

std::string ThingsDb::inbox(const Page& page) { return list("t.start = 0", "t.\"index\"", page, false); }

std::string ThingsDb::today(const Page& page) {
  return list(
      "(t.start = 1 AND t.startDate IS NOT NULL)"
      " OR (t.start = 2 AND t.startDate IS NOT NULL AND t.startDate <= ?3)"
      " OR (t.startDate IS NULL AND t.deadline IS NOT NULL AND t.deadline <= ?3 AND t.deadlineSuppressionDate IS NULL)",
      "t.todayIndex, t.startDate", page, true);
}

std::string ThingsDb::projects(const Page& page) { return list("t.type = 1", "t.\"index\"", page, false); }

std::optional<TaskFacts> ThingsDb::find_task(const std::string& id) {
  Lease lease(*this);
  Stmt s(lease.get(), "SELECT uuid, title, type, status, trashed FROM TMTask WHERE uuid = ?1");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return TaskFacts{s.text(0), s.text(1), static_cast<int>(s.i64(2)), static_cast<int>(s.i64(3)), s.i64(4) != 0};
}

}  // namespace takt::things
