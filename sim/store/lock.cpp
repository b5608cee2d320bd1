#include "lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace takt::sim {

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

// flock, retried on EINTR. False only when another open file holds the lock (LOCK_NB).
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
  if (fd_ >= 0) ::close(fd_);  // closing the only descriptor drops the flock
  fd_ = -1;
}

}  // namespace takt::sim
