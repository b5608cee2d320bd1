#include "flow/methods.hpp"

#include <spdlog/spdlog.h>

#include <array>

#include "base/version.hpp"
#include "base/json.hpp"
#include "flow/resource_methods.hpp"
#include "flow/services.hpp"
#include "things/catalog/catalog.hpp"

namespace takt {
namespace {

constexpr const char* kInstructions =
    "takt connects you to Things 3, the task manager. Read lists with get_inbox, get_today and get_projects; "
    "create to-dos with add_todo (every write is confirmed by reading it back). Writes to Things run one at a "
    "time, so a write may wait a moment; reads are answered at once.";

/// resources, prompts and completions (flow/resource_methods.cpp).
constexpr const char* kResourceCapabilities =
    R"("resources":{"subscribe":true,"listChanged":false},"prompts":{"listChanged":false},"completions":{})";

void initialize(Job& job, Services&) {
  const auto* params = job.msg->params;
  auto requested = params ? json::get_string(*params, "protocolVersion") : std::nullopt;
  if (!requested) {
    job.fail(mcp::kInvalidParams, "Invalid params: initialize needs 'protocolVersion', a string");
    return;
  }
  // Initialization happens once per session (MCP lifecycle): a second initialize would
  // renegotiate the protocol under requests already in flight, so it is refused.
  if (!job.session->begin_initialize()) {
    job.fail(mcp::kInvalidRequest, "Invalid Request: the session is already initialized; initialize comes once");
    return;
  }
  std::string_view chosen = kProtocolVersions[0];
  for (auto v : kProtocolVersions)
    if (v == *requested) chosen = v;
  job.result = std::string(R"({"protocolVersion":)") + json::quote(chosen) +
               R"(,"capabilities":{"tools":{"listChanged":false},"logging":{},)" + kResourceCapabilities +
               R"(},"serverInfo":{"name":)" +
               json::quote(kName) + R"(,"title":"takt: Things 3 through one leveled pipeline","version":)" +
               json::quote(kVersion) + R"(},"instructions":)" + json::quote(kInstructions) + "}";
  spdlog::info("client asked for protocol {}, speaking {}", *requested, chosen);
}

void initialized(Job& job, Services&) { job.session->set_state(Session::State::Ready); }

void ping(Job& job, Services&) { job.result = "{}"; }

void tools_list(Job& job, Services&) {
  // Every tool fits on one page; a cursor can only come from a client's mistake.
  if (job.msg->params && json::member(*job.msg->params, "cursor")) {
    job.fail(mcp::kInvalidParams, "Invalid params: unknown cursor");
    return;
  }
  job.result = R"({"tools":)" + things::tools_list_json() + "}";
}

void set_level(Job& job, Services&) {
  auto level = job.msg->params ? json::get_string(*job.msg->params, "level") : std::nullopt;
  LogLevel parsed{};
  if (!level || !parse_log_level(*level, parsed)) {
    job.fail(mcp::kInvalidParams,
             "Invalid params: 'level' must be one of debug, info, notice, warning, error, critical, alert, emergency");
    return;
  }
  job.session->set_log_level(parsed);
  // Let records at that level reach the sinks; stderr keeps its own configured level.
  const auto wanted = parsed == LogLevel::Debug ? spdlog::level::debug
                      : parsed == LogLevel::Info ? spdlog::level::info
                      : parsed <= LogLevel::Warning ? spdlog::level::warn
                      : parsed == LogLevel::Error ? spdlog::level::err
                                                  : spdlog::level::critical;
  if (auto logger = spdlog::default_logger(); wanted < logger->level()) logger->set_level(wanted);
  job.result = "{}";
}

void cancelled(Job& job, Services&) {
  const auto* params = job.msg->params;
  const auto* id = params ? json::member(*params, "requestId") : nullptr;
  if (!id || !(id->IsString() || id->IsInt64())) return;  // malformed: ignored, as the spec allows
  const auto key = json::dump(*id);
  if (job.session->cancel(key)) spdlog::debug("request {} cancelled by the client", key);
}

constexpr std::array<MethodSpec, 15> kMethods{{
    {"initialize", true, &initialize},
    {"notifications/initialized", true, &initialized},
    {"ping", true, &ping},
    {"tools/list", false, &tools_list},
    {"tools/call", false, nullptr},
    {"logging/setLevel", false, &set_level},
    {"notifications/cancelled", true, &cancelled},
    {"resources/list", false, nullptr, &resources_list},
    {"resources/templates/list", false, &resources_templates_list},
    {"resources/read", false, nullptr, &resources_read},
    {"resources/subscribe", false, nullptr, &resources_subscribe},
    {"resources/unsubscribe", false, &resources_unsubscribe},
    {"prompts/list", false, &prompts_list},
    {"prompts/get", false, nullptr, &prompts_get},
    {"completion/complete", false, nullptr, &completion_complete},
}};

}  // namespace

const MethodSpec* find_method(std::string_view name) {
  for (const auto& m : kMethods)
    if (m.name == name) return &m;
  return nullptr;
}

}  // namespace takt

namespace takt {
std::span<const MethodSpec> all_methods() { return kMethods; }
}  // namespace takt
