// A thin RAII layer over the sqlite3 C API: prepared statements with bound parameters
// only, errors as SqliteError exceptions.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace takt::sim {

class SqliteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bytes bound as a BLOB rather than TEXT (Things stores plists in BLOB columns).
struct Blob {
  std::string_view bytes;
};

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement& operator=(Statement&&) = delete;

  // Resets the statement and binds the arguments to ?1, ?2, ...
  template <typename... Args>
  Statement& bind(const Args&... args) {
    reset();
    int index = 1;
    (bind_value(index++, args), ...);
    return *this;
  }

  bool step();  // true while a row is available
  void run();   // steps to completion

  bool is_null(int column) const;
  std::int64_t int64(int column) const;
  double real(int column) const;
  std::string text(int column) const;

 private:
  void reset();
  void check(int rc, const char* what) const;
  void bind_null(int index);
  void bind_int64(int index, std::int64_t value);
  void bind_double(int index, double value);
  void bind_text(int index, std::string_view value);
  void bind_blob(int index, std::string_view bytes);

  template <typename T>
  void bind_value(int index, const T& value) {
    if constexpr (std::is_same_v<T, std::nullptr_t> || std::is_same_v<T, std::nullopt_t>) {
      bind_null(index);
    } else if constexpr (std::is_same_v<T, Blob>) {
      bind_blob(index, value.bytes);
    } else if constexpr (std::is_same_v<T, bool>) {
      bind_int64(index, value ? 1 : 0);
    } else if constexpr (std::is_integral_v<T>) {
      bind_int64(index, static_cast<std::int64_t>(value));
    } else if constexpr (std::is_floating_point_v<T>) {
      bind_double(index, static_cast<double>(value));
    } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
      bind_text(index, std::string_view(value));
    } else {
      // std::optional<U>
      if (value.has_value()) {
        bind_value(index, *value);
      } else {
        bind_null(index);
      }
    }
  }

  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class Database {
 public:
  enum class OpenMode { existing, create };

  // Opens the database with a 10 s busy timeout (the server reads it concurrently, and an
  // overlapping things-sim must still be able to count its overlap).
  Database(const std::string& path, OpenMode mode);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs constant SQL text (may hold several statements). Never pass user data here.
  void exec(const char* sql);
  Statement prepare(std::string_view sql);
  sqlite3* handle() { return db_; }

  // Convenience: first column of the first row, or nullopt when there is no row / NULL.
  template <typename... Args>
  std::optional<std::int64_t> query_int64(std::string_view sql, const Args&... args) {
    Statement stmt = prepare(sql);
    stmt.bind(args...);
    if (!stmt.step() || stmt.is_null(0)) return std::nullopt;
    return stmt.int64(0);
  }
  template <typename... Args>
  std::optional<std::string> query_text(std::string_view sql, const Args&... args) {
    Statement stmt = prepare(sql);
    stmt.bind(args...);
    if (!stmt.step() || stmt.is_null(0)) return std::nullopt;
    return stmt.text(0);
  }
  template <typename... Args>
  void run(std::string_view sql, const Args&... args) {
    Statement stmt = prepare(sql);
    stmt.bind(args...);
    stmt.run();
  }

 private:
  sqlite3* db_ = nullptr;
};

// BEGIN IMMEDIATE (write) or BEGIN (read: no lock until the first read, never a write
// lock) ... COMMIT; rolls back if destroyed before commit().
class Transaction {
 public:
  enum class Kind { write, read };
  explicit Transaction(Database& db, Kind kind = Kind::write);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool open_ = true;
};

// SAVEPOINT around one op: release() keeps its changes; otherwise they are rolled back.
class Savepoint {
 public:
  explicit Savepoint(Database& db);
  ~Savepoint();
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;
  void release();

 private:
  Database& db_;
  bool open_ = true;
};

}  // namespace takt::sim
