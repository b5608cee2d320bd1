// Creating the database: Things 3's schema, WAL, Meta, TMSettings, TaktSim, demo data.
//
// A new database is built under a temporary name and renamed into place, under a
// blocking lock on PATH.sim-init-lock, so concurrent things-sim processes (several first
// calls at once, or --init racing a script) never see a half-made database: PATH either
// does not exist or is complete.
#include "init.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "lock.hpp"
#include "sim.hpp"
#include "takt_sim_schema.hpp"
#include "tasks.hpp"

namespace takt::sim {

namespace {

constexpr const char* counter_keys[] = {"calls", "overlaps", "failures"};

bool file_exists(const std::string& path) {
  struct stat info{};
  return ::stat(path.c_str(), &info) == 0;
}

void remove_if_present(const std::string& path) {
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    throw std::runtime_error("cannot remove " + path + ": " + std::strerror(errno));
  }
}

// SQLite's side files of a database path.
void remove_side_files(const std::string& path) {
  for (const char* suffix : {"-wal", "-shm", "-journal"}) remove_if_present(path + suffix);
}

void write_meta(Database& db) {
  db.run("INSERT INTO Meta (key, value) VALUES ('databaseVersion', ?1)", plist_document("<integer>24</integer>"));
  db.run("INSERT INTO Meta (key, value) VALUES ('didCreateDefaultTags', ?1)", plist_document("<true/>"));
  db.run("INSERT INTO Meta (key, value) VALUES ('didRemoveOrphanHeadings', ?1)", plist_document("<true/>"));
  db.run("INSERT INTO ThingsTouch_ExtensionCommandStore_Meta (key, value) VALUES ('databaseVersion', ?1)",
         Blob{"1"});
}

// The URL scheme's auth token lives here; takt reads it for `things:///update`. Things'
// one settings row always has this uuid (a real database has it, and things.py reads the
// token by it).
constexpr const char* settings_uuid = "RhAzEf6qDxCD5PmnZVtBZR";

void write_settings(Database& db, double now) {
  db.run(R"sql(INSERT INTO TMSettings (uuid, logInterval, manualLogDate, groupTodayByParent,
                 uriSchemeAuthenticationToken, experimental)
               VALUES (?1, 4, ?2, 0, ?3, NULL))sql",
         settings_uuid, now, random_uuid());
}

void build_database(const std::string& path) {
  const Clock clock{local_today(), unix_now()};
  Database db(path, Database::OpenMode::create);
  db.exec("PRAGMA journal_mode=WAL");
  Transaction transaction(db);
  db.exec(generated::schema_sql);
  write_meta(db);
  write_settings(db, clock.now);
  ensure_bookkeeping(db);
  seed_demo_data(db, clock);
  transaction.commit();
}  // closing the last connection checkpoints the WAL into the file and removes it

}  // namespace

std::string plist_document(const std::string& value_xml) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
         "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
         "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n"
         "<plist version=\"1.0\">\n" +
         value_xml + "\n</plist>\n";
}

void ensure_bookkeeping(Database& db) {
  const bool present =
      db.query_int64("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'TaktSim'").has_value();
  if (!present) db.exec("CREATE TABLE IF NOT EXISTS TaktSim(key TEXT PRIMARY KEY, value INTEGER)");
  for (const char* key : counter_keys) {
    if (!db.query_int64("SELECT 1 FROM TaktSim WHERE key = ?1", key)) {
      db.run("INSERT OR IGNORE INTO TaktSim (key, value) VALUES (?1, 0)", key);
    }
  }
}

void bump_counter(Database& db, const char* key) {
  db.run("INSERT INTO TaktSim (key, value) VALUES (?1, 1) ON CONFLICT(key) DO UPDATE SET value = value + 1", key);
}

void set_flag(Database& db, const char* key) {
  db.run("INSERT INTO TaktSim (key, value) VALUES (?1, 1) ON CONFLICT(key) DO UPDATE SET value = 1", key);
}

bool take_flag(Database& db, const char* key) {
  if (db.query_int64("SELECT value FROM TaktSim WHERE key = ?1", key).value_or(0) == 0) return false;
  db.run("UPDATE TaktSim SET value = 0 WHERE key = ?1", key);
  return true;
}

bool ensure_database(const std::string& path) {
  if (file_exists(path)) return false;
  FileLock init_lock = FileLock::lock(path + ".sim-init-lock");
  if (file_exists(path)) return false;  // another process made it while we waited
  // Side files left by a deleted database would be replayed into the new one.
  remove_side_files(path);
  const std::string temporary = path + ".sim-init-tmp";
  remove_if_present(temporary);
  remove_side_files(temporary);
  try {
    build_database(temporary);
    remove_side_files(temporary);
    if (std::rename(temporary.c_str(), path.c_str()) != 0) {
      throw std::runtime_error("cannot move the new database to " + path + ": " + std::strerror(errno));
    }
  } catch (...) {
    ::unlink(temporary.c_str());
    throw;
  }
  return true;
}

Stats read_stats(const std::string& path) {
  Stats stats;
  if (!file_exists(path)) return stats;
  Database db(path, Database::OpenMode::existing);
  const bool present =
      db.query_int64("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'TaktSim'").has_value();
  if (!present) return stats;
  auto counter = [&db](const char* key) {
    return db.query_int64("SELECT value FROM TaktSim WHERE key = ?1", key).value_or(0);
  };
  stats.calls = counter("calls");
  stats.overlaps = counter("overlaps");
  stats.failures = counter("failures");
  if (db.query_int64("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'TaktSimShown'").has_value()) {
    for (std::int64_t n = 1;; ++n) {
      auto what = db.query_text("SELECT class || ' ' || id FROM TaktSimShown WHERE n = ?1", n);
      if (!what) break;
      stats.shown.push_back(*what);
    }
  }
  return stats;
}

namespace {
std::string shown_json(const std::vector<std::string>& shown) {
  std::string s = "[";
  for (const auto& what : shown) {
    if (s.size() > 1) s += ",";
    s += "\"";
    for (char c : what) {
      if (c == '"' || c == '\\') s += '\\';
      if (static_cast<unsigned char>(c) >= 0x20) s += c;
    }
    s += "\"";
  }
  return s + "]";
}
}  // namespace

std::string stats_json(const Stats& stats) {
  return "{\"calls\":" + std::to_string(stats.calls) + ",\"overlaps\":" + std::to_string(stats.overlaps) +
         ",\"failures\":" + std::to_string(stats.failures) +
         (stats.shown.empty() ? "" : ",\"shown\":" + shown_json(stats.shown)) + "}\n";
}

}  // namespace takt::sim
