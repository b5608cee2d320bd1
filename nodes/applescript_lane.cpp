#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>
#include <optional>
#include <random>
#include <thread>

#include "base/json.hpp"
#include "flow/progress.hpp"
#include "flow/services.hpp"
#include "nodes/lane_script.hpp"
#include "nodes/stages.hpp"
#include "things/catalog/catalog.hpp"
#include "things/catalog/tools.hpp"
#include "things/catalog/verify.hpp"
#include "things/mirror/mirror.hpp"
#include "things/script/osascript_errors.hpp"
#include "things/script/url.hpp"

namespace takt {

std::optional<RetryReason> transient(const things::ScriptOutput& out) {
  if (!out.started || out.abandoned) return std::nullopt;
  // takt's own time-out ends the request (each try gets the time left until the deadline),
  // so this one is never tried again; it is named for the metrics' sake.
  if (out.timed_out) return RetryReason::Timeout;
  if (out.signal != 0) return RetryReason::Crashed;
  if (out.exit_code == 0) return std::nullopt;
  const auto has = [&](const char* text) { return out.err.find(text) != std::string::npos; };
  if (things::osa::not_running(out.err)) return RetryReason::NotRunning;
  // AppleEvent timed out, what Things answers under rapid events; things-sim's OVERLAP: a
  // script from outside takt was running.
  if (things::osa::mentions(out.err, things::osa::kTimedOut) || has("OVERLAP")) return RetryReason::Busy;
  return std::nullopt;
}

bool failed_as_a_whole(const things::ScriptOutput& out) {
  return !out.abandoned && (!out.started || out.timed_out || out.exit_code != 0 || out.signal != 0);
}

Millis backoff(const BackendConfig& c, unsigned retry) {
  const auto shift = std::min(retry - 1, 20u);
  const auto full = std::min<long long>(c.retry_max_delay.count(), c.retry_base_delay.count() << shift);
  thread_local std::mt19937 rng{std::random_device{}()};
  return Millis{full / 2 + std::uniform_int_distribution<long long>(0, full - full / 2)(rng)};
}

namespace {

/// The operations a write job asks for (one per id for the tools over many ids, projects
/// told from to-dos by the database).
std::vector<things::Operation> operations_of(things::ThingsDb& db, const Job& job) {
  auto ops = things::to_operations(*job.tool, *job.arguments, [&db](const std::string& id) -> std::optional<int> {
    try {
      return db.task_type(id);
    } catch (const things::DbError&) {
      return std::nullopt;  // the write then fails on its own, naming the id
    }
  });
  // A restored item goes back to the list it was in (Things' AppleScript has no "put back").
  for (auto& op : ops) {
    auto* restore = std::get_if<things::SetTrashed>(&op);
    if (!restore || restore->trashed) continue;
    try {
      if (auto state = db.task_state(restore->id)) restore->back_to = things::place_before_trash(*state, db.today());
    } catch (const things::DbError&) {
      // Unknown: it goes to Anytime.
    }
  }
  return ops;
}

double seconds_since(Clock::time_point t, Clock::time_point now) {
  return t == Clock::time_point{} ? 0.0 : std::chrono::duration<double>(now - t).count();
}

/// True when the job may be dropped unrun: cancelled while waiting, and (for a read) no
/// identical read is following it.
bool skip_cancelled(Services& s, const Job& job) {
  if (!job.cancelled.load(std::memory_order_acquire)) return false;
  return job.write || s.inflight.try_abandon(job.cache_key);
}

/// Things applies a things:/// URL in the background, a little after the script that
/// opened it: the operations whose URL part has not shown yet are read back until it does
/// or backend.url_settle passes. Returns, per operation, whether it is still not shown (it
/// is then reported as not applied yet, never as not done). Blocks the lane's thread
/// meanwhile, but holds no lock, so other takt processes' scripts can run.
std::vector<bool> settle_urls(Services& s, const std::vector<things::Operation>& ops,
                              const std::vector<things::OpResult>& rs) {
  constexpr Millis kPoll{50};
  std::vector<bool> waiting(ops.size(), false);
  const auto today = s.db.today();
  const auto not_shown = [&](std::size_t i) { return static_cast<bool>(things::verify(s.db, ops[i], rs[i].id)); };
  bool any = false;
  for (std::size_t i = 0; i < ops.size(); ++i)
    if (rs[i].ok && !things::url_part(ops[i], today).empty() && not_shown(i)) any = waiting[i] = true;
  if (!any) return waiting;
  const auto start = Clock::now(), until = start + s.config.backend.url_settle;
  while (any && Clock::now() < until) {
    std::this_thread::sleep_for(kPoll);
    any = false;
    for (std::size_t i = 0; i < ops.size(); ++i)
      if (waiting[i]) any |= waiting[i] = not_shown(i);
  }
  // Reads answered meanwhile were cached without the change: they go now it has landed.
  s.cache.invalidate();
  s.lane_metrics.url_settle.Observe(std::chrono::duration<double>(Clock::now() - start).count());
  if (any) spdlog::warn("a change sent through Things' URL scheme has not shown after {} ms", s.config.backend.url_settle.count());
  return waiting;
}

/// Where a batch's writes are confirmed once they ran: Things' database, or, when takt
/// cannot read it, takt's mirror of Things read through AppleScript after them (`view`;
/// nullptr, and `why`, when that read failed).
struct Confirmation {
  bool via_mirror = false;
  std::shared_ptr<const MirrorView> view;
  std::string why;
};

/// Answers a job from the results of its operations: a read's result as it came, a write
/// only once the database, or Things' AppleScript, confirms it (things::confirm_write).
void answer(Services& s, Job& job, const std::vector<things::Operation>& ops, const std::vector<things::OpResult>& rs,
            const Confirmation& c) {
  if (!job.write) {
    if (rs.front().ok) job.result = things::tool_result(rs.front().result);
    else job.tool_fail(things::tool_error(job.tool->name + " failed: " + rs.front().error));
    return;
  }
  const bool any_done = std::any_of(rs.begin(), rs.end(), [](const auto& r) { return r.ok; });
  if (c.via_mirror && !c.view && any_done) {
    spdlog::error("{}: cannot confirm the write through AppleScript: {}", job.tool->name, c.why);
    job.tool_fail(things::tool_error(
        job.tool->name + ": Things ran the script and reported it done, but takt cannot read the database and could "
                         "not read Things back through AppleScript to confirm it (" + c.why +
        "). Do not send it again (that could do it twice): look at the item with get_item in a little while."));
    return;
  }
  try {
    auto a = c.via_mirror ? things::confirm_write(c.view ? *c.view->db : s.db, *job.tool, ops, rs, {},
                                                  things::Sight::AppleScript)
                          : things::confirm_write(s.db, *job.tool, ops, rs, settle_urls(s, ops, rs));
    if (a.ok) {
      job.result = std::move(a.result);
    } else {
      spdlog::warn("{}: a write did not take effect", job.tool->name);
      job.tool_fail(std::move(a.result));
    }
  } catch (const things::DbError& e) {
    s.db_access.check(s.db);  // unreadable now: the next batches are confirmed through AppleScript
    spdlog::error("{}: cannot confirm the write: {}", job.tool->name, e.what());
    job.tool_fail(things::tool_error(job.tool->name + ": Things ran the script, but takt cannot read the database to "
                                     "confirm it: " + e.what()));
  }
}

/// Things itself failed every operation of a script that ran: not running, not allowed
/// to be controlled, not answering. osascript exits 0 then (each operation catches its
/// own error), but for the breaker it is the backend failing like a script that failed
/// whole. Returns the first operation's error, or nullopt.
std::optional<std::string> backend_down(const std::vector<things::OpResult>& results) {
  if (results.empty()) return std::nullopt;
  for (const auto& r : results) {
    if (r.ok || !things::osa::backend_down(r.error)) return std::nullopt;
  }
  return results.front().error;
}

/// The ids of the to-dos titled like the pending writes, or nullopt when there is nothing
/// to read them from (then no write can be shown not to have happened).
std::optional<std::vector<std::pair<std::string, std::string>>> todos_like(things::ThingsDb* db,
                                                                           const std::vector<things::Operation>& ops) {
  if (db == nullptr) return std::nullopt;
  std::vector<std::string> titles;
  for (const auto& op : ops)
    if (const auto* a = std::get_if<things::AddTodo>(&op)) titles.push_back(a->title);
  try {
    return db->todos_titled(titles);
  } catch (const things::DbError& e) {
    spdlog::warn("cannot read the database to check what a failed script did: {}", e.what());
    return std::nullopt;
  }
}

/// What the writes of a batch are looked up and checked in: Things' database, or, when
/// takt cannot read it (no Full Disk Access on a Mac), takt's mirror of Things read through
/// AppleScript. `db` is nullptr when neither is at hand (no mirror fresh enough).
struct Reader {
  things::ThingsDb* db = nullptr;
  bool via_mirror = false;
  const char* name() const { return via_mirror ? "Things' AppleScript" : "the database"; }
  things::Sight sight() const { return via_mirror ? things::Sight::AppleScript : things::Sight::Database; }
};

/// One try: the machine-wide lock, the script, and for a write script that failed as a
/// whole, the read-back that finds the writes that happened anyway (a crash after Things
/// carried them out). Results for writes found are turned into successes (their ids);
/// `proven_not_done[i]` is set for a write the database shows did not happen.
struct Try {
  things::ScriptOutput out;
  std::vector<things::OpResult> results;
  std::vector<bool> proven_not_done;
  double seconds = 0;  ///< the script's wall time
  bool no_lock = false;  ///< the deadline passed waiting for the lock: no script ran
  /// Through AppleScript: Things as it was after the script, read by the script itself or
  /// by the read-back after it failed; nullptr when neither could.
  std::shared_ptr<const MirrorView> seen;
};

/// Which writes of a failed script happened: a to-do of the write's title that was not
/// there before is its result (each new to-do answers one write); a write with none is
/// proven not done. Any other write is checked on the item it names
/// (things::verify): shown done, it succeeds; otherwise it may or may not have happened
/// (another write of the script may have changed the same item), so it is not retried.
void read_back(things::ThingsDb& db, const Reader& reader, Try& t, const std::vector<things::Operation>& ops,
               const std::vector<std::pair<std::string, std::string>>& before,
               const std::vector<std::pair<std::string, std::string>>& after) {
  std::vector<std::pair<std::string, std::string>> fresh;
  std::copy_if(after.begin(), after.end(), std::back_inserter(fresh),
               [&](const auto& p) { return std::find(before.begin(), before.end(), p) == before.end(); });
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const auto* add = std::get_if<things::AddTodo>(&ops[i]);
    if (!add) {
      const auto id = things::target_id(ops[i]);
      bool done = false;
      try {
        done = id && !things::verify(db, ops[i], *id, reader.sight());
      } catch (const things::DbError&) {
      }
      if (done) t.results[i] = things::OpResult{true, *id, {}, {}};
      else t.results[i].error += " (it may or may not have reached Things: check before trying again)";
      continue;
    }
    const auto& title = add->title;
    auto it = std::find_if(fresh.begin(), fresh.end(), [&](const auto& p) { return p.first == title; });
    if (it == fresh.end()) {
      t.proven_not_done[i] = true;
      t.results[i].error += std::string(" (not applied: ") + reader.name() + " shows no such to-do)";
    } else {
      spdlog::warn("the script failed ({}), but {} shows '{}' was created: {}", things::describe_failure(t.out),
                   reader.name(), title, it->second);
      t.results[i] = things::OpResult{true, it->second, {}, {}};
      fresh.erase(it);
    }
  }
}

Try run_once(Services& s, const std::vector<things::Operation>& ops, bool writes, Clock::time_point deadline,
             const std::function<bool()>& abandon, const Reader& reader) {
  Try t;
  std::optional<FileLock> lock;
  if (s.backend.lock) {
    const auto asked = Clock::now();
    lock = s.backend.lock->acquire(deadline);
    const double waited = std::chrono::duration<double>(Clock::now() - asked).count();
    s.lane_metrics.lock_wait.Observe(waited);
    if (!lock) {
      const auto why = "waited " + std::to_string(static_cast<int>(waited * 1000)) +
                       " ms for scripts of other takt processes (lock " + s.backend.lock->path() +
                       ") until the tool's timeout; nothing was sent to Things";
      t.results.assign(ops.size(), things::OpResult{false, {}, why, {}});
      t.proven_not_done.assign(ops.size(), true);
      t.no_lock = true;
      return t;
    }
  }
  // Before: the to-dos already titled like the writes, to tell after a failure which
  // writes happened (for a retry, and for the user).
  std::optional<std::vector<std::pair<std::string, std::string>>> before;
  if (writes) before = todos_like(reader.db, ops);

  auto cmd = s.backend.command;
  if (lock) cmd.keep_fd = lock->fd();
  const auto left = std::max(Millis{1}, std::chrono::duration_cast<Millis>(deadline - Clock::now()));
  // Without the database, writes are read back through AppleScript in their own script.
  const bool in_script_read_back = writes && reader.via_mirror;
  const auto start = Clock::now();
  {
    struct Running {  // stopped however the run ends, a throw included
      BusyClock& clock;
      explicit Running(BusyClock& c) : clock(c) { clock.start(); }
      ~Running() { clock.stop(); }
    } running(s.lane.busy);
    t.out = s.backend.run(cmd, in_script_read_back ? s.backend.dialect->render(ops, mirror_read_back()) : s.backend.dialect->render(ops),
                          left, abandon);
  }
  std::string read_back_text;
  if (in_script_read_back && !failed_as_a_whole(t.out) && !t.out.abandoned)
    std::tie(t.out.out, read_back_text) = things::split_read_back(t.out.out, ops.size());
  // Nothing a script said leaves takt with the URL scheme's auth token in it (an `open`
  // that fails prints its command line).
  t.out.out = s.backend.dialect->redact(std::move(t.out.out));
  t.out.err = s.backend.dialect->redact(std::move(t.out.err));
  const double seconds = t.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  s.lane.scripts_run.fetch_add(1);
  if (writes) {  // even a failed write may have changed something
    s.cache.invalidate();
    s.mirror.invalidate();
  }
  if (!read_back_text.empty() && read_back_text.rfind(things::kReadBackFailed, 0) != 0) {
    try {
      t.seen = keep_mirror(s, read_back_text);
    } catch (const things::MirrorError& e) {
      spdlog::error("Things' answer to takt's read-back could not be read: {}", e.what());
    }
  } else if (!read_back_text.empty()) {
    spdlog::warn("the writes' read-back through AppleScript failed: {}", things::trim_end(read_back_text));
  }
  const auto& outcome = t.out.timed_out             ? s.lane_metrics.script_timeout
                        : t.out.abandoned            ? s.lane_metrics.script_abandoned
                        : failed_as_a_whole(t.out) ? s.lane_metrics.script_failed
                                                     : s.lane_metrics.script_ok;
  outcome.Increment();
  s.lane_metrics.script_seconds.Observe(seconds);
  if (t.out.abandoned) s.lane_metrics.cancelled_running.Increment(static_cast<double>(ops.size()));
  t.results = s.backend.dialect->parse(t.out, ops.size());
  t.proven_not_done.assign(ops.size(), !writes);  // a read changes nothing: it can always run again
  if (failed_as_a_whole(t.out)) {
    s.lane.scripts_failed.fetch_add(1);
    // Still under the lock: no other takt can have written meanwhile.
    const bool settled = s.backend.writes_settle_on_exit || transient(t.out) == RetryReason::NotRunning;
    std::optional<std::vector<std::pair<std::string, std::string>>> after;
    things::ThingsDb* now = reader.db;
    if (writes && before && settled && reader.via_mirror) {  // Things as it is now, through AppleScript
      std::string why;
      double took = 0;
      t.seen = read_mirror(s, deadline, [] { return false; }, took, why, lock ? lock->fd() : -1);
      t.seconds += took;
      now = t.seen ? t.seen->db.get() : nullptr;
      if (!t.seen) spdlog::warn("cannot read Things through AppleScript to check what a failed script did: {}", why);
    }
    if (writes && before && settled) after = todos_like(now, ops);
    if (after) {
      read_back(*now, reader, t, ops, *before, *after);
    } else if (writes && t.out.started) {  // cannot tell what happened
      for (auto& r : t.results)
        r.error += " (it may or may not have reached Things: check before trying again)";
    }
  }
  return t;
}

/// Runs the operations as one script, trying again after a transient failure with
/// exponential backoff and jitter while the deadline allows (backend.retry): a read
/// always, a write only when the database shows it did not happen. Consults and feeds
/// the circuit breaker; while it is open no script starts. One result per operation, and
/// the scripts' wall time in `script_seconds`. Through AppleScript, `after` is Things as
/// read after the last script (by that script, or by the read-back after it failed), or
/// nullptr when it was not read then.
std::vector<things::OpResult> run_with_retries(Services& s, const std::vector<things::Operation>& ops, bool writes,
                                               Clock::time_point deadline, const std::function<bool()>& abandon,
                                               Reader reader, double& script_seconds,
                                               std::shared_ptr<const MirrorView>& after) {
  constexpr Millis kShortestTry{50};
  const auto& cfg = s.config.backend;
  std::vector<things::OpResult> results(ops.size());
  std::vector<std::size_t> pending(ops.size());
  for (std::size_t i = 0; i < ops.size(); ++i) pending[i] = i;
  std::shared_ptr<const MirrorView> seen;
  for (unsigned attempt = 1;; ++attempt) {
    if (!s.breaker.allow(Clock::now())) {
      const auto why = s.breaker.open_message(Clock::now());
      for (auto i : pending) results[i] = things::OpResult{false, {}, why, {}};
      return results;
    }
    std::vector<things::Operation> these;
    for (auto i : pending) these.push_back(ops[i]);
    auto t = run_once(s, these, writes, deadline, abandon, reader);
    after = t.seen;
    if (t.seen) {  // what a retry's read-back compares with
      seen = t.seen;
      reader.db = seen->db.get();
    }
    script_seconds += t.seconds;
    std::vector<std::size_t> again;
    for (std::size_t k = 0; k < pending.size(); ++k) {
      results[pending[k]] = t.results[k];
      if (!t.results[k].ok && t.proven_not_done[k]) again.push_back(pending[k]);
    }
    if (t.no_lock) return results;  // not a failure of Things: the breaker does not count it
    if (!failed_as_a_whole(t.out)) {
      if (auto why = backend_down(t.results)) s.breaker.failed(*why, Clock::now());
      else if (!t.out.abandoned) s.breaker.succeeded();
      return results;
    }
    s.breaker.failed(things::describe_failure(t.out), Clock::now());
    const auto reason = transient(t.out);
    if (!reason || again.empty() || attempt >= cfg.retry_attempts || abandon()) return results;
    if (s.breaker.snapshot(Clock::now()).state == CircuitBreaker::State::Open) return results;
    const auto pause = backoff(cfg, attempt);
    if (Clock::now() + pause + kShortestTry >= deadline) return results;
    s.lane_metrics.retries[static_cast<std::size_t>(*reason)].Increment();
    spdlog::info("script of {} operation(s) failed ({}); trying again in {} ms ({} of {})", again.size(),
                 things::describe_failure(t.out), pause.count(), attempt + 1, cfg.retry_attempts);
    std::this_thread::sleep_for(pause);
    pending = std::move(again);
  }
}

}  // namespace

std::vector<JobPtr> run_next_batch(Services& s) {
  auto batch = s.leveling.next_batch();
  if (batch.empty()) return batch;  // an earlier batch already took this ticket's job
  const auto now = Clock::now();
  std::vector<Job*> run;
  for (auto& job : batch) {
    s.edges.enter(*job, Stage::AppleScript);
    s.lane_metrics.depth_applescript.Decrement();
    if (!job->progress_token.empty()) s.lane.progress_waiting.fetch_sub(1);
    s.lane_metrics.wait[2][static_cast<int>(job->cost)].Observe(seconds_since(job->queued_at, now));
    if (skip_cancelled(s, *job)) {
      s.lane_metrics.cancelled_waiting.Increment();
      s.lane_metrics.script_skipped.Increment();
      continue;  // cancelled while waiting: never runs
    }
    job->started_at = now;
    run.push_back(job.get());
  }
  if (run.empty()) return batch;
  // Reads through AppleScript are answered from takt's mirror of Things, after the batch's
  // writes (which drop the mirror, so the reads see them).
  std::vector<Job*> reads;
  std::erase_if(run, [&](Job* job) {
    if (job->write) return false;
    reads.push_back(job);
    return true;
  });
  const auto read_after = [&] {
    if (reads.empty()) return;
    Millis timeout{0};
    for (auto* job : reads)
      timeout = std::max(timeout, job->tool ? s.timeout_of(*job->tool) : s.config.backend.script_timeout);
    for (auto* job : reads) send_progress(*job, job->progress_sent + 1, std::nullopt, "reading Things");
    double seconds = 0;
    answer_reads(s, reads, timeout, seconds);
    for (auto* job : reads) {
      if (job->tool) s.record_service(*job->tool, seconds * 1000.0 / static_cast<double>(reads.size()));
      s.lane_metrics.service[2][static_cast<int>(job->cost)].Observe(seconds);
    }
  };
  if (run.empty()) {
    read_after();
    return batch;
  }

  // Where the writes are looked up and confirmed: Things' database, or, when takt cannot
  // read it, Things through AppleScript (the mirror at hand for the look-ups, and the
  // write script itself reading the mirror again after its operations to confirm them).
  // The last look saying readable is trusted without I/O (a lease here could wait behind
  // long reads); unreadable is looked at again (Full Disk Access may have been given).
  Reader reader{&s.db, false};
  std::shared_ptr<const MirrorView> before;
  if (!s.db_access.readable() && !s.db_access.check(s.db)) {
    before = s.mirror.fresh(Clock::now(), s.config.tools.mirror_max_age);
    reader = Reader{before ? before->db.get() : nullptr, true};
  }
  std::vector<things::Operation> ops;
  std::vector<std::size_t> first_op;  // where each job's operations begin in `ops`
  Millis timeout{0};
  bool writes = false;
  for (auto* job : run) {
    first_op.push_back(ops.size());
    auto job_ops = operations_of(reader.db ? *reader.db : s.db, *job);
    ops.insert(ops.end(), std::make_move_iterator(job_ops.begin()), std::make_move_iterator(job_ops.end()));
    timeout = std::max(timeout, s.timeout_of(*job->tool));
    writes |= job->write;
    send_progress(*job, job->progress_sent + 1, std::nullopt, "running in Things");
  }
  if (run.size() > 1) s.lane_metrics.batched.Increment(static_cast<double>(run.size()));
  s.lane_metrics.batch_size.Observe(static_cast<double>(run.size()));
  // A running read is abandoned once every request waiting for it is cancelled; a batch
  // holding a write always runs to its end (no half-applied writes).
  const auto abandon = [&] {
    return !writes && std::all_of(run.begin(), run.end(), [](const Job* j) { return j->cancelled.load(); });
  };

  // The deadline of every try, lock waits and backoffs included: the batch's timeout.
  double seconds = 0;
  std::shared_ptr<const MirrorView> after;  // Things as read after the writes, through AppleScript
  std::vector<things::OpResult> results;
  try {
    results = run_with_retries(s, ops, writes, Clock::now() + timeout, abandon, reader, seconds, after);
  } catch (const std::exception& e) {
    // Say so to every job taken off the queue (the lock file's directory removed under a
    // running takt, a database that cannot be read back...): none may go unanswered.
    spdlog::error("AppleScript lane: {}", e.what());
    const std::string why = std::string("the AppleScript lane failed: ") + e.what() +
                            (writes ? "; the change may or may not have reached Things" : "");
    results.assign(ops.size(), things::OpResult{false, {}, why, {}});
  }
  Confirmation confirmation{reader.via_mirror, nullptr, {}};
  // Read back by the writes' own script; read again on its own only when that failed.
  confirmation.view = after;
  if (!after && reader.via_mirror && std::any_of(results.begin(), results.end(), [](const auto& r) { return r.ok; })) {
    try {
      confirmation.view = read_mirror(s, Clock::now() + timeout, [] { return false; }, seconds, confirmation.why);
    } catch (const std::exception& e) {
      confirmation.why = std::string("the AppleScript lane failed: ") + e.what();
      spdlog::error("{}", confirmation.why);
    }
  }
  bool failed = false;
  first_op.push_back(ops.size());
  for (std::size_t i = 0; i < run.size(); ++i) {
    auto& job = *run[i];
    s.record_service(*job.tool, seconds * 1000.0 / static_cast<double>(run.size()));
    s.lane_metrics.service[2][static_cast<int>(job.cost)].Observe(seconds);
    const auto from = static_cast<std::ptrdiff_t>(first_op[i]), to = static_cast<std::ptrdiff_t>(first_op[i + 1]);
    const std::vector<things::Operation> job_ops(ops.begin() + from, ops.begin() + to);
    const std::vector<things::OpResult> job_results(results.begin() + from, results.begin() + to);
    answer(s, job, job_ops, job_results, confirmation);
    failed |= std::any_of(job_results.begin(), job_results.end(), [](const auto& r) { return !r.ok; });
  }
  if (failed)
    spdlog::warn("script of {} operation(s) failed after {:.0f} ms: {}", run.size(), seconds * 1000,
                 results.front().ok ? "some operations failed" : results.front().error);
  read_after();
  // Jobs still waiting hear where they stand now (only those that asked for progress).
  if (s.lane.progress_waiting.load(std::memory_order_relaxed) > 0) {
    s.leveling.for_each_in_order([](const JobPtr& job, std::size_t ahead) {
      if (!job->progress_token.empty())
        send_progress(*job, job->progress_sent + 1, std::nullopt, std::to_string(ahead) + " ahead in the queue for Things");
    });
  }
  return batch;
}

}  // namespace takt
