#pragma once
/// Advisory whole-file locks (flock): the machine-wide lock of takt's AppleScript lane,
/// which every takt process of the user takes around each script.
/// The kernel drops a flock when the last descriptor of its open file closes, however the
/// process ends (SIGKILL included), so a dead holder never leaves a stale lock behind.

#include <chrono>
#include <optional>
#include <string>

namespace takt {

/// An exclusive flock(2) on a lock file, created 0600 if missing. The file is never opened
/// through a symbolic link and must be a regular file of the calling user (else the
/// constructors throw std::runtime_error). Movable; one object is used by one thread.
class FileLock {
 public:
  /// nullopt when another open file holds the lock.
  static std::optional<FileLock> try_lock(const std::string& path);
  /// Waits for the lock.
  static FileLock lock(const std::string& path);
  /// Waits for the lock until `deadline`; nullopt when the deadline came first. (A helper
  /// thread does the blocking wait; if the deadline wins, it drops the lock the moment it
  /// gets it.)
  static std::optional<FileLock> lock_until(const std::string& path, std::chrono::steady_clock::time_point deadline);

  FileLock(FileLock&& other) noexcept;
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

  /// The descriptor holding the lock (close-on-exec). A child that inherits a copy keeps
  /// the lock held after this process dies, until the child exits too.
  int fd() const { return fd_; }
  void release();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

/// Creates `dir` (mode 0700) if it is missing, its parent included. Throws
/// std::runtime_error when it is a symbolic link, not a directory, owned by another user,
/// or open to group or others: lock files are only kept where no one else can plant one.
void ensure_private_dir(const std::string& dir);

/// One script at a time across every process that locks the same `path` (the AppleScript
/// lane of every takt of one user driving one Things). Waiters pass through a turnstile
/// (`path`.queue): the one holding the turnstile is next, so a process that just released
/// the lock and comes straight back cannot take it again ahead of one that was waiting.
/// Stateless apart from the paths; acquire() may be called from any thread.
class MachineLock {
 public:
  explicit MachineLock(std::string path) : path_(std::move(path)), queue_(path_ + ".queue") {}
  /// The lock, or nullopt when `deadline` passed while waiting.
  std::optional<FileLock> acquire(std::chrono::steady_clock::time_point deadline) const;
  const std::string& path() const { return path_; }

 private:
  std::string path_, queue_;
};

}  // namespace takt
