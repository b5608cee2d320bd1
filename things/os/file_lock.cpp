#include "things/os/file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>

namespace takt {

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path, int error) {
  throw std::runtime_error(what + " " + path + ": " + std::strerror(error));
}

int open_lock_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) fail("cannot open lock file", path, errno);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != ::geteuid()) {
    ::close(fd);
    throw std::runtime_error("refusing lock file " + path + ": not a regular file of this user");
  }
  return fd;
}

// flock, retried on EINTR. Returns false only for EWOULDBLOCK (held elsewhere).
bool flock_retrying(int fd, int operation, const std::string& path) {
  while (::flock(fd, operation) != 0) {
    if (errno == EINTR) continue;
    if (errno == EWOULDBLOCK) return false;
    const int error = errno;
    ::close(fd);
    fail("cannot lock", path, error);
  }
  return true;
}

/// A blocking flock handed to a helper thread, so the caller can stop waiting at a deadline.
struct Waiter {
  std::mutex mu;
  std::condition_variable cv;
  int fd = -1;
  bool done = false, abandoned = false;
  int error = 0;
};

}  // namespace

std::optional<FileLock> FileLock::try_lock(const std::string& path) {
  const int fd = open_lock_file(path);
  if (!flock_retrying(fd, LOCK_EX | LOCK_NB, path)) {
    ::close(fd);
    return std::nullopt;
  }
  return FileLock(fd);
}

FileLock FileLock::lock(const std::string& path) {
  const int fd = open_lock_file(path);
  flock_retrying(fd, LOCK_EX, path);
  return FileLock(fd);
}

std::optional<FileLock> FileLock::lock_until(const std::string& path, std::chrono::steady_clock::time_point deadline) {
  if (auto lock = try_lock(path)) return lock;
  auto w = std::make_shared<Waiter>();
  w->fd = open_lock_file(path);
  std::thread([w] {
    int error = 0;
    while (::flock(w->fd, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      error = errno;
      break;
    }
    std::lock_guard lock(w->mu);
    w->done = true;
    w->error = error;
    if (w->abandoned) ::close(w->fd);  // nobody waits for it any more: let the next one have it
    else w->cv.notify_one();
  }).detach();
  std::unique_lock lock(w->mu);
  if (!w->cv.wait_until(lock, deadline, [&] { return w->done; })) {
    w->abandoned = true;
    return std::nullopt;
  }
  if (w->error != 0) {
    ::close(w->fd);
    fail("cannot lock", path, w->error);
  }
  return FileLock(w->fd);
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

FileLock::~FileLock() { release(); }

void FileLock::release() {
  if (fd_ >= 0) {
    ::close(fd_);  // closing the only descriptor drops the flock
    fd_ = -1;
  }
}

void ensure_private_dir(const std::string& dir) {
  const auto parent = std::filesystem::path(dir).parent_path();
  std::error_code ec;
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) fail("cannot create the lock directory", dir, errno);
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) fail("cannot inspect the lock directory", dir, errno);
  if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode))
    throw std::runtime_error("refusing lock directory " + dir + ": it is a symbolic link or not a directory");
  if (st.st_uid != ::geteuid())
    throw std::runtime_error("refusing lock directory " + dir + ": it belongs to another user");
  if ((st.st_mode & 077) != 0)
    throw std::runtime_error("refusing lock directory " + dir + ": group or others may write or read it (chmod 700)");
}

std::optional<FileLock> MachineLock::acquire(std::chrono::steady_clock::time_point deadline) const {
  // Holding the turnstile while waiting for the lock makes this process the next holder:
  // the releaser has to queue up at the turnstile behind it.
  auto turn = FileLock::lock_until(queue_, deadline);
  if (!turn) return std::nullopt;
  return FileLock::lock_until(path_, deadline);
}

}  // namespace takt
