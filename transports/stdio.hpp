#pragma once
/// MCP over stdio: newline-delimited JSON-RPC. The reader (run on the caller's thread)
/// splits stdin into lines, drops a line longer than the limit without buffering it, and
/// hands each one to a callback that may block (admission); while it blocks nothing is
/// read and the client's pipe fills. The writer is its own thread: send() only queues,
/// so no stage ever waits for the client. stdout carries nothing but these messages.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "mcp/session.hpp"

namespace takt {

/// Writes queued lines to a file descriptor, in order, on its own thread. Thread-safe.
class LineWriter final : public Output {
 public:
  explicit LineWriter(int fd);
  ~LineWriter() override;
  void send(std::string line, std::function<void()> written = {}) override;
  /// Writes everything queued so far, then stops the thread. Idempotent.
  void close();

 private:
  void loop();
  int fd_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<std::string, std::function<void()>>> queue_;
  bool closing_ = false;
  bool broken_ = false;
  std::thread thread_;
};

/// Reads lines from a file descriptor until end of input or stop().
class LineReader {
 public:
  /// Called per line: the text (without newline or trailing CR) and whether it was over
  /// the limit (then the text is empty). Returning false stops reading.
  using OnLine = std::function<bool(std::string line, bool oversized)>;

  LineReader(int fd, std::size_t max_line_bytes);
  ~LineReader();
  /// Blocks until end of input, stop(), or on_line returns false.
  void run(const OnLine& on_line);
  /// Makes run() return soon; safe from any thread and from a signal-handling thread.
  void stop();

 private:
  int fd_;
  std::size_t max_;
  int wake_[2] = {-1, -1};
};

}  // namespace takt
