#include "file_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace takt::sim {

namespace {

int open_lock_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    throw std::runtime_error("cannot open lock file " + path + ": " + std::strerror(errno));
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
    throw std::runtime_error("cannot lock " + path + ": " + std::strerror(error));
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
  if (fd_ >= 0) {
    ::close(fd_);  // closing the only descriptor drops the flock
    fd_ = -1;
  }
}

}  // namespace takt::sim
