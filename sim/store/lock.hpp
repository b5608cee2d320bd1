// Whole-file advisory locks (flock) of things-sim: the script lock that detects
// overlapping calls (PATH.sim-lock) and the lock that serialises creating a database
// (PATH.sim-init-lock). The sim's own, not takt's: the stand-in shares no code with the
// program it is meant to catch out. The kernel drops a flock when the process ends,
// however it ends (SIGKILL included), so a dead holder never leaves a stale lock.
#pragma once

#include <optional>
#include <string>

namespace takt::sim {

// An exclusive flock(2) on a lock file, created 0600 if missing. The file is never opened
// through a symbolic link and must be a regular file of the calling user (else the
// constructors throw std::runtime_error). Movable.
class FileLock {
 public:
  // nullopt when another open file holds the lock.
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
