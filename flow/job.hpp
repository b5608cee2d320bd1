#pragma once
/// The job envelope: one message on its way through the graph, from the line the
/// transport read to the reply it gets back. Messages in the graph are `JobPtr`s (cheap
/// to copy, as TBB buffers require). A job is touched by one stage at a time; only
/// `cancelled` is written from elsewhere (notifications/cancelled), hence atomic.

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "base/config.hpp"
#include "mcp/jsonrpc.hpp"
#include "mcp/session.hpp"
#include "flow/admission.hpp"
#include "flow/stage.hpp"
#include "base/shared_text.hpp"

namespace takt {

namespace things {
struct ToolSpec;
struct ProtocolRead;
}
struct MethodSpec;

using Clock = std::chrono::steady_clock;

/// Where a job is answered: in-process, from the Things database, or by a script.
enum class Lane { InProcess, Database, AppleScript };
constexpr const char* lane_label(Lane l) {
  return l == Lane::InProcess ? "in_process" : l == Lane::Database ? "database" : "applescript";
}

struct Job {
  std::uint64_t seq = 0;                 ///< admission order; ties in queues go FIFO
  std::shared_ptr<Session> session;
  std::string line;                      ///< the raw message, until parsed
  bool oversized = false;                ///< the line was over the size limit and was dropped
  bool overloaded = false;               ///< admitted only to be told "overloaded, retry later"
  bool tracked = false;                  ///< in its session's requests in flight (cancellable)
  Stage stage = Stage::Ingress;          ///< the stage it last entered (edge accounting)

  std::optional<mcp::Message> msg;       ///< set by parse
  const MethodSpec* method = nullptr;    ///< set by classify
  const things::ToolSpec* tool = nullptr;  ///< tools/call only
  const rapidjson::Value* arguments = nullptr;  ///< tools/call arguments (an object), inside msg
  /// A protocol request answered from the database (resources/read, prompts/get, ...): set
  /// by classify, run by db_read like a read tool, cached under its own key.
  std::shared_ptr<const things::ProtocolRead> protocol_read;
  Lane lane = Lane::InProcess;
  CostClass cost = CostClass::Fast;      ///< expected cost: orders the AppleScript lane (heijunka)
  bool write = false;                    ///< changes Things: runs before reads in the AppleScript lane
  std::string cache_key;                 ///< non-empty for cacheable reads
  std::uint64_t cache_generation = 0;    ///< cache generation when the read was looked up
  std::string progress_token;            ///< JSON text of _meta.progressToken, if any

  /// The outcome: a result (JSON text of `result`) or an error. Notifications have neither.
  SharedText result;
  std::optional<mcp::RpcError> error;
  bool tool_failed = false;              ///< `result` is a tool result with isError set
  std::string wire;                      ///< the reply line, set by serialize

  CancelFlag cancelled{false};
  Admission* slot = nullptr;             ///< the admission slot it holds until egress

  Clock::time_point queued_at{}, started_at{};  ///< entering its lane's queue, starting to run
  /// Stage timing, in fast::now() ticks: when it was admitted, and when the stage before
  /// the one it is in ended (each stage boundary reads the clock once; pipeline.cpp).
  std::uint64_t admitted_ticks = 0, mark = 0;
  double progress_sent = -1;             ///< last progress value notified (they must increase)

  bool answered() const { return result.has_value() || error.has_value(); }
  bool is_request() const { return msg && msg->kind == mcp::Message::Kind::Request; }
  const std::string& id() const {
    static const std::string null_id = "null";
    return msg && !msg->id.empty() ? msg->id : null_id;
  }
  void fail(int code, std::string message) { error = mcp::RpcError{code, std::move(message)}; }
  /// Answers a tools/call with an isError result the model can read and act on.
  void tool_fail(std::string result_json) {
    result = std::move(result_json);
    tool_failed = true;
  }
};

using JobPtr = std::shared_ptr<Job>;

/// The job's cancel flag as its session tracks it: shares ownership of the job, so the
/// session's weak reference expires with the job.
inline std::shared_ptr<CancelFlag> cancel_flag(const JobPtr& job) { return {job, &job->cancelled}; }

}  // namespace takt
