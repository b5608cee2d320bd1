#pragma once
/// One MCP session: its lifecycle state, client-chosen log level, the requests it has in flight (for cancellation: each as the flag that cancels
/// it, so the session knows nothing of what carries a request), and the way back to its
/// client. Thread-safe: stages on any TBB thread and the log sink touch it at once.

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>
#include <unordered_map>

namespace takt {

/// Set to cancel a request in flight; whoever carries the request polls it.
using CancelFlag = std::atomic<bool>;

/// Where a session's outgoing messages go (the stdout writer, an HTTP stream).
/// send() must not block on the client: it queues and returns. `written`, if set, is
/// called once the line has left the process (or was dropped because the client is
/// gone): replies hold their admission slot until then, so a slow client's unread
/// replies count against max_in_flight instead of piling up in memory.
class Output {
 public:
  virtual ~Output() = default;
  virtual void send(std::string line, std::function<void()> written = {}) = 0;
};

/// MCP log levels in order of severity; -1 means the client asked for none.
enum class LogLevel : int { Debug, Info, Notice, Warning, Error, Critical, Alert, Emergency };
const char* log_level_name(LogLevel l);
bool parse_log_level(std::string_view name, LogLevel& out);

class Session {
 public:
  enum class State : int { New, Initializing, Ready };

  explicit Session(std::shared_ptr<Output> out) : out_(std::move(out)) {}

  void send(std::string line, std::function<void()> written = {}) { out_->send(std::move(line), std::move(written)); }

  State state() const { return state_.load(std::memory_order_acquire); }
  void set_state(State s) { state_.store(s, std::memory_order_release); }
  /// New -> Initializing, once: false when initialize already came.
  bool begin_initialize() {
    auto expected = State::New;
    return state_.compare_exchange_strong(expected, State::Initializing, std::memory_order_acq_rel);
  }

  /// The level at or above which the client wants notifications/message; -1: none.
  int log_level() const { return log_level_.load(std::memory_order_relaxed); }
  void set_log_level(LogLevel l) { log_level_.store(static_cast<int>(l), std::memory_order_relaxed); }

  /// Remembers a request in flight under its id (JSON text), for notifications/cancelled:
  /// `cancel` is its flag (held weakly: a request answered and freed is simply gone).
  /// False, and nothing remembered, when another request with that id is still in
  /// flight: an id names one request at a time (JSON-RPC), so the newcomer is refused.
  bool track(const std::string& id, const std::shared_ptr<CancelFlag>& cancel);
  void untrack(const std::string& id, const CancelFlag* cancel);
  /// Marks the request cancelled; false when no such request is in flight. The graph
  /// works on messages in parallel, so a cancellation may overtake its own request: an
  /// unknown id is remembered (the last kPendingCancels of them) and applied by track().
  bool cancel(const std::string& id);
  /// Marks every request in flight cancelled: the client is gone (a relay connection
  /// closed). A write that has not started is then dropped; one that runs finishes.
  void cancel_all();

  static constexpr std::size_t kPendingCancels = 256;

  /// The resources the client subscribed to (resources/subscribe), by uri: it is sent
  /// notifications/resources/updated when one of them changes. subscribe() is false when
  /// already subscribed, unsubscribe() when it was not.
  bool subscribe(const std::string& uri);
  bool unsubscribe(const std::string& uri);
  bool subscribed(const std::string& uri) const;
  std::vector<std::string> subscriptions() const;

 private:
  std::shared_ptr<Output> out_;
  std::atomic<State> state_{State::New};
  std::atomic<int> log_level_{-1};
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::weak_ptr<CancelFlag>> in_flight_;
  std::deque<std::string> pending_cancels_;
  std::set<std::string> subscriptions_;  ///< under mu_
};

}  // namespace takt
