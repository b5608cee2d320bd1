// A few lines over the sqlite3 C API for sim/model: prepared statements with bound
// parameters, errors as SqlError. sim/model's own, so the model shares no code with takt.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace takt::sim::model {

class SqlError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using SqlValue = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

class Sql {
 public:
  explicit Sql(sqlite3* db) : db_(db) {}

  // Runs one statement with ?1, ?2, ... bound; returns every row.
  std::vector<std::vector<SqlValue>> rows(std::string_view sql, const std::vector<SqlValue>& args = {}) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK) {
      throw SqlError(std::string("SQLite: ") + sqlite3_errmsg(db_));
    }
    struct Finalize {
      sqlite3_stmt* s;
      ~Finalize() { sqlite3_finalize(s); }
    } finalize{stmt};
    for (std::size_t i = 0; i < args.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      const SqlValue& v = args[i];
      int rc = SQLITE_OK;
      if (std::holds_alternative<std::nullptr_t>(v)) rc = sqlite3_bind_null(stmt, index);
      else if (const auto* n = std::get_if<std::int64_t>(&v)) rc = sqlite3_bind_int64(stmt, index, *n);
      else if (const auto* r = std::get_if<double>(&v)) rc = sqlite3_bind_double(stmt, index, *r);
      else {
        const std::string& s = std::get<std::string>(v);
        rc = sqlite3_bind_text(stmt, index, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
      }
      if (rc != SQLITE_OK) throw SqlError(std::string("SQLite bind: ") + sqlite3_errmsg(db_));
    }
    std::vector<std::vector<SqlValue>> out;
    while (true) {
      const int rc = sqlite3_step(stmt);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) throw SqlError(std::string("SQLite: ") + sqlite3_errmsg(db_));
      std::vector<SqlValue> row;
      const int columns = sqlite3_column_count(stmt);
      for (int c = 0; c < columns; ++c) {
        switch (sqlite3_column_type(stmt, c)) {
          case SQLITE_NULL: row.emplace_back(nullptr); break;
          case SQLITE_INTEGER: row.emplace_back(static_cast<std::int64_t>(sqlite3_column_int64(stmt, c))); break;
          case SQLITE_FLOAT: row.emplace_back(sqlite3_column_double(stmt, c)); break;
          default: {
            const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, c));
            row.emplace_back(std::string(text ? text : "", static_cast<std::size_t>(sqlite3_column_bytes(stmt, c))));
          }
        }
      }
      out.push_back(std::move(row));
    }
    return out;
  }

  void run(std::string_view sql, const std::vector<SqlValue>& args = {}) { rows(sql, args); }

  std::optional<SqlValue> one(std::string_view sql, const std::vector<SqlValue>& args = {}) {
    auto result = rows(sql, args);
    if (result.empty() || result[0].empty()) return std::nullopt;
    return result[0][0];
  }

  void exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      std::string text = message ? message : "?";
      sqlite3_free(message);
      throw SqlError("SQLite: " + text);
    }
  }

  sqlite3* handle() { return db_; }

 private:
  sqlite3* db_;
};

inline bool is_null(const SqlValue& v) { return std::holds_alternative<std::nullptr_t>(v); }
inline std::int64_t as_int(const SqlValue& v) {
  if (const auto* n = std::get_if<std::int64_t>(&v)) return *n;
  if (const auto* r = std::get_if<double>(&v)) return static_cast<std::int64_t>(*r);
  return 0;
}
inline double as_real(const SqlValue& v) {
  if (const auto* r = std::get_if<double>(&v)) return *r;
  if (const auto* n = std::get_if<std::int64_t>(&v)) return static_cast<double>(*n);
  return 0.0;
}
inline std::string as_text(const SqlValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* n = std::get_if<std::int64_t>(&v)) return std::to_string(*n);
  return "";
}

}  // namespace takt::sim::model
