#pragma once
/// The cache's second level, shared by every takt process of the user on one Things
/// database: one file per entry in a private directory, and a generation word in a mapped
/// file that every write to Things, in any process, bumps.
///
/// Layout: `<cache.dir>/<16 hex digits: hash of the database path>/` holds `generation`
/// (8 bytes, mapped MAP_SHARED) and one file per entry, named by a hash of its key. An
/// entry file is written to a temporary name and renamed into place, so a reader sees a
/// whole file or none; it carries its key, the generation it was filled at, its expiry
/// (wall clock) and a checksum, so a truncated or corrupt file (a crash of the machine
/// mid-write, a disk error, a stray editor) is detected, removed and counted, never served.
///
/// Both directories must be the user's own, mode 0700, and not symbolic links: they are
/// opened with O_NOFOLLOW | O_DIRECTORY and checked (owner, mode) before use; every file
/// in them is opened relative to the directory with O_NOFOLLOW. Anything else is refused
/// and the caller runs without the shared level.
///
/// Thread-safe: every call works on its own file descriptors; the generation word is
/// accessed atomically.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace takt {

class SharedCacheDir {
 public:
  using WallClock = std::chrono::system_clock;

  /// Opens (creating what is missing) the shared cache for `database` under `root`.
  /// Returns nullptr and sets `why` (a sentence for the log) when it cannot be used safely.
  static std::unique_ptr<SharedCacheDir> open(const std::string& root, const std::string& database, std::string& why);
  ~SharedCacheDir();
  SharedCacheDir(const SharedCacheDir&) = delete;
  SharedCacheDir& operator=(const SharedCacheDir&) = delete;

  /// The generation word, 8-byte aligned in the shared mapping: access it only through
  /// std::atomic_ref. Lives as long as this object.
  std::uint64_t* generation_word() const { return generation_; }

  enum class Outcome {
    Hit,      ///< a whole entry for this key, filled at this generation, not expired
    Miss,     ///< no file, or one for another key (hash collision) or a later generation
    Stale,    ///< filled at an earlier generation, or expired: removed
    Corrupt,  ///< truncated, wrong size or checksum, not a regular file of the user: removed
  };
  struct Found {
    std::string value;
    WallClock::time_point expires;
  };
  /// Reads the entry for `key`. The value is returned only on Outcome::Hit.
  std::optional<Found> read(const std::string& key, std::uint64_t generation, WallClock::time_point now,
                            Outcome& outcome) const;
  /// Writes the entry for `key` atomically (temporary file, then rename). False when the
  /// file system refused (the entry is then simply not shared).
  bool write(const std::string& key, const std::string& value, std::uint64_t generation,
             WallClock::time_point expires) const;
  /// Removes expired and stale entries, entries whose header or size is damaged (their
  /// content is checked when read), and temporary files left by a process that died
  /// mid-write. Returns how many corrupt entries it removed.
  std::size_t sweep(std::uint64_t generation, WallClock::time_point now) const;

  /// The directory holding this database's entries (tests, logs).
  const std::string& path() const { return path_; }
  /// The file name an entry for `key` has in path() (tests).
  static std::string file_name(const std::string& key);

 private:
  SharedCacheDir(int dir_fd, std::uint64_t* generation, std::string path);
  int dir_fd_;
  std::uint64_t* generation_;
  std::string path_;
};

}  // namespace takt
