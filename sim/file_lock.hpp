// Advisory whole-file locks (flock) on small lock files beside the database.
#pragma once

#include <optional>
#include <string>

namespace takt::sim {

// An exclusive flock(2) on a lock file (created 0600 if missing). The kernel drops it when
// the process dies, however it dies (SIGKILL from a server time-out included), so a killed
// call never leaves a stale lock behind.
class FileLock {
 public:
  // nullopt when another process holds the lock.
  static std::optional<FileLock> try_lock(const std::string& path);
  // Waits for the lock.
  static FileLock lock(const std::string& path);

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

  void release();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace takt::sim
