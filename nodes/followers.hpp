#pragma once
/// What cache_lookup, write_priority and cache_store share (internal to nodes/): reads
/// that followed a leader get its answer, and a job refused for a full queue is told so.

#include <chrono>
#include <string>
#include <vector>

#include "flow/coalesce.hpp"
#include "flow/job.hpp"

namespace takt {

/// The reads that followed `leader` (coalesced onto it) get its answer, result or error,
/// and are appended to `out`.
void release_followers(InFlightReads& inflight, const Job& leader, std::vector<JobPtr>& out);

/// Answers `job` "overloaded": `bound` requests already wait for `what`.
void overloaded(Job& job, const std::string& what, std::size_t bound);

}  // namespace takt
