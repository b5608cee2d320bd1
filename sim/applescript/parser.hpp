// The AppleScript parser: tokens to a syntax tree (ast.hpp), by recursive descent after the
// AppleScript Language Guide's grammar and operator precedence. The terminology (the
// multi-word terms such as `to do`, `tag names`, `text item delimiters`) is one table:
// AppleScript's own terms plus Things 3's dictionary, as a script compiled against Things
// sees them. A word that is no term is a variable; `make new heading` is a syntax error,
// as Things has no heading class. Nesting deeper than a fixed bound is a syntax error, so
// a hostile script cannot overflow the stack. Part of sim/applescript: standard C++ only.
#pragma once

#include <string_view>

#include "ast.hpp"
#include "lexer.hpp"

namespace takt::sim::as {

// Throws SyntaxError.
Script parse(std::string_view source);

}  // namespace takt::sim::as
