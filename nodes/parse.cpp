#include "mcp/json.hpp"
#include "nodes/stages.hpp"

namespace takt {

JobPtr ParseStage::operator()(JobPtr job) const {
  s.edges.enter(*job, Stage::Parse);
  if (job->oversized) {
    job->fail(mcp::kInvalidRequest, "Invalid Request: message longer than " +
                                        std::to_string(s.config.server.max_message_bytes) + " bytes");
    return job;
  }
  auto parsed = mcp::parse_message(job->line, s.config.server.max_json_depth);
  std::string().swap(job->line);  // the message now lives in the parsed document
  if (parsed.error) {
    // Answer with the id when it could be read, as JSON-RPC asks.
    mcp::Message stub;
    stub.kind = mcp::Message::Kind::Request;
    stub.id = parsed.id;
    job->msg = std::move(stub);
    job->error = std::move(parsed.error);
    return job;
  }
  job->msg = std::move(parsed.message);
  return job;
}

}  // namespace takt
