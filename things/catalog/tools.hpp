#pragma once
/// Carrying out tools: checking arguments, reading lists, turning a write tool's
/// arguments into typed operations, and wrapping answers as MCP tool results.
/// Pure functions apart from the database they are handed; thread-safe.

#include <rapidjson/document.h>

#include <functional>
#include <optional>
#include <string>

#include "things/catalog/catalog.hpp"
#include "things/db/db.hpp"
#include "things/script/ops.hpp"

namespace takt::things {

/// Checks `args` against the tool's schema and meaning (and what the backend can do).
/// Returns a message naming the field, or nullopt when the call may go ahead.
std::optional<std::string> check_arguments(const ToolSpec& tool, const rapidjson::Value& args, const Dialect& dialect);

/// Runs a read tool; returns its structured result as JSON text. Throws DbError (NotFound
/// when the arguments name an id or tag the database does not hold).
std::string run_read(const ToolSpec& tool, const rapidjson::Value& args, ThingsDb& db);

/// What kind of task an id names (0 to-do, 1 project, 2 heading), or nullopt when unknown.
using KindOf = std::function<std::optional<int>(const std::string& id)>;
/// A KindOf that knows nothing (every id is taken for a to-do).
std::optional<int> unknown_kind(const std::string& id);

/// What a write tool's arguments mean beyond their schema; a message naming the field, or
/// nullopt (things/write_tools.cpp).
std::optional<std::string> check_write_arguments(const ToolSpec& tool, const rapidjson::Value& args);

/// What a write tool's arguments name, checked on the database before the write is
/// queued: the places it puts items into (`project`, `heading`; one in the Trash, or a
/// heading whose project is, is refused, since an item added there would be in no list),
/// and the tags it takes off (each must exist). A message naming the field, or nullopt.
/// Throws DbError when the database cannot be read.
std::optional<std::string> check_write_against_database(const ToolSpec& tool, const rapidjson::Value& args,
                                                        ThingsDb& db);
/// The operations a write tool asks for, in order: one, or one per id for the tools over
/// `ids` (tool.bulk). `kind_of` tells projects from to-dos where the tool treats them
/// differently (move, add_tags, bulk_update). Arguments must have passed check_arguments.
std::vector<Operation> to_operations(const ToolSpec& tool, const rapidjson::Value& args,
                                     const KindOf& kind_of = unknown_kind);

/// Where a trashed item goes back to when it is restored: the list the database shows it
/// in (its start and start date survive the Trash), as a `when` for SetTrashed::back_to.
std::string place_before_trash(const TaskState& t, const Date& today);

/// A successful tool result: the structured content, repeated as text.
std::string tool_result(const std::string& structured_json);
/// The same, with a sentence for people after the JSON text.
std::string tool_result(const std::string& structured_json, const std::string& summary);
/// A tool result with isError set: the model sees `message` and may correct itself.
std::string tool_error(const std::string& message);

}  // namespace takt::things
