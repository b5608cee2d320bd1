// takt-script-cost: what running takt's AppleScript costs things-sim itself, next to the
// latency it models for Things. For a batch of N operations (add_todo with notes, tags and
// a deadline; an update; a completion, in turn), rendered exactly as takt renders them for
// a Mac (things::AppleScriptDialect), it runs things-sim with no modelled latency on a
// fresh database and prints the wall time and the CPU time of the things-sim process
// (parse, evaluation, SQLite), median of R runs, and what the latency model adds
// (backend.sim_latency 200-800 ms a call plus sim_per_op 20-60 ms an operation).
//
//   takt-script-cost THINGS_SIM [N=250] [RUNS=5]

#include <sys/resource.h>
#include <sys/time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "things/db/db.hpp"
#include "things/os/runner.hpp"
#include "things/script/applescript.hpp"

namespace {

using namespace takt;

double child_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_CHILDREN, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: takt-script-cost THINGS_SIM [N=250] [RUNS=5]\n");
    return 2;
  }
  const std::string sim = argv[1];
  const int n = argc > 2 ? std::stoi(argv[2]) : 250;
  const int runs = argc > 3 ? std::stoi(argv[3]) : 5;
  const auto dir = std::filesystem::temp_directory_path() / ("takt-script-cost-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto db = (dir / "things.sqlite").string();
  if (things::run_script({sim, {"--db", db, "--init"}}, "", Millis{30000}).exit_code != 0) {
    std::fprintf(stderr, "takt-script-cost: cannot create %s\n", db.c_str());
    return 1;
  }
  things::ThingsDb reader(db, 1, &things::local_today);
  const things::AppleScriptDialect dialect(&things::local_today, [&] { return reader.auth_token(); });
  const things::ScriptCommand cmd{sim, {"--db", db, "--latency-ms", "0", "--per-op-ms", "0", "-"}};

  std::vector<double> wall, cpu;
  std::size_t script_bytes = 0;
  for (int r = 0; r < runs; ++r) {
    // Updates and completions act on to-dos the previous run made.
    std::vector<std::string> made;
    if (r > 0) {
      for (const auto& [title, id] : reader.todos_titled({"cost 0", "cost 3", "cost 6", "cost 9"})) made.push_back(id);
    }
    std::vector<things::Operation> ops;
    for (int i = 0; i < n; ++i) {
      if (i % 3 == 1 && !made.empty()) {
        things::UpdateTodo u;
        u.id = made[static_cast<std::size_t>(i) % made.size()];
        u.append_notes = "more " + std::to_string(i);
        u.add_tags = {"Errand"};
        ops.emplace_back(u);
      } else if (i % 3 == 2 && !made.empty()) {
        ops.emplace_back(things::SetStatus{made[static_cast<std::size_t>(i) % made.size()], things::Status::Open,
                                           things::ItemKind::Todo});
      } else {
        things::AddTodo a;
        a.title = "cost " + std::to_string(i);
        a.notes = "notes with \"quotes\" and\na second line";
        a.tags = {"Home", "Errand"};
        a.deadline = "2031-05-0" + std::to_string(1 + i % 9);
        ops.emplace_back(a);
      }
    }
    const auto script = dialect.render(ops);
    script_bytes = script.size();
    const double cpu_before = child_cpu_seconds();
    const auto start = std::chrono::steady_clock::now();
    const auto out = things::run_script(cmd, script, Millis{120000});
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto results = dialect.parse(out, ops.size());
    const auto failed = std::count_if(results.begin(), results.end(), [](const auto& x) { return !x.ok; });
    if (out.exit_code != 0 || failed > 0) {
      std::fprintf(stderr, "takt-script-cost: run %d: exit %d, %ld of %zu operations failed: %s\n", r, out.exit_code,
                   static_cast<long>(failed), ops.size(), failed ? results[0].error.c_str() : out.err.c_str());
      return 1;
    }
    wall.push_back(seconds * 1000);
    cpu.push_back((child_cpu_seconds() - cpu_before) * 1000);
  }
  std::filesystem::remove_all(dir);
  const double model_min = 200 + 20.0 * n, model_max = 800 + 60.0 * n;
  std::printf("one script of %d operations (%zu bytes of AppleScript), things-sim with no modelled latency, "
              "median of %d runs:\n",
              n, script_bytes, runs);
  std::printf("  wall %.1f ms, things-sim CPU %.1f ms (%.3f ms an operation)\n", median(wall), median(cpu),
              median(cpu) / n);
  std::printf("  the latency model adds %.0f-%.0f ms for this script: the interpreter is %.1f%%-%.1f%% of it\n",
              model_min, model_max, 100 * median(cpu) / model_max, 100 * median(cpu) / model_min);
  return 0;
}
