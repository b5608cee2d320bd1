// The harness of the things-sim tests: running the real binary (THINGS_SIM_PATH) in a
// fresh temporary directory per test, reading the SQLite database it writes, and the list
// semantics of the shared things3.md notes.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace takt::sim_test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// ---------------------------------------------------------------------------------------
// Running things-sim

struct Outcome {
  int exit_code = -1;  // 128 + signal when killed by a signal
  std::string out;
  std::string err;
  std::chrono::milliseconds elapsed{0};
};

inline std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The parent's environment without THINGS_SIM_* (so a developer's settings cannot leak
// into the tests), plus the given NAME=VALUE entries.
inline std::vector<std::string> child_environment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (std::string_view(*entry).rfind("THINGS_SIM_", 0) != 0) env.emplace_back(*entry);
  }
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

inline std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

// One things-sim process: stdin from a file, stdout and stderr to files.
class SimProcess {
 public:
  SimProcess(const fs::path& dir, std::vector<std::string> args, const std::string& input,
             const std::vector<std::string>& env_extra) {
    static std::atomic<int> counter{0};
    const std::string tag = std::to_string(counter++);
    const fs::path in_path = dir / ("stdin-" + tag);
    out_path_ = dir / ("stdout-" + tag);
    err_path_ = dir / ("stderr-" + tag);
    std::ofstream(in_path, std::ios::binary) << input;

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, in_path.c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, out_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, err_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    args.insert(args.begin(), THINGS_SIM_PATH);
    std::vector<std::string> env = child_environment(env_extra);
    auto argv = c_strings(args);
    auto envp = c_strings(env);
    start_ = SteadyClock::now();
    const int rc = posix_spawn(&pid_, THINGS_SIM_PATH, &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("posix_spawn failed: " + std::to_string(rc));
  }

  bool running() {
    int status = 0;
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      status_ = status;
      reaped_ = true;
      end_ = SteadyClock::now();
    }
    return !reaped_;
  }

  void kill_now() { ::kill(pid_, SIGKILL); }

  Outcome wait() {
    if (!reaped_) {
      int status = 0;
      waitpid(pid_, &status, 0);
      status_ = status;
      reaped_ = true;
      end_ = SteadyClock::now();
    }
    Outcome outcome;
    outcome.exit_code = WIFEXITED(status_) ? WEXITSTATUS(status_) : 128 + WTERMSIG(status_);
    outcome.out = slurp(out_path_);
    outcome.err = slurp(err_path_);
    outcome.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(end_ - start_);
    return outcome;
  }

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  bool reaped_ = false;
  fs::path out_path_;
  fs::path err_path_;
  SteadyClock::time_point start_;
  SteadyClock::time_point end_;
};

// ---------------------------------------------------------------------------------------
// Reading the database

class Db {
 public:
  explicit Db(const fs::path& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      throw std::runtime_error("cannot open " + path.string());
    }
    sqlite3_busy_timeout(db_, 5000);
  }
  ~Db() { sqlite3_close(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Rows of text columns (NULL as "<null>"); parameters bound as ?1, ?2, ...
  std::vector<std::vector<std::string>> rows(const std::string& sql, const std::vector<std::string>& params = {}) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      throw std::runtime_error(std::string("bad test SQL: ") + sqlite3_errmsg(db_) + "\n" + sql);
    }
    for (std::size_t i = 0; i < params.size(); ++i) {
      sqlite3_bind_text(stmt, static_cast<int>(i + 1), params[i].c_str(), -1, SQLITE_TRANSIENT);
    }
    std::vector<std::vector<std::string>> result;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::vector<std::string> row;
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        const auto* text = sqlite3_column_text(stmt, c);
        row.emplace_back(text == nullptr ? "<null>" : reinterpret_cast<const char*>(text));
      }
      result.push_back(std::move(row));
    }
    sqlite3_finalize(stmt);
    return result;
  }

  std::string text(const std::string& sql, const std::vector<std::string>& params = {}) {
    const auto result = rows(sql, params);
    return result.empty() ? "<none>" : result[0][0];
  }

  long long integer(const std::string& sql, const std::vector<std::string>& params = {}) {
    return std::stoll(text(sql, params));
  }

 private:
  sqlite3* db_ = nullptr;
};

// ---------------------------------------------------------------------------------------
// Dates, as Things packs them: y << 16 | m << 12 | d << 7, in the local time zone.

inline std::chrono::year_month_day local_today() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return std::chrono::year_month_day{std::chrono::year{local.tm_year + 1900},
                                     std::chrono::month{static_cast<unsigned>(local.tm_mon + 1)},
                                     std::chrono::day{static_cast<unsigned>(local.tm_mday)}};
}

inline std::chrono::year_month_day today_plus(int days) {
  return std::chrono::year_month_day{std::chrono::sys_days{local_today()} + std::chrono::days{days}};
}

inline long long packed(std::chrono::year_month_day date) {
  return (static_cast<long long>(static_cast<int>(date.year())) << 16) |
         (static_cast<long long>(static_cast<unsigned>(date.month())) << 12) |
         (static_cast<long long>(static_cast<unsigned>(date.day())) << 7);
}

// ---------------------------------------------------------------------------------------
// Ids

inline bool is_things_uuid(const std::string& id) {
  if (id.size() != 22) return false;
  for (char c : id) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------
// Lists, written from things3.md

// Open, untrashed items whose project (direct or through the heading) and heading are not
// trashed, and which are not repeating templates; `t` is the item. (things.py checks only
// the project; takt hides the to-dos of a trashed heading too, things/items.cpp kVisible.)
inline const std::string list_base = R"sql(
  FROM TMTask t
  LEFT JOIN TMTask h ON h.uuid = t.heading
  LEFT JOIN TMTask p ON p.uuid = COALESCE(t.project, h.project)
  WHERE t.rt1_recurrenceRule IS NULL AND t.status = 0 AND t.trashed = 0
    AND (p.uuid IS NULL OR p.trashed = 0) AND (h.uuid IS NULL OR h.trashed = 0) AND t.type = 0 )sql";

inline std::string today_condition() {
  const std::string today = std::to_string(packed(local_today()));
  return " AND ((t.start = 1 AND t.startDate IS NOT NULL) OR (t.start = 2 AND t.startDate <= " + today +
         ") OR (t.startDate IS NULL AND t.deadline <= " + today + " AND t.deadlineSuppressionDate IS NULL))";
}

// ---------------------------------------------------------------------------------------
// Writing AppleScript

// An AppleScript string literal holding exactly `text` (\ and " escaped; line breaks and
// tabs as the escapes AppleScript reads back).
inline std::string as_literal(const std::string& text) {
  std::string literal = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') literal += '\\';
    if (c == '\n') literal += "\\n";
    else if (c == '\r') literal += "\\r";
    else if (c == '\t') literal += "\\t";
    else literal += c;
  }
  return literal + "\"";
}

// One Apple event: a new to-do at the top of the Inbox (the list by id, as in any
// language). Prints `to do id "…" of application "Things3"`.
inline std::string add_todo_script(const std::string& title) {
  return "tell application \"Things3\" to make new to do with properties {name:" + as_literal(title) +
         "} at beginning of list id \"TMInboxListSource\"";
}

// ---------------------------------------------------------------------------------------
// Fixture

class SimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "takt-sim-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    db_path_ = dir_ / "main.sqlite";
  }
  void TearDown() override { fs::remove_all(dir_); }

  SimProcess start(std::vector<std::string> args, const std::string& input = "",
                   const std::vector<std::string>& env = {}) {
    args.insert(args.begin(), {"--db", db_path_.string()});
    return SimProcess(dir_, args, input, env);
  }
  Outcome sim(std::vector<std::string> args, const std::string& input = "", const std::vector<std::string>& env = {}) {
    return start(std::move(args), input, env).wait();
  }
  // A script call with no simulated latency.
  Outcome script(const std::string& source, std::vector<std::string> args = {}) {
    args.insert(args.begin(), {"--latency-ms", "0"});
    return sim(args, source);
  }
  void init() { ASSERT_EQ(sim({"--init"}).exit_code, 0); }
  std::string stats() { return sim({"--stats"}).out; }
  Db db() { return Db(db_path_); }
  std::string uuid_of(const std::string& title) {
    return db().text("SELECT uuid FROM TMTask WHERE title = ?1", {title});
  }
  // A fingerprint of everything Things data holds, to prove "nothing changed".
  std::string fingerprint() {
    auto d = db();
    return d.text(
        "SELECT (SELECT COUNT(*) || ':' || TOTAL(userModificationDate) || ':' || TOTAL(status) || ':' || "
        "TOTAL(trashed) FROM TMTask) || '/' || (SELECT COUNT(*) FROM TMTag) || '/' || "
        "(SELECT COUNT(*) FROM TMTaskTag) || '/' || (SELECT COUNT(*) FROM TMChecklistItem)");
  }

  // Columns of one TMTask row, as text.
  std::vector<std::string> task(const std::string& uuid, const std::string& columns) {
    const auto rows = db().rows("SELECT " + columns + " FROM TMTask WHERE uuid = ?1", {uuid});
    return rows.empty() ? std::vector<std::string>{"<no row>"} : rows[0];
  }
  std::string area_uuid(const std::string& title) { return db().text("SELECT uuid FROM TMArea WHERE title = ?1", {title}); }
  // Titles of the tags of a task, sorted.
  std::vector<std::string> tags_of(const std::string& task_uuid) {
    std::vector<std::string> titles;
    for (const auto& row : db().rows("SELECT g.title FROM TMTaskTag l JOIN TMTag g ON g.uuid = l.tags "
                                     "WHERE l.tasks = ?1 ORDER BY g.title",
                                     {task_uuid})) {
      titles.push_back(row[0]);
    }
    return titles;
  }
  // Every row of every table of Things data, to prove "nothing changed" exactly.
  std::string snapshot() {
    auto d = db();
    std::string dump;
    for (const char* query : {"SELECT * FROM TMTask ORDER BY uuid", "SELECT * FROM TMTag ORDER BY uuid",
                              "SELECT * FROM TMTaskTag ORDER BY tasks, tags", "SELECT * FROM TMArea ORDER BY uuid",
                              "SELECT * FROM TMAreaTag ORDER BY areas, tags",
                              "SELECT * FROM TMChecklistItem ORDER BY uuid"}) {
      dump += query;
      dump += '\n';
      for (const auto& row : d.rows(query)) {
        for (const std::string& cell : row) dump += cell + '|';
        dump += '\n';
      }
    }
    return dump;
  }
  // The cached counts of every task agree with the rows they count (to-dos directly in a
  // project or heading, or under one of the project's headings; trashed ones excluded).
  void expect_counts_consistent() {
    auto d = db();
    EXPECT_EQ(d.integer(R"sql(
      SELECT COUNT(*) FROM TMTask t WHERE t.type = 0 AND (
        t.checklistItemsCount != (SELECT COUNT(*) FROM TMChecklistItem c WHERE c.task = t.uuid) OR
        t.openChecklistItemsCount != (SELECT COUNT(*) FROM TMChecklistItem c
                                      WHERE c.task = t.uuid AND c.status = 0)))sql"),
              0);
    const std::string leaves = R"sql(
      FROM TMTask leaf LEFT JOIN TMTask h ON h.uuid = leaf.heading
      WHERE leaf.type = 0 AND leaf.trashed = 0
        AND (leaf.project = c.uuid OR leaf.heading = c.uuid OR (h.project = c.uuid AND h.trashed = 0)))sql";
    EXPECT_EQ(d.integer("SELECT COUNT(*) FROM TMTask c WHERE c.type IN (1, 2) AND ("
                        "c.untrashedLeafActionsCount != (SELECT COUNT(*)" + leaves + ") OR "
                        "c.openUntrashedLeafActionsCount != (SELECT COUNT(*)" + leaves + " AND leaf.status = 0))"),
              0);
  }

  fs::path dir_;
  fs::path db_path_;
};

}  // namespace takt::sim_test
