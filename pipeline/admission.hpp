#pragma once
/// Admission control at the graph's entrance: at most `capacity` messages in flight.
/// When it is full, acquire() blocks the transport's reader, so takt stops reading and
/// the client's pipe fills: backpressure, nothing dropped. Thread-safe.
///
/// Taking and giving back a slot is one atomic operation while there is room (every
/// message does both); the mutex and condition variable serve only threads that wait.
/// No wake-up is lost: a waiter counts itself in `waiters_` before its last look at the
/// count, and release() gives the slot back before it looks at `waiters_` (both
/// sequentially consistent), so either the waiter sees the slot or release() sees the
/// waiter and wakes it under the mutex.

#include <atomic>
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
    if (closed_.load()) return false;
    if (take()) return true;
    std::unique_lock lock(mu_);
    waiters_.fetch_add(1);
    bool let_go = false, got = false;
    for (;;) {
      if (closed_.load()) break;
      if (take()) {
        got = true;
        break;
      }
      if (around_wait && !let_go) {  // never wait while holding back replies
        lock.unlock();
        around_wait(true);
        lock.lock();
        let_go = true;
        continue;  // look again: the replies let go may have freed a slot
      }
      cv_.wait(lock);
    }
    waiters_.fetch_sub(1);
    lock.unlock();
    if (let_go) around_wait(false);
    return got;
  }
  /// Takes a slot only if one is free now.
  bool try_acquire() { return !closed_.load() && take(); }
  void release() {
    in_flight_.fetch_sub(1);
    if (waiters_.load() > 0) {
      std::lock_guard lock(mu_);  // a waiter is between its look and its wait, or waiting
      cv_.notify_all();
    }
  }
  /// Wakes every waiter; acquire() fails from now on.
  void close() {
    closed_.store(true);
    std::lock_guard lock(mu_);
    cv_.notify_all();
  }
  std::size_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
  std::size_t capacity() const { return capacity_; }

 private:
  bool take() {
    auto n = in_flight_.load();
    while (n < capacity_)
      if (in_flight_.compare_exchange_weak(n, n + 1)) return true;
    return false;
  }

  const std::size_t capacity_;
  std::atomic<std::size_t> in_flight_{0};
  std::atomic<std::size_t> waiters_{0};
  std::atomic<bool> closed_{false};
  std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace takt
