#pragma once
/// MCP over stdio: newline-delimited JSON-RPC. The reader (run on the caller's thread)
/// splits stdin into lines, drops a line longer than the limit without buffering it, and
/// hands each one to a callback that may block (admission); while it blocks nothing is
/// read and the client's pipe fills. The writer is its own thread: send() only queues,
/// so no stage ever waits for the client. stdout carries nothing but these messages.

#include <condition_variable>
#include <deque>
#include <functional>
#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "mcp/session.hpp"

namespace takt {

/// Writes lines to a file descriptor, in order. When nothing is queued or being written
/// and the descriptor is a pipe or socket, send() writes straight away on the caller's
/// thread without blocking (O_NONBLOCK): no thread hand-off per reply at low load.
/// Whatever does not fit goes to the writer thread, which waits for the client to read.
/// Thread-safe.
class LineWriter final : public Output {
 public:
  /// `name` says what the descriptor is in the log line when the client goes away.
  explicit LineWriter(int fd, std::string name = "stdout");
  ~LineWriter() override;
  void send(std::string line, std::function<void()> written = {}) override;
  /// Writes everything queued so far, then stops the thread. Idempotent.
  void close();
  /// While held, send() only queues; release() writes the queue in one go. The reader
  /// holds the writer while it handles the lines of one read, so a burst of requests gets
  /// its replies in one write and a lone request's reply still leaves at once.
  void hold();
  void release();

 private:
  using Batch = std::vector<std::pair<std::string, std::function<void()>>>;
  /// How far a batch got: whole lines written, bytes of the next one, or the fd broke.
  struct Sent {
    std::size_t line = 0, offset = 0;
    bool broken = false;
  };
  void loop();
  /// Writes what it can without blocking; returns the bytes written (-1: fd broken).
  long write_some(const char* data, std::size_t size);
  void take_queue(Batch& batch);                    ///< caller holds mu_
  Sent write_batch(const Batch& batch, bool wait);  ///< writev; waits for the client if asked
  std::vector<std::function<void()>> finish_batch(Batch& batch, const Sent& sent);  ///< caller holds mu_
  void mark_broken(std::vector<std::function<void()>>& done);
  int fd_;
  std::string name_;
  int saved_flags_ = -1;     ///< the fd's flags before takt set O_NONBLOCK, restored at the end
  bool busy_ = false;        ///< a thread is writing right now; nobody else may
  int held_ = 0;             ///< hold() calls not yet released
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

  /// `max_batch_lines`: the most lines one batch holds (0: no limit); a read that brings
  /// more is handled as several batches.
  LineReader(int fd, std::size_t max_line_bytes, std::size_t max_batch_lines = 0);
  ~LineReader();
  /// Blocks until end of input, stop(), or on_line returns false. `around_batch(true)`
  /// and `around_batch(false)` bracket each batch: the lines of one read, at most
  /// `max_batch_lines` of them.
  void run(const OnLine& on_line, const std::function<void(bool)>& around_batch = {});
  /// Makes run() return soon; safe from any thread and from a signal-handling thread.
  void stop();

 private:
  /// Waits until the input can be read; false once stop() was called.
  bool wait_readable();

  int fd_;
  std::size_t max_;
  std::size_t max_batch_;
  int saved_flags_ = -1;  ///< the input's flags before takt made it non-blocking; -1: left alone
  std::atomic<bool> stopping_{false};
  int wake_[2] = {-1, -1};
};

}  // namespace takt
