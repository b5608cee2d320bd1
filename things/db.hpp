#pragma once
/// Read-only access to a Things 3 database (the real one on a Mac, things-sim's elsewhere).
/// Thread-safe: every call borrows one connection of a small pool, so up to `connections`
/// reads run at once. Reads block on SQLite I/O; run them in the medium lane only.

#include <condition_variable>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "things/dates.hpp"

struct sqlite3;

namespace takt::things {

/// The database cannot be read; what() says why in plain words and how to fix it.
class DbError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Paging of a list read.
struct Page {
  long long limit = 100;
  long long offset = 0;
};

/// What a verification read finds of one task.
struct TaskFacts {
  std::string id, title;
  int type = 0, status = 0;
  bool trashed = false;
};

class ThingsDb {
 public:
  ThingsDb(std::string path, unsigned connections, TodayFn today);
  ~ThingsDb();
  ThingsDb(const ThingsDb&) = delete;
  ThingsDb& operator=(const ThingsDb&) = delete;

  /// Each returns the tool's structured result as JSON text: {"items":[...],"count":N,"total":M}.
  std::string inbox(const Page& page);
  std::string today(const Page& page);
  std::string projects(const Page& page);

  /// The task with this id, or nullopt; used to confirm writes.
  std::optional<TaskFacts> find_task(const std::string& id);
  /// Throws DbError when the database cannot be opened and read.
  void check_readable();
  const std::string& path() const { return path_; }

 private:
  class Lease;
  sqlite3* acquire();
  void release(sqlite3* db);
  sqlite3* open_one();
  std::string list(const std::string& where, const std::string& order, const Page& page, bool with_today);

  std::string path_;
  unsigned capacity_;
  TodayFn today_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<sqlite3*> idle_;
  unsigned open_ = 0;
};

}  // namespace takt::things
