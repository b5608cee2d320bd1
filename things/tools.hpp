#pragma once
/// Carrying out tools: checking arguments, reading lists, turning a write tool's
/// arguments into typed operations, and wrapping answers as MCP tool results.
/// Pure functions apart from the database they are handed; thread-safe.

#include <rapidjson/document.h>

#include <optional>
#include <string>

#include "things/catalog.hpp"
#include "things/db.hpp"
#include "things/ops.hpp"

namespace takt::things {

/// Checks `args` against the tool's schema and meaning (and what the backend can do).
/// Returns a message naming the field, or nullopt when the call may go ahead.
std::optional<std::string> check_arguments(const ToolSpec& tool, const rapidjson::Value& args, const Dialect& dialect);

/// Runs a read tool; returns its structured result as JSON text. Throws DbError (NotFound
/// when the arguments name an id or tag the database does not hold).
std::string run_read(const ToolSpec& tool, const rapidjson::Value& args, ThingsDb& db);

/// The operation a write tool asks for; arguments must have passed check_arguments.
Operation to_operation(const ToolSpec& tool, const rapidjson::Value& args);

/// A successful tool result: the structured content, repeated as text.
std::string tool_result(const std::string& structured_json);
/// A tool result with isError set: the model sees `message` and may correct itself.
std::string tool_error(const std::string& message);

}  // namespace takt::things
