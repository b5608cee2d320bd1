// takt-read-scale: what every read tool costs on a heavy Things database (bench/README.md).
//
//   takt-read-scale [--runs N] [--only TOOL] DB [DB...]
//
// For each database (made by `things-sim --generate N`), runs every read tool of the
// catalogue in this process through things::run_read, the code takt serves reads with,
// uncached (takt's response cache sits in front of it and is not involved), one call at a
// time, on a pool of two connections as takt opens them: first the default page (100
// items), then 1000 a page. Prints p50 and p99 in milliseconds, one line per tool and
// page size, and when given several databases the growth of p50 from the first to the last.
// stdout carries the table; nothing else is printed there.
#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include <sqlite3.h>

#include "things/catalog/catalog.hpp"
#include "things/db/db.hpp"
#include "things/catalog/tools.hpp"

namespace {

using namespace takt::things;

struct Call {
  Call(std::string t, std::string a, bool p = true, std::string l = "")
      : tool(std::move(t)), args(std::move(a)), paged(p), label(std::move(l)) {}
  std::string tool;
  std::string args;   // without paging
  bool paged = true;  // takes limit
  std::string label;  // how the table names the call (ids left out); "" for the arguments
};

/// One text value of the first row of `sql` on the database, or "".
std::string first(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  std::string out;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
      out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
  }
  sqlite3_close(db);
  return out;
}

std::vector<Call> calls_for(const std::string& path) {
  const std::string project = first(path, R"(SELECT p.uuid FROM TMTask p WHERE p.type = 1 AND p.status = 0
      AND p.trashed = 0 AND EXISTS (SELECT 1 FROM TMTask h WHERE h.project = p.uuid AND h.type = 2) LIMIT 1)");
  const std::string area = first(path, R"(SELECT uuid FROM TMArea ORDER BY "index" LIMIT 1)");
  // P: an open project with headings; A: the first area.
  return {
      {"get_inbox", "{}"},
      {"get_today", "{}"},
      {"get_upcoming", "{}"},
      {"get_anytime", "{}"},
      {"get_someday", "{}"},
      {"get_logbook", "{}"},
      {"get_logbook", R"({"period":"1m"})"},
      {"get_trash", "{}"},
      {"get_projects", "{}"},
      {"get_areas", "{}"},
      {"get_tags", "{}"},
      {"get_headings", R"({"project":")" + project + "\"}", true, R"(get_headings {"project":P})"},
      {"get_todos", "{}"},
      {"get_todos", R"({"area":")" + area + "\"}", true, R"(get_todos {"area":A})"},
      {"get_todos", R"({"tag":"Errand"})"},
      {"get_item", R"({"id":")" + project + "\"}", false, R"(get_item {"id":P})"},
      {"search", R"({"query":"invoice"})"},
      {"search_advanced", R"({"status":"completed","type":"to-do"})"},
      {"search_advanced", R"({"query":"report","tag":"Work"})"},
      {"get_recent", "{}"},
      {"get_due", "{}"},
      {"get_summary", "{}", false},
      {"get_repeating", "{}"},
  };
}

std::string with_limit(const std::string& args, int limit) {
  if (limit == 0) return args;
  const std::string l = "\"limit\":" + std::to_string(limit);
  return args == "{}" ? "{" + l + "}" : args.substr(0, args.size() - 1) + "," + l + "}";
}

struct Figures {
  double p50 = 0, p99 = 0;
};

Figures measure(ThingsDb& db, const ToolSpec& tool, const std::string& args, int runs) {
  rapidjson::Document a;
  a.Parse(args.c_str());
  if (a.HasParseError()) {
    std::fprintf(stderr, "takt-read-scale: bad arguments %s\n", args.c_str());
    std::exit(1);
  }
  std::vector<double> ms;
  std::size_t bytes = 0;
  for (int i = 0; i < runs + 2; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::string out = run_read(tool, a, db);
    const auto t1 = std::chrono::steady_clock::now();
    bytes += out.size();
    if (i >= 2) ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());  // 2 warm-ups
  }
  std::sort(ms.begin(), ms.end());
  auto at = [&](double q) { return ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * ms.size()))]; };
  if (bytes == 0) std::fprintf(stderr, "takt-read-scale: %s answered nothing\n", tool.name.c_str());
  return {at(0.5), at(0.99)};
}

int usage() {
  std::fprintf(stderr, "usage: takt-read-scale [--runs N] [--only TOOL] DB [DB...]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 30;
  std::string only;
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--runs" && i + 1 < argc) {
      runs = std::max(1, std::atoi(argv[++i]));
    } else if (a == "--only" && i + 1 < argc) {
      only = argv[++i];
    } else if (!a.empty() && a[0] == '-') {
      return usage();
    } else {
      paths.push_back(a);
    }
  }
  if (paths.empty()) return usage();
  // (tool + args + limit) -> p50 per database
  std::map<std::string, std::vector<double>> growth;
  std::vector<std::string> order;
  std::printf("%-10s %-60s %6s %9s %9s\n", "database", "call", "limit", "p50_ms", "p99_ms");
  for (const auto& path : paths) {
    const std::string items = first(path, "SELECT count(*) FROM TMTask");
    // The first list read of a connection builds takt's index of the tasks, as the first
    // read after each change of the database does (things/db/task_index.hpp): a fresh pool
    // each time, so this is also the cost of opening a connection.
    if (only.empty()) {
      rapidjson::Document none;
      none.Parse("{}");
      std::vector<double> build;
      for (int i = 0; i < std::max(3, runs / 3); ++i) {
        ThingsDb fresh(path, 1, &local_today);
        const auto t0 = std::chrono::steady_clock::now();
        run_read(*find_tool("get_inbox"), none, fresh);
        build.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
      }
      std::sort(build.begin(), build.end());
      std::printf("%-10s %-60s %6s %9.2f %9.2f\n", items.c_str(), "get_inbox {} on a new connection (builds the index)",
                  "100", build[build.size() / 2], build.back());
    }
    ThingsDb db(path, 2, &local_today);
    for (const auto& c : calls_for(path)) {
      if (!only.empty() && c.tool != only) continue;
      const ToolSpec* tool = find_tool(c.tool);
      if (tool == nullptr) return usage();
      for (int limit : {0, 1000}) {
        if (limit != 0 && !c.paged) continue;
        const std::string args = with_limit(c.args, limit);
        const Figures f = measure(db, *tool, args, runs);
        const std::string key = c.label.empty() ? c.tool + " " + c.args : c.label;
        const std::string row = key + "|" + std::to_string(limit);
        if (!growth.count(row)) order.push_back(row);
        growth[row].push_back(f.p50);
        std::printf("%-10s %-60s %6s %9.2f %9.2f\n", items.c_str(), key.c_str(),
                    limit == 0 ? "100" : "1000", f.p50, f.p99);
        std::fflush(stdout);
      }
    }
  }
  if (paths.size() > 1) {
    std::printf("\ngrowth of p50, %s over %s items\n", first(paths.back(), "SELECT count(*) FROM TMTask").c_str(),
                first(paths.front(), "SELECT count(*) FROM TMTask").c_str());
    for (const auto& row : order) {
      const auto& v = growth[row];
      const auto bar = row.find('|');
      std::printf("%-60s %6s %8.1fx\n", row.substr(0, bar).c_str(), row.substr(bar + 1) == "0" ? "100" : "1000",
                  v.back() / std::max(v.front(), 1e-3));
    }
  }
  return 0;
}
