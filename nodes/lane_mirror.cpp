// The AppleScript lane's reads through takt's mirror of Things (things/mirror): the one
// script that reads it, the mirror kept for the reads that follow, the read-back that
// follows a batch's writes in their own script, and the reads answered from it.

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "flow/services.hpp"
#include "nodes/lane_script.hpp"
#include "nodes/stages.hpp"
#include "things/catalog/tools.hpp"
#include "things/mirror/mirror.hpp"

namespace takt {

std::shared_ptr<const MirrorView> keep_mirror(Services& s, std::string_view text) {
  auto view = std::make_shared<const MirrorView>(things::Mirror::load(text), [&s] { return s.db.today(); }, Clock::now());
  s.mirror.put(view);
  return view;
}

things::ReadBack mirror_read_back() {
  const auto& parts = things::mirror_script_parts();
  return {parts.handlers, parts.body, parts.result};
}

std::shared_ptr<const MirrorView> read_mirror(Services& s, Clock::time_point deadline,
                                              const std::function<bool()>& abandon, double& seconds, std::string& why,
                                              int held_fd) {
  const auto& cfg = s.config.backend;
  for (unsigned attempt = 1;; ++attempt) {
    if (!s.breaker.allow(Clock::now())) {
      why = s.breaker.open_message(Clock::now());
      return nullptr;
    }
    std::optional<FileLock> lock;
    if (s.backend.lock && held_fd < 0) {
      const auto asked = Clock::now();
      lock = s.backend.lock->acquire(deadline);
      s.lane_metrics.lock_wait.Observe(std::chrono::duration<double>(Clock::now() - asked).count());
      if (!lock) {
        why = "waited for scripts of other takt processes (lock " + s.backend.lock->path() + ") until the tool's timeout";
        return nullptr;
      }
    }
    auto cmd = s.backend.command;
    if (lock) cmd.keep_fd = lock->fd();
    else cmd.keep_fd = held_fd;
    const auto left = std::max(Millis{1}, std::chrono::duration_cast<Millis>(deadline - Clock::now()));
    const auto start = Clock::now();
    things::ScriptOutput out;
    {
      BusyClock& clock = s.lane.busy;
      clock.start();
      try {
        out = s.backend.run(cmd, things::mirror_script(), left, abandon);
      } catch (...) {
        clock.stop();
        throw;
      }
      clock.stop();
    }
    lock.reset();
    const double took = std::chrono::duration<double>(Clock::now() - start).count();
    seconds += took;
    s.lane.scripts_run.fetch_add(1);
    s.lane_metrics.script_seconds.Observe(took);
    (out.timed_out ? s.lane_metrics.script_timeout
     : out.abandoned ? s.lane_metrics.script_abandoned
     : failed_as_a_whole(out) ? s.lane_metrics.script_failed
                              : s.lane_metrics.script_ok)
        .Increment();
    if (!failed_as_a_whole(out) && !out.abandoned) {
      try {
        auto view = keep_mirror(s, out.out);
        s.breaker.succeeded();
        spdlog::debug("read takt's mirror of Things: {} items in {:.0f} ms", view->mirror.tasks(), took * 1000);
        return view;
      } catch (const things::MirrorError& e) {
        // Things answered, but not what takt asked: text another program printed, or a
        // change of Things' AppleScript. Not the backend failing.
        why = std::string("Things' answer to takt's read could not be read: ") + e.what();
        spdlog::error("{}", why);
        return nullptr;
      }
    }
    if (out.abandoned) {
      why = "cancelled while it ran";
      return nullptr;
    }
    why = things::describe_failure(out);
    s.breaker.failed(why, Clock::now());
    const auto reason = transient(out);
    if (!reason || held_fd >= 0 || attempt >= cfg.retry_attempts || abandon()) return nullptr;
    const auto pause = backoff(cfg, attempt);
    if (Clock::now() + pause + Millis{50} >= deadline) return nullptr;
    s.lane_metrics.retries[static_cast<std::size_t>(*reason)].Increment();
    spdlog::info("reading takt's mirror of Things failed ({}); trying again in {} ms ({} of {})", why, pause.count(),
                 attempt + 1, cfg.retry_attempts);
    std::this_thread::sleep_for(pause);
  }
}

namespace {
/// What a read through AppleScript tells the client beside its answer.
const char* mirror_note(const Services& s) {
  return s.config.tools.reads_via == ReadsVia::AppleScript
             ? "Read through Things' AppleScript (tools.reads_via: applescript), not its database: headings, "
               "checklists, reminder times, This Evening and repeat rules are not shown."
             : "Read through Things' AppleScript, as takt cannot read Things' database (health_check says why): "
               "headings, checklists, reminder times, This Evening and repeat rules are not shown.";
}
}  // namespace

void answer_reads(Services& s, const std::vector<Job*>& reads, Millis timeout, double& seconds) {
  const auto abandon = [&] {
    return std::all_of(reads.begin(), reads.end(), [](const Job* j) { return j->cancelled.load(); });
  };
  if (s.config.tools.reads_via == ReadsVia::Auto && s.db_access.check(s.db)) {
    // takt can read the database again (Full Disk Access given): from it, as usual.
    for (auto* job : reads) {
      if (job->protocol_read) {
        run_protocol_read(*job, s.db);
        continue;
      }
      try {
        job->result = things::tool_result(things::run_read(*job->tool, *job->arguments, s.db));
      } catch (const things::DbError& e) {
        job->tool_fail(things::tool_error(e.what()));
      }
    }
    return;
  }
  auto view = s.mirror.fresh(Clock::now(), s.config.tools.mirror_max_age);
  std::string why;
  if (!view) {
    try {
      view = read_mirror(s, Clock::now() + timeout, abandon, seconds, why);
    } catch (const std::exception& e) {
      why = std::string("the AppleScript lane failed: ") + e.what();
      spdlog::error("{}", why);
    }
    if (!view && abandon()) s.lane_metrics.cancelled_running.Increment(static_cast<double>(reads.size()));
  }
  for (auto* job : reads) {
    if (!view && job->protocol_read) {
      job->fail(mcp::kInternalError, "Internal error: reading Things through AppleScript failed: " + why);
      continue;
    }
    if (!view) {
      job->tool_fail(things::tool_error(job->tool->name + " failed: " + why));
      continue;
    }
    if (job->protocol_read) {  // resources/read, prompts/get: from the mirror, as a read tool
      run_protocol_read(*job, *view->db);
      continue;
    }
    try {
      job->result = things::tool_result(things::run_read(*job->tool, *job->arguments, *view->db), mirror_note(s));
    } catch (const things::NotFound& e) {
      job->tool_fail(things::tool_error(e.what()));
    } catch (const std::exception& e) {
      job->tool_fail(things::tool_error(job->tool->name + " failed: " + e.what()));
    }
  }
}

}  // namespace takt
