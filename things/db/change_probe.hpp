#pragma once
/// Tells cheaply whether the Things database changed: one `PRAGMA data_version` on a
/// read-only connection held for the purpose (SQLite moves it whenever another connection,
/// in any process, commits: Things, a sync, things-sim, another takt) and one stat() of
/// the file (a database replaced by another file). No query of the data is run. Used by
/// one thread at a time (the watcher's).

#include <cstdint>
#include <string>
#include <sys/types.h>

struct sqlite3;

namespace takt::things {

class ChangeProbe {
 public:
  explicit ChangeProbe(std::string path);
  ~ChangeProbe();
  ChangeProbe(const ChangeProbe&) = delete;
  ChangeProbe& operator=(const ChangeProbe&) = delete;

  /// Whether the database changed since the last call. The first call, and calls while
  /// the database cannot be opened, answer false; the first call that opens it after a
  /// failure answers true (it may have changed meanwhile).
  bool changed();
  /// Times changed() answered true.
  std::uint64_t changes() const { return changes_; }

 private:
  bool open();
  void close();

  std::string path_;
  sqlite3* db_ = nullptr;
  long long version_ = -1;
  ino_t inode_ = 0;
  dev_t device_ = 0;
  bool seen_ = false;    ///< a first look was taken
  bool failed_ = false;  ///< the last look could not open or read the database
  std::uint64_t changes_ = 0;
};

}  // namespace takt::things
