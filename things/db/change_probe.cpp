#include "things/db/change_probe.hpp"

#include <sqlite3.h>
#include <sys/stat.h>

namespace takt::things {

ChangeProbe::ChangeProbe(std::string path) : path_(std::move(path)) {}

ChangeProbe::~ChangeProbe() { close(); }

void ChangeProbe::close() {
  if (db_) sqlite3_close_v2(db_);
  db_ = nullptr;
  version_ = -1;
}

bool ChangeProbe::open() {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) return false;  // not there (yet): no file is created
  if (sqlite3_open_v2(path_.c_str(), &db_, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    close();
    return false;
  }
  sqlite3_busy_timeout(db_, 50);
  inode_ = st.st_ino;
  device_ = st.st_dev;
  return true;
}

bool ChangeProbe::changed() {
  bool moved = false;
  struct stat st {};
  // A database replaced by another file (restored, re-created) is a change the held
  // connection, still on the old file, would never see.
  if (db_ && (::stat(path_.c_str(), &st) != 0 || st.st_ino != inode_ || st.st_dev != device_)) {
    close();
    moved = true;
  }
  if (!db_ && !open()) {
    failed_ = seen_ = true;
    return false;
  }
  sqlite3_stmt* stmt = nullptr;
  long long version = -1;
  if (sqlite3_prepare_v2(db_, "PRAGMA data_version", -1, &stmt, nullptr) == SQLITE_OK && sqlite3_step(stmt) == SQLITE_ROW)
    version = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  if (version < 0) {  // locked past the timeout, or damaged: look again next time
    failed_ = seen_ = true;
    return false;
  }
  const bool first = !seen_;
  const bool was_failing = failed_;
  moved = moved || (version_ >= 0 && version != version_) || (was_failing && !first);
  version_ = version;
  seen_ = true;
  failed_ = false;
  if (moved) ++changes_;
  return moved;
}

}  // namespace takt::things
