#include "nodes/followers.hpp"

namespace takt {

void overloaded(Job& job, const std::string& what, std::size_t bound) {
  job.fail(mcp::kOverloaded,
           "Overloaded: " + std::to_string(bound) + " requests already wait for " + what + "; retry later");
}

void release_followers(InFlightReads& inflight, const Job& leader, std::vector<JobPtr>& out) {
  for (auto& f : inflight.finish(leader.cache_key)) {
    f->result = leader.result;
    f->error = leader.error;
    f->tool_failed = leader.tool_failed;
    out.push_back(std::move(f));
  }
}

}  // namespace takt
