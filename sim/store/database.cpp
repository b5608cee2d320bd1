#include "database.hpp"

namespace takt::sim {

namespace {

constexpr int busy_timeout_ms = 10'000;

std::string describe(sqlite3* db, int rc, std::string_view what) {
  std::string message(what);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return message;
}

}  // namespace

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  const int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr);
  if (rc != SQLITE_OK) {
    throw SqliteError(describe(db_, rc, "cannot prepare SQL"));
  }
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Statement(Statement&& other) noexcept : db_(other.db_), stmt_(other.stmt_) {
  other.stmt_ = nullptr;
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

void Statement::check(int rc, const char* what) const {
  if (rc != SQLITE_OK) throw SqliteError(describe(db_, rc, what));
}

void Statement::bind_null(int index) { check(sqlite3_bind_null(stmt_, index), "cannot bind NULL"); }

void Statement::bind_int64(int index, std::int64_t value) {
  check(sqlite3_bind_int64(stmt_, index, value), "cannot bind integer");
}

void Statement::bind_double(int index, double value) {
  check(sqlite3_bind_double(stmt_, index, value), "cannot bind real");
}

void Statement::bind_text(int index, std::string_view value) {
  check(sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8),
        "cannot bind text");
}

void Statement::bind_blob(int index, std::string_view bytes) {
  check(sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT),
        "cannot bind blob");
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  throw SqliteError(describe(db_, rc, "SQL statement failed"));
}

void Statement::run() {
  while (step()) {
  }
}

bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::int64_t Statement::int64(int column) const { return sqlite3_column_int64(stmt_, column); }

double Statement::real(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Statement::text(int column) const {
  const auto* bytes = sqlite3_column_text(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (bytes == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(size));
}

Database::Database(const std::string& path, OpenMode mode) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (mode == OpenMode::create) flags |= SQLITE_OPEN_CREATE;
  const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = describe(db_, rc, "cannot open database " + path);
    sqlite3_close(db_);
    db_ = nullptr;
    throw SqliteError(message);
  }
  sqlite3_busy_timeout(db_, busy_timeout_ms);
  sqlite3_extended_result_codes(db_, 1);
}

Database::~Database() { sqlite3_close(db_); }

void Database::exec(const char* sql) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = "SQL failed: ";
    message += error != nullptr ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    throw SqliteError(message);
  }
}

Statement Database::prepare(std::string_view sql) { return Statement(db_, sql); }

Transaction::Transaction(Database& db, Kind kind) : db_(db) {
  db_.exec(kind == Kind::write ? "BEGIN IMMEDIATE" : "BEGIN");
}

Transaction::~Transaction() {
  if (open_) sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
  db_.exec("COMMIT");
  open_ = false;
}

Savepoint::Savepoint(Database& db) : db_(db) { db_.exec("SAVEPOINT takt_sim_op"); }

Savepoint::~Savepoint() {
  if (open_) {
    sqlite3_exec(db_.handle(), "ROLLBACK TO takt_sim_op; RELEASE takt_sim_op", nullptr, nullptr,
                 nullptr);
  }
}

void Savepoint::release() {
  db_.exec("RELEASE takt_sim_op");
  open_ = false;
}

}  // namespace takt::sim
