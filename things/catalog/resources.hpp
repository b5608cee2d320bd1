#pragma once
/// Things as MCP resources, prompts and completions: what each resource is called, what it
/// holds (the answer of the read tool it mirrors, read by the same code: equal by
/// construction), the templates for one item, project, area or tag, the prompts that
/// embed current data, and the completion of their arguments. Pure functions apart from
/// the database they are handed; thread-safe.

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "things/db/db.hpp"

namespace takt::things {

/// JSON-RPC error code of a resource that does not exist (MCP: "Resource not found").
inline constexpr int kResourceNotFound = -32002;

/// A protocol request answered from the Things database, in the database lane like a read
/// tool (resources/read, resources/list, prompts/get, completion/complete). Immutable.
struct ProtocolRead {
  std::string cache_key;  ///< identical requests share one read and one cache entry; empty: not cached
  std::string ttl_tool;   ///< the read tool whose cache TTL (cache.tool_ttl) applies
  /// The JSON-RPC result, as JSON text. Throws NotFound (answered with not_found_code) or DbError.
  std::function<std::string(ThingsDb&)> run;
  int not_found_code = kResourceNotFound;
};

/// A fixed resource: one of Things' lists, or the projects, areas or tags.
struct ResourceSpec {
  std::string uri, name, title, description;
  std::string tool;  ///< the read tool whose answer (without arguments) it holds
};
/// Every fixed resource, in the order resources/list shows them.
const std::vector<ResourceSpec>& fixed_resources();
/// The `resourceTemplates` array of resources/templates/list, as JSON text.
const std::string& resource_templates_json();

/// Whether `uri` names a resource takt serves (a fixed one, or a template's form with an
/// id); whether that id exists is only known by reading it.
bool is_resource_uri(std::string_view uri);
/// The resource's content (JSON text): the matching read tool's structured answer. Throws
/// NotFound for an unknown uri or id, DbError when the database cannot be read.
std::string resource_content(std::string_view uri, ThingsDb& db);
/// The result of resources/read for `uri` with `content`.
std::string resource_read_result(std::string_view uri, const std::string& content);
/// One page of resources/list from `offset`: the fixed resources, then every open
/// project, every area and every tag (by template uri), at most `page` of them, with a
/// nextCursor while more follow.
std::string resources_list_page(ThingsDb& db, std::size_t offset, std::size_t page);
/// The cursor of resources/list that starts at `offset`, and back (nullopt: not one of takt's).
std::string resources_cursor(std::size_t offset);
std::optional<std::size_t> parse_resources_cursor(std::string_view cursor);

// ---- prompts ----------------------------------------------------------------------------

/// The `prompts` array of prompts/list, as JSON text.
const std::string& prompts_list_json();
/// Whether a prompt of that name exists.
bool is_prompt(std::string_view name);
/// The argument names a prompt takes ("" when it takes none, nullopt: no such prompt).
std::optional<std::vector<std::string>> prompt_arguments(std::string_view name);
/// The result of prompts/get: its messages, with the current data embedded as resources.
/// `args` are the arguments as (name, value). Throws NotFound for an unknown project (a
/// name or an id) and std::invalid_argument for a missing required argument.
std::string prompt_get_result(std::string_view name, const std::vector<std::pair<std::string, std::string>>& args,
                              ThingsDb& db);

// ---- completion -------------------------------------------------------------------------

/// What can complete an argument: "project", "area", "tag" (by the name of the prompt
/// argument or the template variable), or nullopt.
std::optional<std::string> completion_kind(std::string_view ref_type, std::string_view ref_name,
                                           std::string_view argument);
/// The completion/complete result: titles (or ids, when an id was being typed) of `kind`
/// matching `typed`, best first (prefix before word start before anywhere; then Things'
/// order), at most 100, with the total and hasMore.
std::string completion_result(const std::string& kind, std::string_view typed, bool ids, ThingsDb& db);

}  // namespace takt::things
