#pragma once
/// Text matching for search: case folding of UTF-8 text, so that "ÄPFEL" finds "äpfel".
/// Pure functions; thread-safe.

#include <string>
#include <string_view>
#include <vector>

namespace takt::things {

/// `text` with upper-case letters turned to lower case: ASCII, Latin-1 and Latin
/// Extended-A/Additional, Greek, Cyrillic, Armenian and full-width Latin letters. Other
/// characters, and bytes that are not valid UTF-8, are kept as they are.
std::string fold_case(std::string_view text);

/// The words of a search query: split at white space, case-folded, empty words dropped.
std::vector<std::string> search_words(std::string_view query);

}  // namespace takt::things
