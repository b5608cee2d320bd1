#pragma once
/// takt's request graph: one oneTBB flow graph that every message goes through, built in
/// one place (pipeline.cpp, assemble()). The graph runs in its own task_arena so it has
/// worker threads even on one CPU; the AppleScript lane runs scripts on a dedicated
/// thread behind an async_node, so no TBB worker ever waits for Things.
///
/// Thread-safety: submit() may be called from any thread (transports); drain() once, from
/// the thread that owns the Pipeline, after the transports stopped submitting.

#include <memory>
#include <string>
#include <vector>

#include "flow/job.hpp"
#include "flow/services.hpp"
#include "metrics/fast_metrics.hpp"
#include "metrics/metrics.hpp"

namespace takt {

class Pipeline {
 public:
  explicit Pipeline(Services& services);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  /// Admits one line from `session` into the graph. While max_in_flight messages are in
  /// flight it blocks (server.on_overload: block: backpressure), or lets the message in
  /// only to be answered "overloaded, retry later" (reject; those have a small bound of
  /// their own, beyond which it blocks too). Returns false once the pipeline is draining.
  /// `around_wait(true)` runs before it blocks and `around_wait(false)` after (the stdio
  /// reader lets its held replies go, and holds new ones again once it may go on).
  bool submit(const std::shared_ptr<Session>& session, std::string line, bool oversized,
              const std::function<void(bool)>& around_wait = {});
  /// What try_submit() did with a line.
  enum class Admit { Admitted, Full, Closed };
  /// Like submit(), but never waits: when no admission slot is free right now it returns
  /// Full and leaves `line` as it was (the HTTP transport then queues it on a thread of its
  /// own, so the threads that write replies, and so free slots, never block).
  Admit try_submit(const std::shared_ptr<Session>& session, std::string& line);
  /// Stops admitting, waits until every admitted message is answered (writes finish).
  void drain();

  Services& services() { return services_; }

 private:
  struct Graph;
  void register_buffer_metrics();
  void enter(const std::shared_ptr<Session>& session, std::string line, bool oversized, Admission* slot);
  Services& services_;
  Admission overflow_;  ///< slots for messages that are only told "overloaded"
  std::unique_ptr<Graph> graph_;
  std::vector<fast::FastRegistry::Handle> scraped_;  ///< values read at scrape time (depths)
};

}  // namespace takt
