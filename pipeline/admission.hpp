#pragma once
/// Admission control at the graph's entrance: at most `capacity` messages in flight.
/// When it is full, acquire() blocks the transport's reader, so takt stops reading and
/// the client's pipe fills: backpressure, nothing dropped. Thread-safe.

#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>

namespace takt {

class Admission {
 public:
  explicit Admission(std::size_t capacity) : capacity_(capacity) {}

  /// Waits for a free slot. Returns false only when close() was called. When it has to
  /// wait, it first calls `before_wait` (outside the lock): whatever holds back the
  /// replies that free slots must be let go first.
  bool acquire(const std::function<void()>& before_wait = {}) {
    std::unique_lock lock(mu_);
    if (in_flight_ >= capacity_ && !closed_ && before_wait) {
      lock.unlock();
      before_wait();
      lock.lock();
    }
    cv_.wait(lock, [&] { return in_flight_ < capacity_ || closed_; });
    if (closed_) return false;
    ++in_flight_;
    return true;
  }
  /// Takes a slot only if one is free now.
  bool try_acquire() {
    std::lock_guard lock(mu_);
    if (closed_ || in_flight_ >= capacity_) return false;
    ++in_flight_;
    return true;
  }
  void release() {
    {
      std::lock_guard lock(mu_);
      --in_flight_;
    }
    cv_.notify_all();
  }
  /// Wakes every waiter; acquire() fails from now on.
  void close() {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
    }
    cv_.notify_all();
  }
  std::size_t in_flight() const {
    std::lock_guard lock(mu_);
    return in_flight_;
  }
  std::size_t capacity() const { return capacity_; }

 private:
  std::size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::size_t in_flight_ = 0;
  bool closed_ = false;
};

}  // namespace takt
