#pragma once
/// What the AppleScript lane's two files share (internal to nodes/): how a failed script is
/// judged and retried (applescript_lane.cpp), and takt's mirror of Things read through the
/// lane (lane_mirror.cpp). Every function runs on the lane's own thread.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/config.hpp"
#include "flow/job.hpp"
#include "flow/lane_metrics.hpp"
#include "flow/mirror_slot.hpp"
#include "things/os/runner.hpp"
#include "things/script/ops.hpp"

namespace takt {

struct Services;

/// Why a script that failed as a whole is worth another try, or nullopt when it is not
/// (a script that could not start, was abandoned, or failed for a lasting reason).
std::optional<RetryReason> transient(const things::ScriptOutput& out);

/// The script did not run to its end: it could not start, timed out, exited non-zero or
/// was killed (not: abandoned by takt).
bool failed_as_a_whole(const things::ScriptOutput& out);

/// Backoff before retry number `retry` (1 = the first): base * 2^(retry-1), at most the
/// cap, of which a random half is jitter (so takt processes failing together spread out).
Millis backoff(const BackendConfig& c, unsigned retry);

/// takt's mirror of Things from the text its script printed, kept in Services::mirror for
/// the reads that follow. Throws things::MirrorError.
std::shared_ptr<const MirrorView> keep_mirror(Services& s, std::string_view text);

/// The mirror's script as the read-back that follows a batch's writes in their own script.
things::ReadBack mirror_read_back();

/// Reads takt's mirror of Things through AppleScript (things/mirror): the one script,
/// under the machine-wide lock, tried again after a transient failure while the deadline
/// allows, with the breaker consulted and fed as for any script. The mirror, or why not.
/// `held_fd`: the lock's descriptor when the caller holds it already (then one try only).
std::shared_ptr<const MirrorView> read_mirror(Services& s, Clock::time_point deadline,
                                              const std::function<bool()>& abandon, double& seconds, std::string& why,
                                              int held_fd = -1);

/// Answers reads through AppleScript from takt's mirror of Things, read again first when
/// it is missing or older than tools.mirror_max_age: one script for every read of the
/// batch. While takt can read the database again (tools.reads_via: auto), from it.
void answer_reads(Services& s, const std::vector<Job*>& reads, Millis timeout, double& seconds);

}  // namespace takt
