#include "lexer.hpp"

#include <cctype>

namespace takt::sim::as {

namespace {

constexpr std::size_t max_tokens = 2'000'000;

bool word_char(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }

bool starts_with(std::string_view text, std::size_t at, std::string_view prefix) {
  return text.substr(at, prefix.size()) == prefix;
}

}  // namespace

std::vector<Token> lex(std::string_view src) {
  std::vector<Token> tokens;
  int line = 1;
  std::size_t i = 0;
  auto push = [&](Tok type, std::string text, bool piped = false) {
    if (tokens.size() >= max_tokens) throw SyntaxError{"the script is too long", line};
    tokens.push_back(Token{type, std::move(text), piped, line});
  };
  auto newline = [&] {
    if (!tokens.empty() && tokens.back().type != Tok::newline) push(Tok::newline, "\n");
    ++line;
  };
  while (i < src.size()) {
    const unsigned char c = static_cast<unsigned char>(src[i]);
    if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < src.size() && src[i + 1] == '\n') ++i;
      ++i;
      newline();
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\f' || c == '\v') {
      ++i;
      continue;
    }
    // ¬ (U+00AC) continues the statement on the next line.
    if (starts_with(src, i, "\xC2\xAC")) {
      i += 2;
      while (i < src.size() && (src[i] == ' ' || src[i] == '\t')) ++i;
      if (i < src.size() && (src[i] == '\r' || src[i] == '\n')) {
        if (src[i] == '\r' && i + 1 < src.size() && src[i + 1] == '\n') ++i;
        ++i;
        ++line;
        continue;
      }
      throw SyntaxError{"\xC2\xAC must end its line", line};
    }
    if (starts_with(src, i, "--") || c == '#') {
      while (i < src.size() && src[i] != '\n' && src[i] != '\r') ++i;
      continue;
    }
    if (starts_with(src, i, "(*")) {
      int depth = 0;
      const int start_line = line;
      while (i < src.size()) {
        if (starts_with(src, i, "(*")) {
          ++depth;
          i += 2;
        } else if (starts_with(src, i, "*)")) {
          --depth;
          i += 2;
          if (depth == 0) break;
        } else {
          if (src[i] == '\n') ++line;
          ++i;
        }
      }
      if (depth != 0) throw SyntaxError{"a (* comment is not closed", start_line};
      continue;
    }
    if (c == '"' || starts_with(src, i, "\xE2\x80\x9C")) {  // " or “
      const bool curly = c != '"';
      i += curly ? 3 : 1;
      std::string text;
      const int start_line = line;
      bool closed = false;
      while (i < src.size()) {
        if (!curly && src[i] == '"') {
          ++i;
          closed = true;
          break;
        }
        if (curly && starts_with(src, i, "\xE2\x80\x9D")) {
          i += 3;
          closed = true;
          break;
        }
        if (src[i] == '\\') {
          if (i + 1 >= src.size()) break;
          const char e = src[i + 1];
          switch (e) {
            case 'n': text += '\n'; break;
            case 't': text += '\t'; break;
            case 'r': text += '\r'; break;
            case '"': text += '"'; break;
            case '\\': text += '\\'; break;
            default:
              throw SyntaxError{std::string("unknown escape \\") + e + " in a string", line};
          }
          i += 2;
          continue;
        }
        if (src[i] == '\n') ++line;
        text += src[i++];
      }
      if (!closed) throw SyntaxError{"a string is not closed", start_line};
      push(Tok::string, std::move(text));
      continue;
    }
    if (c == '|') {
      const std::size_t end = src.find('|', i + 1);
      if (end == std::string_view::npos) throw SyntaxError{"a |identifier| is not closed", line};
      std::string text(src.substr(i + 1, end - i - 1));
      if (text.find_first_of("\r\n") != std::string::npos) throw SyntaxError{"a |identifier| spans lines", line};
      push(Tok::word, std::move(text), true);
      i = end + 1;
      continue;
    }
    if (std::isdigit(c) || (c == '.' && i + 1 < src.size() && std::isdigit(static_cast<unsigned char>(src[i + 1])))) {
      const std::size_t start = i;
      bool real = false;
      while (i < src.size() && std::isdigit(static_cast<unsigned char>(src[i]))) ++i;
      if (i < src.size() && src[i] == '.' && i + 1 < src.size() && std::isdigit(static_cast<unsigned char>(src[i + 1]))) {
        real = true;
        ++i;
        while (i < src.size() && std::isdigit(static_cast<unsigned char>(src[i]))) ++i;
      }
      if (i < src.size() && (src[i] == 'e' || src[i] == 'E')) {
        std::size_t j = i + 1;
        if (j < src.size() && (src[j] == '+' || src[j] == '-')) ++j;
        if (j < src.size() && std::isdigit(static_cast<unsigned char>(src[j]))) {
          real = true;
          i = j;
          while (i < src.size() && std::isdigit(static_cast<unsigned char>(src[i]))) ++i;
        }
      }
      std::string text(src.substr(start, i - start));
      // Integers beyond 2^29 are reals in AppleScript; we keep 64-bit integers up to 15 digits.
      if (!real && text.size() > 15) real = true;
      push(real ? Tok::real : Tok::integer, std::move(text));
      if (i < src.size() && word_char(static_cast<unsigned char>(src[i])) && !std::isdigit(static_cast<unsigned char>(src[i]))) {
        throw SyntaxError{"a number runs into a word", line};
      }
      continue;
    }
    const bool symbol_char = starts_with(src, i, "\xE2\x89\xA0") || starts_with(src, i, "\xE2\x89\xA4") ||
                             starts_with(src, i, "\xE2\x89\xA5") || starts_with(src, i, "\xC3\xB7") ||
                             starts_with(src, i, "\xE2\x80\x99") || starts_with(src, i, "\xC2\xAB") ||
                             starts_with(src, i, "\xC2\xBB");
    if (word_char(c) && !symbol_char) {
      const std::size_t start = i;
      while (i < src.size()) {
        const unsigned char d = static_cast<unsigned char>(src[i]);
        if (d >= 0x80) {
          // Multi-byte characters: the typographic symbols are operators, not letters.
          if (starts_with(src, i, "\xC2\xAC") || starts_with(src, i, "\xE2\x89\xA0") ||
              starts_with(src, i, "\xE2\x89\xA4") || starts_with(src, i, "\xE2\x89\xA5") ||
              starts_with(src, i, "\xE2\x80\x99") || starts_with(src, i, "\xE2\x80\x9C") ||
              starts_with(src, i, "\xC2\xAB") || starts_with(src, i, "\xC2\xBB") || starts_with(src, i, "\xC3\xB7")) {
            break;
          }
          ++i;
          continue;
        }
        if (!word_char(d)) break;
        ++i;
      }
      std::string text(src.substr(start, i - start));
      for (char& ch : text) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      // isn't, doesn't, aren't, don't: one word.
      const bool apostrophe = i < src.size() && src[i] == '\'';
      const bool curly = starts_with(src, i, "\xE2\x80\x99");
      if ((apostrophe || curly) && (text == "isn" || text == "doesn" || text == "aren" || text == "don" || text == "wasn")) {
        const std::size_t after = i + (curly ? 3 : 1);
        if (after < src.size() && (src[after] == 't' || src[after] == 'T')) {
          text += "'t";
          i = after + 1;
        }
      }
      push(Tok::word, std::move(text));
      continue;
    }
    if (c == '\'' || starts_with(src, i, "\xE2\x80\x99")) {
      const std::size_t after = i + (c == '\'' ? 1 : 3);
      if (after < src.size() && (src[after] == 's' || src[after] == 'S') &&
          (after + 1 >= src.size() || !word_char(static_cast<unsigned char>(src[after + 1])))) {
        push(Tok::symbol, "'s");
        i = after + 1;
        continue;
      }
      throw SyntaxError{"unexpected '", line};
    }
    static const std::pair<std::string_view, std::string_view> symbols[] = {
        {"\xE2\x89\xA0", "!="}, {"\xE2\x89\xA4", "<="}, {"\xE2\x89\xA5", ">="}, {"\xC3\xB7", "/"},
        {"<>", "!="},           {"/=", "!="},           {"<=", "<="},           {">=", ">="},
        {"&", "&"},             {"+", "+"},             {"-", "-"},             {"*", "*"},
        {"/", "/"},             {"^", "^"},             {"=", "="},             {"<", "<"},
        {">", ">"},             {"(", "("},             {")", ")"},             {"{", "{"},
        {"}", "}"},             {",", ","},             {":", ":"},             {";", ";"}};
    bool matched = false;
    for (const auto& [spelling, name] : symbols) {
      if (starts_with(src, i, spelling)) {
        push(Tok::symbol, std::string(name));
        i += spelling.size();
        matched = true;
        break;
      }
    }
    if (!matched) {
      throw SyntaxError{"unexpected character '" + std::string(1, static_cast<char>(c)) + "'", line};
    }
  }
  if (tokens.empty() || tokens.back().type != Tok::newline) push(Tok::newline, "\n");
  push(Tok::end, "");
  return tokens;
}

}  // namespace takt::sim::as
