#pragma once
/// The AppleScript lane's waiting room (heijunka): it decides which waiting jobs run next,
/// and which run together as one script. Thread-safe (one mutex; every call is short).
///
/// The policy, in order:
///  1. Writes go before reads, but a waiting read is passed by at most
///     `max_writes_passing_a_read` writes: once the longest-waiting read has seen that many
///     writes dispatched since it arrived, it goes next.
///  2. Within writes, and within reads, the cost classes (fast, medium, slow) are
///     interleaved by their weights with smooth weighted round-robin over the classes that
///     have work, first come first served within a class: a burst of slow scripts cannot
///     hold fast ones back, and no class starves.
///  2b. Within a class, sessions take turns (round-robin, one job each, first come first
///     served within a session), so one client cannot make another wait behind its whole
///     backlog. The bound: let S be the most sessions with jobs of that kind and class
///     waiting at once while a job j of session B waits, and p its place in B's own queue
///     of that class (1: B's next). Every turn of the class takes the head of the session
///     at the front of the ring and moves that session to the back; a session that joins
///     (or comes back once its queue emptied) goes to the back. So before j's session
///     comes round again, each other session takes at most one job, and B comes round p
///     times before j goes: at most p·(S−1) jobs of other sessions of that kind and class
///     run before j (plus p−1 of B's own). A read may also be taken out of turn when it
///     reaches its bound K (1), which only ever lets the longest-waiting read go.
///     With one session (stdio) this is plain FIFO.
///     The classes' and kinds' bounds (1, 2) then hold as before: they decide which
///     class's turn it is; this decides whose.
///  3. A batch is the job chosen by 1-2 plus the jobs the policy would choose right after
///     it, as long as they are of the same kind (all writes or all reads), up to
///     `batch_max`; a write batch never takes a waiting read past its bound.
/// Jobs are only ever taken out by next_batch() (cancelled ones too: the lane skips them),
/// so the count of jobs in equals the count dispatched.

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "base/config.hpp"
#include "flow/job.hpp"

namespace takt {

class LevelingQueue {
 public:
  struct Policy {
    unsigned max_writes_passing_a_read = 4;
    std::array<unsigned, 3> weights{4, 2, 1};  ///< by CostClass: fast, medium, slow
    unsigned batch_max = 1;
    std::size_t capacity = 1024;
    bool session_turns = true;  ///< false: one FIFO per class whoever sent the job (policy 2b off)
  };

  explicit LevelingQueue(Policy policy) : policy_(policy) {
    for (auto& kind : state_.queues)
      for (auto& q : kind) q.session_turns = policy.session_turns;
  }

  /// Queues a job (its `write` and `cost` decide its place). False when full.
  bool push(JobPtr job);
  /// The jobs to run next as one script, in order; empty when nothing waits.
  std::vector<JobPtr> next_batch();
  std::size_t size() const;
  /// Writes dispatched so far (each job of a write batch counts).
  std::uint64_t writes_dispatched() const;
  /// Calls `visit(job, jobs_ahead)` for each waiting job, in the order the policy would run
  /// them if nothing else arrived; cancelled writes (which will not run) are neither
  /// visited nor counted ahead of others. O(n); for progress notifications.
  void for_each_in_order(const std::function<void(const JobPtr&, std::size_t)>& visit) const;

 private:
  struct Entry {
    JobPtr job;
    std::uint64_t writes_seen_at_arrival = 0;  ///< writes dispatched when it arrived (reads)
  };
  /// One class's waiting jobs: a FIFO per session, the sessions in round-robin order.
  struct ClassQueue {
    struct PerSession {
      const void* session = nullptr;
      std::deque<Entry> entries;
    };
    std::deque<PerSession> ring;  ///< front: the session whose turn it is
    std::size_t count = 0;
    bool session_turns = true;
    bool empty() const { return count == 0; }
    std::size_t size() const { return count; }
    void push(Entry e);
    /// The entry with the fewest writes seen at arrival (the longest-waiting read).
    const Entry* oldest() const;
    /// Takes the front session's next job and moves that session to the back.
    Entry take_turn();
    /// Takes the oldest entry (out of turn: a read at its bound).
    Entry take_oldest();
  };
  /// The queues and the round-robin state: copyable, so a dry run can predict the order.
  struct State {
    std::array<std::array<ClassQueue, 3>, 2> queues;  ///< [write?][class]
    std::array<std::array<long long, 3>, 2> current{};       ///< smooth WRR state per kind
    std::uint64_t writes_dispatched = 0;
    std::size_t size = 0;
  };
  /// Takes the next entry by the policy; `only_kind` (-1: any, 0: reads, 1: writes)
  /// restricts it for batching. Returns false when nothing (of that kind) may go.
  bool take(State& s, int only_kind, Entry& out) const;
  int pick_class(State& s, int kind) const;
  bool read_must_go(const State& s) const;

  Policy policy_;
  mutable std::mutex mu_;
  State state_;
};

}  // namespace takt
