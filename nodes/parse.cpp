#include "base/json.hpp"
#include "nodes/stages.hpp"

namespace takt {

namespace {
/// A message that could not be read is still answered: with its id when it could be read,
/// else with a null id, as JSON-RPC asks.
void refuse(Job& job, std::string id, mcp::RpcError error) {
  mcp::Message stub;
  stub.kind = mcp::Message::Kind::Request;
  stub.id = std::move(id);
  job.msg = std::move(stub);
  job.error = std::move(error);
}
}  // namespace

void ParseStage::operator()(const JobPtr& job) const {
  s.edges.enter(*job, Stage::Parse);
  if (job->oversized) {
    refuse(*job, "null",
           {mcp::kInvalidRequest,
            "Invalid Request: message longer than " + std::to_string(s.config.server.max_message_bytes) + " bytes"});
    return;
  }
  // The message takes the line: it is parsed in place and lives on in the document.
  auto parsed = mcp::parse_message(std::move(job->line), s.config.server.max_json_depth);
  if (parsed.error) {
    refuse(*job, std::move(parsed.id), std::move(*parsed.error));
    return;
  }
  if (job->overloaded) {
    // Parsed only for its id: the server was full when it arrived (server.on_overload: reject).
    refuse(*job, parsed.id,
           {mcp::kOverloaded, "Overloaded: " + std::to_string(s.config.server.max_in_flight) +
                                  " requests are in flight; retry later"});
    if (parsed.message && parsed.message->kind != mcp::Message::Kind::Request) job->msg->kind = parsed.message->kind;
    s.lane_metrics.rejected_admission.Increment();
    return;
  }
  job->msg = std::move(parsed.message);
}

}  // namespace takt
