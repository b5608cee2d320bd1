#include "mcp/json.hpp"
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

JobPtr ParseStage::operator()(JobPtr job) const {
  s.edges.enter(*job, Stage::Parse);
  if (job->oversized) {
    refuse(*job, "null",
           {mcp::kInvalidRequest,
            "Invalid Request: message longer than " + std::to_string(s.config.server.max_message_bytes) + " bytes"});
    return job;
  }
  auto parsed = mcp::parse_message(job->line, s.config.server.max_json_depth);
  std::string().swap(job->line);  // the message now lives in the parsed document
  if (parsed.error) {
    refuse(*job, std::move(parsed.id), std::move(*parsed.error));
    return job;
  }
  job->msg = std::move(parsed.message);
  return job;
}

}  // namespace takt
