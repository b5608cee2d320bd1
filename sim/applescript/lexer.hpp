// The AppleScript lexer: source text to tokens (words, strings, numbers, symbols, line
// ends), after the AppleScript Language Guide's lexical conventions: `--` and `#` line
// comments, nested `(* *)` block comments, `¬` line continuation, `|identifiers|`,
// string escapes \" \\ \n \t \r, the possessive `'s`, `isn't` / `doesn't` as one word,
// and the operator characters ≠ ≤ ≥ as well as <> <= >= /= .
// Part of sim/applescript: standard C++ only.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace takt::sim::as {

enum class Tok { word, string, integer, real, symbol, newline, end };

struct Token {
  Tok type = Tok::end;
  std::string text;  // word: lower-case (|piped| words keep their case); symbol: its text
  bool piped = false;
  int line = 1;
};

// A script that does not lex or parse: osascript's "syntax error: MESSAGE".
struct SyntaxError {
  std::string message;
  int line = 0;
};

std::vector<Token> lex(std::string_view source);

}  // namespace takt::sim::as
