#include "things/data/folding.hpp"

#include <tuple>
#include <utility>

namespace takt::things {
namespace {

/// Lower-case pairs laid out as upper/lower alternating code points.
char32_t alternating(char32_t c, char32_t first, char32_t last, bool upper_is_even) {
  if (c < first || c > last) return 0;
  return ((c % 2 == 0) == upper_is_even) ? c + 1 : c;
}

char32_t lower_latin(char32_t c) {
  if (c >= U'A' && c <= U'Z') return c + 32;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  if (c == 0x130) return U'i';  // İ
  if (c == 0x178) return 0xFF;  // Ÿ
  if (c == 0x1E9E) return 0xDF;  // ẞ
  for (auto [first, last, even] : {std::tuple{0x100u, 0x137u, true}, std::tuple{0x139u, 0x148u, false},
                                   std::tuple{0x14Au, 0x177u, true}, std::tuple{0x179u, 0x17Eu, false},
                                   std::tuple{0x1E00u, 0x1E95u, true}, std::tuple{0x1EA0u, 0x1EFFu, true}})
    if (char32_t l = alternating(c, first, last, even)) return l;
  if (c >= 0xFF21 && c <= 0xFF3A) return c + 32;  // full-width A-Z
  return c;
}

char32_t lower_other(char32_t c) {
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 32;  // Greek capitals
  if (c == 0x3C2) return 0x3C3;                               // final sigma matches sigma
  if (c == 0x386) return 0x3AC;
  if (c >= 0x388 && c <= 0x38A) return c + 37;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 63;
  if (c >= 0x410 && c <= 0x42F) return c + 32;  // Cyrillic
  if (c >= 0x400 && c <= 0x40F) return c + 80;
  for (auto [first, last] : {std::pair{0x460u, 0x481u}, std::pair{0x48Au, 0x4BFu}})
    if (char32_t l = alternating(c, first, last, true)) return l;
  if (c >= 0x531 && c <= 0x556) return c + 48;  // Armenian
  return c;
}

char32_t lower(char32_t c) {
  if (c < 0x370 || (c >= 0x1E00 && c <= 0x1EFF) || c >= 0xFF00) return lower_latin(c);
  return lower_other(c);
}

/// Decodes one UTF-8 sequence at `at`; returns its length, or 0 when it is not valid.
std::size_t decode(std::string_view s, std::size_t at, char32_t& out) {
  const auto b = static_cast<unsigned char>(s[at]);
  std::size_t n = b < 0x80 ? 1 : (b >> 5) == 6 ? 2 : (b >> 4) == 14 ? 3 : (b >> 3) == 30 ? 4 : 0;
  if (n == 0 || at + n > s.size()) return 0;
  out = n == 1 ? b : n == 2 ? (b & 0x1F) : n == 3 ? (b & 0x0F) : (b & 0x07);
  for (std::size_t i = 1; i < n; ++i) {
    const auto c = static_cast<unsigned char>(s[at + i]);
    if ((c & 0xC0) != 0x80) return 0;
    out = (out << 6) | (c & 0x3F);
  }
  return n;
}

void encode(char32_t c, std::string& out) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

}  // namespace

std::string fold_case(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    char32_t c = 0;
    const std::size_t n = decode(text, i, c);
    if (n == 0) {
      out += text[i++];
      continue;
    }
    const char32_t l = lower(c);
    if (l == c) out.append(text.substr(i, n));
    else encode(l, out);
    i += n;
  }
  return out;
}

std::vector<std::string> search_words(std::string_view query) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < query.size()) {
    while (i < query.size() && is_space(query[i])) ++i;
    std::size_t j = i;
    while (j < query.size() && !is_space(query[j])) ++j;
    if (j > i) words.push_back(fold_case(query.substr(i, j - i)));
    i = j;
  }
  return words;
}

}  // namespace takt::things
