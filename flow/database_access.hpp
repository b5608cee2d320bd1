#pragma once
/// Whether takt can read Things' database now. On a Mac whose AI client has no Full Disk
/// Access it cannot: with tools.reads_via: auto, reads then go through AppleScript
/// (takt's mirror of Things), and writes are confirmed through it whatever reads_via says.
/// Looked at when takt starts, at every health_check, when a database read or a write's
/// confirmation fails, and, while it cannot be read, before every batch of writes and of
/// reads through AppleScript. Thread-safe.

#include <atomic>
#include <mutex>
#include <string>

#include "things/db/db.hpp"

namespace takt {

class DatabaseAccess {
 public:
  /// Looks (things::ThingsDb::check_readable: a connection of the pool and one count, or
  /// the error of opening it) and keeps what it found. Blocks on SQLite: not on the TBB
  /// workers of in-process stages.
  bool check(things::ThingsDb& db) {
    try {
      db.check_readable();
      set(true, {});
    } catch (const things::NotFound&) {
      throw;  // not a question of access
    } catch (const things::DbError& e) {
      set(false, e.what());
    }
    return readable();
  }
  /// The last finding; true until one says otherwise. No I/O.
  bool readable() const { return readable_.load(std::memory_order_acquire); }
  /// Why the database could not be read at the last look; empty when it could.
  std::string why() const {
    std::lock_guard lock(mu_);
    return why_;
  }

 private:
  void set(bool readable, std::string why) {
    std::lock_guard lock(mu_);
    why_ = std::move(why);
    readable_.store(readable, std::memory_order_release);
  }
  std::atomic<bool> readable_{true};
  mutable std::mutex mu_;
  std::string why_;  ///< under mu_
};

}  // namespace takt
