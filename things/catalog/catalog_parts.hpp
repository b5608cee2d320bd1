#pragma once
/// Pieces of the tool catalogue shared by its source files (internal to things/).

#include <string>
#include <vector>

#include "things/catalog/catalog.hpp"

namespace takt::things {

/// A tool with parsed schemas; throws std::logic_error when a schema is not valid JSON.
ToolSpec make_tool(std::string name, std::string title, std::string description, ToolKind kind, CostClass cost,
                   const std::string& input, const std::string& output);

/// Appends the tools that read the Things database (things/read_catalog.cpp).
void add_read_tools(std::vector<ToolSpec>& tools);

/// Appends the tools that change Things (things/write_catalog.cpp).
void add_write_tools(std::vector<ToolSpec>& tools);

}  // namespace takt::things
