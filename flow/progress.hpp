#pragma once
/// Progress notifications for a request that asked for them (a `_meta.progressToken`).

#include <optional>
#include <string>

#include "flow/job.hpp"

namespace takt {

/// Sends notifications/progress for a job that asked for it (has a progressToken);
/// values only increase, and none follow the response (nor a cancelled request's).
void send_progress(Job& job, double progress, std::optional<double> total, const std::string& message);

}  // namespace takt
