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
  /// wait, it calls `around_wait(true)` first and `around_wait(false)` once the wait is
  /// over (both outside the lock): whatever holds back the replies that free slots must
  /// stay let go for the whole wait, including replies made on other threads meanwhile.
  bool acquire(const std::function<void(bool)>& around_wait = {}) {
    std::unique_lock lock(mu_);
    const auto has_room = [&] { return in_flight_ < capacity_ || closed_; };
    // Never wait while holding back replies: if another thread took the slot between the
    // wake-up and here, let them go again.
    while (!has_room() && around_wait) {
      lock.unlock();
      around_wait(true);
      lock.lock();
      cv_.wait(lock, has_room);
      lock.unlock();
      around_wait(false);
      lock.lock();
    }
    cv_.wait(lock, has_room);
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
