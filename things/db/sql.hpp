#pragma once
/// takt's own SQLite helpers for the database reads (internal to things/): a prepared
/// statement that finalizes itself, and a statement text built together with the values
/// bound to its `?` placeholders, so no user text is ever spliced into SQL.
/// A Stmt belongs to one connection and one thread at a time; Sql is a plain value.

#include <sqlite3.h>

#include "base/json.hpp"

#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "things/db/db.hpp"

namespace takt::things {

/// A value bound to a placeholder.
using SqlValue = std::variant<long long, double, std::string>;

/// SQL text with `?` placeholders and their values, in the order they appear. Only
/// takt's own constants go into `text`; every user value goes into `values`. Plain value.
struct Sql {
  std::string text;
  std::vector<SqlValue> values;

  /// Appends text that holds no placeholder.
  Sql& operator+=(std::string_view fragment) {
    text += fragment;
    return *this;
  }
  /// Appends text with placeholders and the values for them, in order.
  template <class... V>
  Sql& add(std::string_view fragment, V&&... v) {
    text += fragment;
    (values.emplace_back(std::forward<V>(v)), ...);
    return *this;
  }
  /// Appends another statement part with its values.
  Sql& operator+=(const Sql& other) {
    text += other.text;
    values.insert(values.end(), other.values.begin(), other.values.end());
    return *this;
  }
};

/// A prepared statement that finalizes itself. Not thread-safe: one thread at a time, on
/// the connection it was prepared on.
class Stmt {
 public:
  Stmt(sqlite3* db, const std::string& sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &s_, nullptr) != SQLITE_OK)
      throw DbError(std::string("cannot query the Things database: ") + sqlite3_errmsg(db));
  }
  /// Prepares `sql.text` and binds its values.
  Stmt(sqlite3* db, const Sql& sql) : Stmt(db, sql.text) {
    for (std::size_t i = 0; i < sql.values.size(); ++i)
      std::visit([&](const auto& v) { bind(static_cast<int>(i + 1), v); }, sql.values[i]);
  }
  ~Stmt() { sqlite3_finalize(s_); }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  void bind(int i, long long v) { sqlite3_bind_int64(s_, i, v); }
  void bind(int i, double v) { sqlite3_bind_double(s_, i, v); }
  void bind(int i, const std::string& v) {
    sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  }
  bool step() {
    int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw DbError(std::string("cannot read the Things database: ") + sqlite3_errmsg(db_));
  }
  bool null(int c) const { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
  long long i64(int c) const { return sqlite3_column_int64(s_, c); }
  double real(int c) const { return sqlite3_column_double(s_, c); }
  std::string text(int c) const {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, c));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, c))) : std::string{};
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* s_ = nullptr;
};

/// The first column of the first row of a query, as an integer (0 without a row).
inline long long scalar(sqlite3* db, const Sql& sql) {
  Stmt s(db, sql);
  return s.step() ? s.i64(0) : 0;
}

/// One page of a list answer, {"items":[...],"count":N,"total":M}: `row(writer, stmt)`
/// writes each row's object. The total is known without counting when the page ends
/// before `page.limit` (the list ends on it); otherwise it is the query `count_all()`
/// returns, so a page never makes the whole list be counted unless it must be. With
/// `total_column` >= 0, the rows carry the total in that column (items.hpp: kPageTotal).
template <class Row, class CountAll>
std::string page_answer(sqlite3* db, Stmt& s, const Page& page, CountAll&& count_all, Row&& row,
                        int total_column = -1) {
  rapidjson::StringBuffer sb;
  json::Writer w(sb);
  w.StartObject();
  w.Key("items");
  w.StartArray();
  long long count = 0, carried = -1;
  while (s.step()) {
    row(w, s);
    if (total_column >= 0) carried = s.i64(total_column);
    ++count;
  }
  w.EndArray();
  const bool ends_here = (count > 0 && count < page.limit) || (count == 0 && page.offset == 0);
  const long long total = ends_here ? page.offset + count : carried >= 0 ? carried : scalar(db, count_all());
  w.Key("count");
  w.Int64(count);
  w.Key("total");
  w.Int64(total);
  w.EndObject();
  return {sb.GetString(), sb.GetSize()};
}

/// Borrows a connection of a ThingsDb's pool for one read and gives it back, also on an
/// exception. Used by one thread at a time.
class ThingsDb::Lease {
 public:
  explicit Lease(ThingsDb& db) : db_(db), conn_(db.acquire()) {}
  ~Lease() { db_.release(conn_); }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  sqlite3* get() const { return conn_; }

 private:
  ThingsDb& db_;
  sqlite3* conn_;
};

/// Holds one read transaction, so that several statements see the same state of the
/// database while Things writes it; ends it (nothing to keep: reads only) when destroyed.
/// On a connection already inside a transaction (a borrowed one: things-sim reading in
/// its script's transaction) that transaction is the snapshot: nothing is begun, and
/// nothing is rolled back.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(sqlite3* db) : db_(db), own_(sqlite3_get_autocommit(db) != 0) {
    if (own_ && sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK)
      throw DbError(std::string("cannot read the Things database: ") + sqlite3_errmsg(db));
  }
  ~ReadSnapshot() {
    if (own_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  /// Ends the transaction keeping what it wrote to the connection's TEMP tables (never the
  /// database: the connection is read-only). False when it was not this snapshot's, or
  /// SQLite refused (then it is rolled back).
  bool commit() {
    if (!own_) return false;
    if (sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) return false;
    own_ = false;
    return true;
  }
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  sqlite3* db_;
  bool own_;  ///< this snapshot began the transaction, so it ends it
};

/// A read transaction in which the connection's index of the tasks (task_index.hpp)
/// describes exactly what the transaction reads: the index is rebuilt inside it when the
/// database changed since the index was built (PRAGMA data_version, which moves when
/// another connection commits, as Things does), and kept by commit(). An exception before
/// commit() rolls the rebuild back and forgets it, so the next read builds it again. Used
/// by one thread at a time.
class ThingsDb::IndexedRead {
 public:
  IndexedRead(ThingsDb& owner, sqlite3* db);
  IndexedRead(const IndexedRead&) = delete;
  IndexedRead& operator=(const IndexedRead&) = delete;
  /// Ends the transaction; a rebuilt index is kept for the reads that follow.
  void commit();
  /// Whether the index was rebuilt for this read.
  bool rebuilt() const { return built_; }

 private:
  ThingsDb& owner_;
  sqlite3* db_;
  ReadSnapshot snapshot_;
  long long version_ = 0;
  bool built_ = false;
};

/// Registers takt's SQL functions on a connection: takt_fold(text), the case folding of
/// search (things/text.hpp). Throws DbError if SQLite refuses.
void register_functions(sqlite3* db);

}  // namespace takt::things
