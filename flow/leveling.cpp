#include "flow/leveling.hpp"

namespace takt {

namespace {
constexpr int kRead = 0, kWrite = 1;
int class_index(CostClass c) { return static_cast<int>(c); }
}  // namespace

void LevelingQueue::ClassQueue::push(Entry e) {
  const void* key = session_turns ? e.job->session.get() : nullptr;
  ++count;
  for (auto& ps : ring)
    if (ps.session == key) return ps.entries.push_back(std::move(e));
  ring.push_back({key, {}});  // a session with nothing waiting joins at the back
  ring.back().entries.push_back(std::move(e));
}

const LevelingQueue::Entry* LevelingQueue::ClassQueue::oldest() const {
  // Each session's queue is in arrival order: only the heads need looking at.
  const Entry* best = nullptr;
  for (const auto& ps : ring)
    if (!best || ps.entries.front().writes_seen_at_arrival < best->writes_seen_at_arrival ||
        (ps.entries.front().writes_seen_at_arrival == best->writes_seen_at_arrival &&
         ps.entries.front().job->seq < best->job->seq))
      best = &ps.entries.front();
  return best;
}

LevelingQueue::Entry LevelingQueue::ClassQueue::take_turn() {
  auto ps = std::move(ring.front());
  ring.pop_front();
  Entry e = std::move(ps.entries.front());
  ps.entries.pop_front();
  --count;
  if (!ps.entries.empty()) ring.push_back(std::move(ps));
  return e;
}

LevelingQueue::Entry LevelingQueue::ClassQueue::take_oldest() {
  const Entry* o = oldest();
  for (auto it = ring.begin(); it != ring.end(); ++it) {
    if (&it->entries.front() != o) continue;
    Entry e = std::move(it->entries.front());
    it->entries.pop_front();
    --count;
    if (it->entries.empty()) ring.erase(it);  // its turn is not used up: the others keep their places
    return e;
  }
  return take_turn();  // not reached: o is one of the heads
}

bool LevelingQueue::push(JobPtr job) {
  std::lock_guard lock(mu_);
  if (state_.size >= policy_.capacity) return false;
  const int kind = job->write ? kWrite : kRead;
  const auto seen = state_.writes_dispatched;
  state_.queues[kind][class_index(job->cost)].push({std::move(job), seen});
  ++state_.size;
  return true;
}

std::size_t LevelingQueue::size() const {
  std::lock_guard lock(mu_);
  return state_.size;
}

std::uint64_t LevelingQueue::writes_dispatched() const {
  std::lock_guard lock(mu_);
  return state_.writes_dispatched;
}

bool LevelingQueue::read_must_go(const State& s) const {
  // The longest-waiting read is the one that arrived with the fewest writes dispatched;
  // each class queue is first come first served, so only the heads need looking at.
  bool any = false;
  std::uint64_t oldest = 0;
  for (const auto& q : s.queues[kRead]) {
    if (q.empty()) continue;
    const auto seen = q.oldest()->writes_seen_at_arrival;
    if (!any || seen < oldest) oldest = seen;
    any = true;
  }
  return any && s.writes_dispatched - oldest >= policy_.max_writes_passing_a_read;
}

int LevelingQueue::pick_class(State& s, int kind) const {
  // Smooth weighted round-robin (as nginx balances upstreams) over classes with work.
  long long total = 0;
  int best = -1;
  for (int c = 0; c < 3; ++c) {
    if (s.queues[kind][c].empty()) continue;
    s.current[kind][c] += policy_.weights[c];
    total += policy_.weights[c];
    if (best < 0 || s.current[kind][c] > s.current[kind][best]) best = c;
  }
  if (best >= 0) s.current[kind][best] -= total;
  return best;
}

bool LevelingQueue::take(State& s, int only_kind, Entry& out) const {
  const bool writes_wait = s.queues[kWrite][0].size() + s.queues[kWrite][1].size() + s.queues[kWrite][2].size() > 0;
  const bool reads_wait = s.queues[kRead][0].size() + s.queues[kRead][1].size() + s.queues[kRead][2].size() > 0;
  if (!writes_wait && !reads_wait) return false;
  int kind;
  int cls;
  if (reads_wait && (!writes_wait || read_must_go(s))) {
    kind = kRead;
    if (read_must_go(s)) {
      // The bound is reached: the longest-waiting read goes, whatever its class.
      cls = -1;
      for (int c = 0; c < 3; ++c) {
        const auto& q = s.queues[kRead][c];
        if (!q.empty() && (cls < 0 || q.oldest()->writes_seen_at_arrival <
                                          s.queues[kRead][cls].oldest()->writes_seen_at_arrival))
          cls = c;
      }
    } else {
      cls = -2;  // chosen by weights below
    }
  } else {
    kind = kWrite;
    cls = -2;
  }
  if (only_kind >= 0 && kind != only_kind) return false;  // before any change to `s`
  const bool out_of_turn = cls != -2;  // a read at its bound: the oldest, not the next session's
  if (cls == -2) cls = pick_class(s, kind);
  auto& q = s.queues[kind][cls];
  out = out_of_turn ? q.take_oldest() : q.take_turn();
  --s.size;
  if (kind == kWrite) ++s.writes_dispatched;
  return true;
}

std::vector<JobPtr> LevelingQueue::next_batch() {
  std::lock_guard lock(mu_);
  std::vector<JobPtr> batch;
  Entry e;
  if (!take(state_, -1, e)) return batch;
  const int kind = e.job->write ? kWrite : kRead;
  batch.push_back(std::move(e.job));
  // The next pick joins the batch only if the policy would run it next anyway and it is
  // of the same kind; take() changes nothing when it refuses.
  while (batch.size() < policy_.batch_max && take(state_, kind, e)) batch.push_back(std::move(e.job));
  return batch;
}

void LevelingQueue::for_each_in_order(const std::function<void(const JobPtr&, std::size_t)>& visit) const {
  std::lock_guard lock(mu_);
  State dry = state_;
  Entry e;
  // A write cancelled while waiting never runs (the lane drops it), so it holds no one
  // back and is not told its place; a cancelled read may still run for others awaiting it.
  std::size_t ahead = 0;
  while (take(dry, -1, e)) {
    if (e.job->write && e.job->cancelled.load(std::memory_order_acquire)) continue;
    visit(e.job, ahead++);
  }
}

}  // namespace takt
