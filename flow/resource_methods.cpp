// The MCP methods over Things' resources, prompts and completions. Those answered from
// takt's own tables run in-process (the fast stage); those that read the database give
// the job a ProtocolRead, which db_read runs in the database lane like a read tool, behind
// the same cache and coalescing.

#include "flow/resource_methods.hpp"

#include "base/json.hpp"
#include "flow/services.hpp"
#include "things/catalog/catalog.hpp"
#include "things/catalog/resources.hpp"

namespace takt {
namespace {

using ReadPtr = std::shared_ptr<const things::ProtocolRead>;

/// resources/list pages hold this many resources.
constexpr std::size_t kResourcesPerPage = 50;

const rapidjson::Value* params_of(const Job& job) { return job.msg->params; }

std::optional<std::string_view> string_param(const Job& job, std::string_view name) {
  return params_of(job) ? json::get_string(*params_of(job), name) : std::nullopt;
}

/// The `uri` of a resources/* request, or nullopt (the job failed).
std::optional<std::string> uri_param(Job& job) {
  auto uri = string_param(job, "uri");
  if (!uri) {
    job.fail(mcp::kInvalidParams, "Invalid params: " + job.msg->method + " needs 'uri', a string");
    return std::nullopt;
  }
  if (!things::is_resource_uri(*uri)) {
    job.fail(things::kResourceNotFound, "Resource not found: " + std::string(*uri) +
                                            " (resources/list and resources/templates/list show what takt serves)");
    return std::nullopt;
  }
  return std::string(*uri);
}

/// The tool whose cache TTL a resource keeps: a list's own tool, get_item for the rest.
std::string ttl_tool_of(std::string_view uri) {
  for (const auto& r : things::fixed_resources())
    if (r.uri == uri) return r.tool;
  return "get_item";
}

}  // namespace

ReadPtr resources_list(Job& job, Services&) {
  std::size_t offset = 0;
  if (const auto* params = params_of(job); params && json::member(*params, "cursor")) {
    auto cursor = json::get_string(*params, "cursor");
    auto parsed = cursor ? things::parse_resources_cursor(*cursor) : std::nullopt;
    if (!parsed) {
      job.fail(mcp::kInvalidParams, "Invalid params: unknown cursor");
      return nullptr;
    }
    offset = *parsed;
  }
  auto read = std::make_shared<things::ProtocolRead>();
  read->cache_key = "resources/list:" + std::to_string(offset);
  read->ttl_tool = "get_projects";
  read->run = [offset](things::ThingsDb& db) { return things::resources_list_page(db, offset, kResourcesPerPage); };
  return read;
}

void resources_templates_list(Job& job, Services&) {
  if (params_of(job) && json::member(*params_of(job), "cursor")) {
    job.fail(mcp::kInvalidParams, "Invalid params: unknown cursor");
    return;
  }
  job.result = R"({"resourceTemplates":)" + things::resource_templates_json() + "}";
}

ReadPtr resources_read(Job& job, Services&) {
  auto uri = uri_param(job);
  if (!uri) return nullptr;
  auto read = std::make_shared<things::ProtocolRead>();
  read->cache_key = "resource:" + *uri;
  read->ttl_tool = ttl_tool_of(*uri);
  read->run = [uri = *uri](things::ThingsDb& db) {
    return things::resource_read_result(uri, things::resource_content(uri, db));
  };
  return read;
}

ReadPtr resources_subscribe(Job& job, Services& s) {
  auto uri = uri_param(job);
  if (!uri) return nullptr;
  if (!s.watcher) {
    job.fail(mcp::kInvalidRequest, "Invalid Request: this takt does not watch the Things database (cache.watch is 0)");
    return nullptr;
  }
  auto read = std::make_shared<things::ProtocolRead>();  // not cached: each subscription reads its own baseline
  read->run = [uri = *uri, session = std::weak_ptr<Session>(job.session), watcher = s.watcher.get()](things::ThingsDb& db) {
    auto content = things::resource_content(uri, db);
    if (auto live = session.lock()) {
      live->subscribe(uri);
      watcher->watch(live, uri, content);
    }
    return std::string("{}");
  };
  return read;
}

void resources_unsubscribe(Job& job, Services&) {
  auto uri = string_param(job, "uri");
  if (!uri) {
    job.fail(mcp::kInvalidParams, "Invalid params: resources/unsubscribe needs 'uri', a string");
    return;
  }
  job.session->unsubscribe(std::string(*uri));  // not subscribed: nothing to do
  job.result = "{}";
}

void prompts_list(Job& job, Services&) {
  if (params_of(job) && json::member(*params_of(job), "cursor")) {
    job.fail(mcp::kInvalidParams, "Invalid params: unknown cursor");
    return;
  }
  job.result = R"({"prompts":)" + things::prompts_list_json() + "}";
}

ReadPtr prompts_get(Job& job, Services&) {
  auto name = string_param(job, "name");
  if (!name) {
    job.fail(mcp::kInvalidParams, "Invalid params: prompts/get needs 'name', a string");
    return nullptr;
  }
  auto wanted = things::prompt_arguments(*name);
  if (!wanted) {
    job.fail(mcp::kInvalidParams, "Invalid params: takt has no prompt '" + std::string(*name) + "' (see prompts/list)");
    return nullptr;
  }
  std::vector<std::pair<std::string, std::string>> args;
  if (const auto* given = json::member(*params_of(job), "arguments"); given && !given->IsNull()) {
    if (!given->IsObject()) {
      job.fail(mcp::kInvalidParams, "Invalid params: 'arguments' must be an object of strings");
      return nullptr;
    }
    for (const auto& m : given->GetObject()) {
      if (!m.value.IsString()) {
        job.fail(mcp::kInvalidParams, "Invalid params: argument '" + std::string(m.name.GetString()) + "' must be a string");
        return nullptr;
      }
      args.emplace_back(m.name.GetString(), m.value.GetString());
    }
  }
  for (const auto& a : *wanted) {
    auto it = std::find_if(args.begin(), args.end(), [&](const auto& g) { return g.first == a; });
    if (it == args.end() || it->second.empty()) {
      job.fail(mcp::kInvalidParams, "Invalid params: prompt " + std::string(*name) + " needs the argument '" + a + "'");
      return nullptr;
    }
  }
  std::string key = "prompt:" + std::string(*name);
  for (const auto& [k, v] : args) key += "\n" + k + "=" + v;
  auto read = std::make_shared<things::ProtocolRead>();
  read->cache_key = std::move(key);
  read->ttl_tool = "get_today";
  read->not_found_code = mcp::kInvalidParams;
  read->run = [name = std::string(*name), args = std::move(args)](things::ThingsDb& db) {
    return things::prompt_get_result(name, args, db);
  };
  return read;
}

ReadPtr completion_complete(Job& job, Services&) {
  const auto* params = params_of(job);
  const auto* ref = params ? json::member(*params, "ref") : nullptr;
  const auto* argument = params ? json::member(*params, "argument") : nullptr;
  const auto text = [](const rapidjson::Value* obj, const char* name) {
    const auto* v = obj ? json::member(*obj, name) : nullptr;
    return v && v->IsString() ? std::string(v->GetString(), v->GetStringLength()) : std::string();
  };
  const std::string type = text(ref, "type"), arg_name = text(argument, "name");
  const auto* value_v = argument ? json::member(*argument, "value") : nullptr;
  if (type.empty() || arg_name.empty() || !value_v || !value_v->IsString()) {
    job.fail(mcp::kInvalidParams,
             "Invalid params: completion/complete needs 'ref' (with 'type') and 'argument' (with 'name' and 'value')");
    return nullptr;
  }
  const std::string value = text(argument, "value");
  std::string ref_name;
  if (type == "ref/prompt") {
    ref_name = text(ref, "name");
    if (!things::is_prompt(ref_name)) {
      job.fail(mcp::kInvalidParams, "Invalid params: takt has no prompt '" + ref_name + "'");
      return nullptr;
    }
  } else if (type == "ref/resource") {
    ref_name = text(ref, "uri");
    if (things::resource_templates_json().find("\"uriTemplate\":" + json::quote(ref_name)) == std::string::npos) {
      job.fail(mcp::kInvalidParams, "Invalid params: takt has no resource template '" + ref_name + "'");
      return nullptr;
    }
  } else {
    job.fail(mcp::kInvalidParams, "Invalid params: ref.type must be ref/prompt or ref/resource");
    return nullptr;
  }
  auto kind = things::completion_kind(type, ref_name, arg_name);
  if (!kind) {
    job.result = R"({"completion":{"values":[],"total":0,"hasMore":false}})";  // nothing to offer for it
    return nullptr;
  }
  const bool ids = type == "ref/resource";
  auto read = std::make_shared<things::ProtocolRead>();
  read->cache_key = "complete:" + *kind + (ids ? ":id:" : ":title:") + value;
  read->ttl_tool = "get_projects";
  read->run = [kind = *kind, value, ids](things::ThingsDb& db) { return things::completion_result(kind, value, ids, db); };
  return read;
}

}  // namespace takt
