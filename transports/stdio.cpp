#include "transports/stdio.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <climits>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <spdlog/spdlog.h>
#include <system_error>

namespace takt {

LineWriter::LineWriter(int fd, std::string name) : fd_(fd), name_(std::move(name)) {
  struct stat st{};
  if (::fstat(fd_, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
    // Only pipes and sockets: a terminal's flags are shared with the shell that runs takt.
    saved_flags_ = ::fcntl(fd_, F_GETFL);
    if (saved_flags_ >= 0 && ::fcntl(fd_, F_SETFL, saved_flags_ | O_NONBLOCK) != 0) saved_flags_ = -1;
  }
  thread_ = std::thread([this] { loop(); });
}

LineWriter::~LineWriter() {
  close();
  if (saved_flags_ >= 0) ::fcntl(fd_, F_SETFL, saved_flags_);
}

void LineWriter::send(std::string line, std::function<void()> written) {
  line.push_back('\n');
  std::unique_lock lock(mu_);
  if (closing_ || broken_) {
    lock.unlock();
    if (written) written();  // the client is gone: nothing to wait for
    return;
  }
  if (held_ > 0 && saved_flags_ >= 0) {
    queue_.emplace_back(std::move(line), std::move(written));  // release() writes it
    return;
  }
  if (saved_flags_ < 0 || busy_ || !queue_.empty()) {
    queue_.emplace_back(std::move(line), std::move(written));
    lock.unlock();
    cv_.notify_one();
    return;
  }
  // Nothing ahead of it: write now, on this thread, without blocking.
  busy_ = true;
  lock.unlock();
  const long n = write_some(line.data(), line.size());
  lock.lock();
  busy_ = false;
  if (n == static_cast<long>(line.size())) {
    // The writer thread waits while this thread writes: it must hear that it is done
    // when there is something for it, or when close() came meanwhile.
    const bool wake = !queue_.empty() || closing_;
    lock.unlock();
    if (wake) cv_.notify_one();
    if (written) written();
    return;
  }
  if (n < 0) {
    std::vector<std::function<void()>> done{std::move(written)};
    mark_broken(done);
    lock.unlock();
    cv_.notify_one();
    for (auto& d : done)
      if (d) d();
    return;
  }
  // The pipe is full: the rest goes first in line for the writer thread.
  queue_.emplace_front(line.substr(static_cast<std::size_t>(n)), std::move(written));
  lock.unlock();
  cv_.notify_one();
}

void LineWriter::hold() {
  std::lock_guard lock(mu_);
  ++held_;
}

void LineWriter::release() {
  std::unique_lock lock(mu_);
  if (--held_ > 0 || queue_.empty()) return;
  if (saved_flags_ < 0 || busy_ || broken_) {
    lock.unlock();
    cv_.notify_one();
    return;
  }
  // What the batch produced leaves now, on this thread, gathered without copying and
  // without blocking; the client gets its replies one wake-up sooner than through the
  // writer thread. Whatever does not fit goes to the writer thread.
  Batch batch;
  take_queue(batch);
  busy_ = true;
  lock.unlock();
  const auto sent = write_batch(batch, false);
  lock.lock();
  busy_ = false;
  auto done = finish_batch(batch, sent);
  const bool wake = !queue_.empty() || closing_;  // as in send()
  lock.unlock();
  if (wake) cv_.notify_one();
  for (auto& d : done)
    if (d) d();
}

void LineWriter::take_queue(Batch& batch) {
  while (!queue_.empty() && batch.size() < IOV_MAX) {
    batch.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
}

LineWriter::Sent LineWriter::write_batch(const Batch& batch, bool wait) {
  Sent at;
  std::vector<iovec> iov;
  while (at.line < batch.size()) {
    iov.clear();
    for (std::size_t i = at.line; i < batch.size(); ++i) {
      const auto& text = batch[i].first;
      const std::size_t skip = i == at.line ? at.offset : 0;
      iov.push_back({const_cast<char*>(text.data()) + skip, text.size() - skip});
    }
    const auto n = ::writev(fd_, iov.data(), static_cast<int>(iov.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (!wait) break;
      pollfd p{fd_, POLLOUT, 0};  // the client is slow to read: wait until it does
      ::poll(&p, 1, -1);
      continue;
    }
    if (n <= 0) {
      spdlog::warn("{} closed: {}; replies are dropped from now on", name_, std::system_category().message(errno));
      at.broken = true;
      break;
    }
    std::size_t left = static_cast<std::size_t>(n);
    while (at.line < batch.size() && left >= batch[at.line].first.size() - at.offset) {
      left -= batch[at.line].first.size() - at.offset;
      at.offset = 0;
      ++at.line;
    }
    at.offset += left;
  }
  return at;
}

std::vector<std::function<void()>> LineWriter::finish_batch(Batch& batch, const Sent& sent) {
  // Lines fully written are done; a partly written one and the rest go back in front.
  std::vector<std::function<void()>> done;
  for (std::size_t i = 0; i < sent.line && i < batch.size(); ++i) done.push_back(std::move(batch[i].second));
  if (sent.broken) {
    for (std::size_t i = sent.line; i < batch.size(); ++i) done.push_back(std::move(batch[i].second));
    mark_broken(done);
    return done;
  }
  for (std::size_t i = batch.size(); i > sent.line; --i) {
    auto& b = batch[i - 1];
    if (i - 1 == sent.line && sent.offset > 0) b.first.erase(0, sent.offset);
    queue_.push_front(std::move(b));
  }
  return done;
}

void LineWriter::close() {
  {
    std::lock_guard lock(mu_);
    closing_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

long LineWriter::write_some(const char* data, std::size_t size) {
  std::size_t off = 0;
  while (off < size) {
    auto n = ::write(fd_, data + off, size - off);
    if (n > 0) {
      off += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    spdlog::warn("{} closed: {}; replies are dropped from now on", name_, std::system_category().message(errno));
    return -1;
  }
  return static_cast<long>(off);
}

void LineWriter::mark_broken(std::vector<std::function<void()>>& done) {
  broken_ = true;
  for (auto& q : queue_) done.push_back(std::move(q.second));
  queue_.clear();
}

void LineWriter::loop() {
  Batch batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return (!queue_.empty() && !busy_) || (closing_ && !busy_); });
      if (queue_.empty()) return;  // closing, and everything is written
      take_queue(batch);  // everything queued goes out together
      busy_ = true;
    }
    const auto sent = write_batch(batch, true);
    std::vector<std::function<void()>> done;
    {
      std::lock_guard lock(mu_);
      busy_ = false;
      done = finish_batch(batch, sent);
    }
    batch.clear();
    for (auto& d : done)
      if (d) d();
  }
}

LineReader::LineReader(int fd, std::size_t max_line_bytes, std::size_t max_batch_lines)
    : fd_(fd), max_(max_line_bytes), max_batch_(max_batch_lines) {
  if (::pipe(wake_) != 0) throw std::system_error(errno, std::system_category(), "pipe");
  struct stat st{};
  if (::fstat(fd_, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))) {
    // Read first and wait only when nothing is there: a client that keeps requests coming
    // costs one system call per batch, not two. Pipes and sockets only, as for stdout.
    saved_flags_ = ::fcntl(fd_, F_GETFL);
    if (saved_flags_ >= 0 && ::fcntl(fd_, F_SETFL, saved_flags_ | O_NONBLOCK) != 0) saved_flags_ = -1;
  }
}

LineReader::~LineReader() {
  if (saved_flags_ >= 0) ::fcntl(fd_, F_SETFL, saved_flags_);
  ::close(wake_[0]);
  ::close(wake_[1]);
}

void LineReader::stop() {
  stopping_.store(true);
  const char c = 'x';
  [[maybe_unused]] auto n = ::write(wake_[1], &c, 1);
}

bool LineReader::wait_readable() {
  for (;;) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::system_category(), "poll");
    }
    return !fds[1].revents;
  }
}

void LineReader::run(const OnLine& on_line, const std::function<void(bool)>& around_batch) {
  std::string line;
  bool skipping = false;  // inside a line that went over the limit
  char buf[64 * 1024];
  for (;;) {
    if (stopping_.load(std::memory_order_relaxed)) return;
    if (saved_flags_ < 0 && !wait_readable()) return;
    auto n = ::read(fd_, buf, sizeof buf);
    if (n < 0 && errno == EAGAIN) {  // non-blocking, and nothing there yet
      if (!wait_readable()) return;
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // end of input (or an error, treated alike: the client is gone)
    if (around_batch) around_batch(true);
    struct AfterBatch {
      const std::function<void(bool)>& f;
      ~AfterBatch() {
        if (f) f(false);
      }
    } after{around_batch};
    std::size_t start = 0, in_batch = 0;
    const char* const end = buf + n;
    for (const char* nl; (nl = static_cast<const char*>(std::memchr(buf + start, '\n', static_cast<std::size_t>(end - (buf + start)))));) {
      const auto i = static_cast<std::size_t>(nl - buf);
      if (skipping) {
        skipping = false;
      } else {
        line.append(buf + start, i - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (!line.empty() && max_batch_ && in_batch++ == max_batch_) {  // a full batch, and more lines
          if (around_batch) {
            around_batch(false);
            around_batch(true);
          }
          in_batch = 1;
        }
        if (line.size() > max_) {
          if (!on_line({}, true)) return;
        } else if (!line.empty() && !on_line(std::move(line), false)) {
          return;
        }
      }
      line.clear();
      start = i + 1;
    }
    if (!skipping) {
      line.append(buf + start, static_cast<std::size_t>(n) - start);
      if (line.size() > max_ + 1) {  // +1: room for a CR before the newline
        line.clear();
        line.shrink_to_fit();
        skipping = true;
        if (!on_line({}, true)) return;
      }
    }
  }
  if (!skipping && !line.empty()) {
    if (line.back() == '\r') line.pop_back();
    if (line.size() > max_) on_line({}, true);
    else if (!line.empty()) on_line(std::move(line), false);  // a last message without a newline still counts
  }
}

}  // namespace takt
