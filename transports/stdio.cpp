#include "transports/stdio.hpp"

#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <spdlog/spdlog.h>
#include <system_error>

namespace takt {

LineWriter::LineWriter(int fd) : fd_(fd), thread_([this] { loop(); }) {}

LineWriter::~LineWriter() { close(); }

void LineWriter::send(std::string line, std::function<void()> written) {
  {
    std::unique_lock lock(mu_);
    if (!closing_ && !broken_) {
      queue_.emplace_back(std::move(line), std::move(written));
      lock.unlock();
      cv_.notify_one();
      return;
    }
  }
  if (written) written();  // the client is gone: nothing to wait for
}

void LineWriter::close() {
  {
    std::lock_guard lock(mu_);
    if (closing_) {
      if (!thread_.joinable()) return;
    }
    closing_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void LineWriter::loop() {
  std::string batch;
  std::vector<std::function<void()>> done;
  for (;;) {
    for (auto& d : done)
      if (d) d();
    done.clear();
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return !queue_.empty() || closing_; });
      if (queue_.empty() && closing_) return;
      // Everything queued goes out in one write: fewer wake-ups of the client.
      batch.clear();
      while (!queue_.empty()) {
        batch += queue_.front().first;
        batch += '\n';
        done.push_back(std::move(queue_.front().second));
        queue_.pop_front();
      }
    }
    std::size_t off = 0;
    while (off < batch.size()) {
      auto n = ::write(fd_, batch.data() + off, batch.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        spdlog::warn("stdout closed: {}; replies are dropped from now on", std::system_category().message(errno));
        std::lock_guard lock(mu_);
        broken_ = true;
        for (auto& q : queue_) done.push_back(std::move(q.second));
        queue_.clear();
        break;
      }
      off += static_cast<std::size_t>(n);
    }
  }
}

LineReader::LineReader(int fd, std::size_t max_line_bytes) : fd_(fd), max_(max_line_bytes) {
  if (::pipe(wake_) != 0) throw std::system_error(errno, std::system_category(), "pipe");
}

LineReader::~LineReader() {
  ::close(wake_[0]);
  ::close(wake_[1]);
}

void LineReader::stop() {
  const char c = 'x';
  [[maybe_unused]] auto n = ::write(wake_[1], &c, 1);
}

void LineReader::run(const OnLine& on_line) {
  std::string line;
  bool skipping = false;  // inside a line that went over the limit
  char buf[64 * 1024];
  for (;;) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::system_category(), "poll");
    }
    if (fds[1].revents) return;
    auto n = ::read(fd_, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;  // end of input (or an error, treated alike: the client is gone)
    std::size_t start = 0;
    for (std::size_t i = 0; i < static_cast<std::size_t>(n); ++i) {
      if (buf[i] != '\n') continue;
      if (skipping) {
        skipping = false;
      } else {
        line.append(buf + start, i - start);
        if (!line.empty() && line.back() == '\r') line.pop_back();
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
    else on_line(std::move(line), false);  // a last message without a newline still counts
  }
}

}  // namespace takt
