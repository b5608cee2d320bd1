#pragma once
/// The handlers of the MCP methods over resources, prompts and completions, for the
/// method table (flow/methods.cpp). Internal to flow/. Thread-safe (stateless).

#include <memory>

#include "flow/job.hpp"

namespace takt {

struct Services;

// Answered in-process.
void resources_templates_list(Job& job, Services& s);
void prompts_list(Job& job, Services& s);
void resources_unsubscribe(Job& job, Services& s);

// Answered from the database: each returns the job's ProtocolRead, or fails the job (or
// answers it at once) and returns nullptr.
std::shared_ptr<const things::ProtocolRead> resources_list(Job& job, Services& s);
std::shared_ptr<const things::ProtocolRead> resources_read(Job& job, Services& s);
/// Reads the resource once (its content then is what a change is measured against), then
/// enters it into the session's subscriptions and the watcher's.
std::shared_ptr<const things::ProtocolRead> resources_subscribe(Job& job, Services& s);
std::shared_ptr<const things::ProtocolRead> prompts_get(Job& job, Services& s);
std::shared_ptr<const things::ProtocolRead> completion_complete(Job& job, Services& s);

}  // namespace takt
