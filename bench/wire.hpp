#pragma once
/// Just enough JSON for the bench tools: find the members of one object without building
/// a document, and skip values without looking inside them. Header-only, no allocation,
/// no validation beyond what finding members needs (the server's JSON is trusted here;
/// malformed input yields "not found", never a read past `end`). Thread-safe (pure).

#include <cstdint>
#include <cstring>
#include <string_view>

namespace bench::wire {

inline const char* skip_ws(const char* p, const char* end) {
  while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')) ++p;
  return p;
}

/// p at the opening quote; returns one past the closing quote, or end.
inline const char* skip_string(const char* p, const char* end) {
  ++p;
  while (p < end) {
    const auto* q = static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(end - p)));
    if (!q) return end;
    // An escaped quote has an odd number of backslashes before it.
    const char* b = q;
    while (b > p && b[-1] == '\\') --b;
    if (((q - b) & 1) == 0) return q + 1;
    p = q + 1;
  }
  return end;
}

/// p at the first character of a value; returns one past it, or end.
inline const char* skip_value(const char* p, const char* end) {
  if (p >= end) return end;
  if (*p == '"') return skip_string(p, end);
  if (*p == '{' || *p == '[') {
    int depth = 0;
    while (p < end) {
      const char c = *p;
      if (c == '"') {
        p = skip_string(p, end);
        continue;
      }
      if (c == '{' || c == '[') ++depth;
      else if (c == '}' || c == ']') {
        if (--depth == 0) return p + 1;
      }
      ++p;
    }
    return end;
  }
  while (p < end && *p != ',' && *p != '}' && *p != ']' && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') ++p;
  return p;
}

/// A value's text, quotes included for strings. Empty: absent.
using Span = std::string_view;

/// Walks the members of the object starting at `p` (at '{'), calling
/// `visit(key, value_begin, end) -> const char*` for each: the visitor returns where the
/// value ends (call skip_value to get it), or nullptr to stop the walk early, which is
/// how callers avoid skipping a large value they do not need.
template <class Visit>
inline void for_each_member(const char* p, const char* end, Visit&& visit) {
  p = skip_ws(p, end);
  if (p >= end || *p != '{') return;
  ++p;
  while (true) {
    p = skip_ws(p, end);
    if (p >= end || *p != '"') return;
    const char* kb = p + 1;
    p = skip_string(p, end);
    if (p >= end) return;
    const std::string_view key(kb, static_cast<std::size_t>(p - 1 - kb));
    p = skip_ws(p, end);
    if (p >= end || *p != ':') return;
    p = skip_ws(p + 1, end);
    const char* next = visit(key, p, end);
    if (!next) return;
    p = skip_ws(next, end);
    if (p >= end || *p != ',') return;
    ++p;
  }
}

/// The value of member `key` of the object at `p`, or an empty span.
inline Span member(const char* p, const char* end, std::string_view key) {
  Span found;
  for_each_member(p, end, [&](std::string_view k, const char* v, const char* e) -> const char* {
    const char* ve = skip_value(v, e);
    if (k == key) {
      found = Span(v, static_cast<std::size_t>(ve - v));
      return nullptr;
    }
    return ve;
  });
  return found;
}
inline Span member(Span object, std::string_view key) { return member(object.data(), object.data() + object.size(), key); }

/// A string value without its quotes (escapes left as they are).
inline std::string_view unquote(Span v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return v.substr(1, v.size() - 2);
  return v;
}

/// What one line from a server is, found in one pass over its top-level members that stops
/// as soon as the answer is known (for `{"jsonrpc":"2.0","id":7,"result":{...}}` it never
/// looks inside the result).
struct Reply {
  enum class Kind { Other, Response, ServerMessage } kind = Kind::Other;  ///< ServerMessage: has a method
  Span id;             ///< raw id text (a number, or a string with its quotes)
  bool error = false;  ///< a JSON-RPC error response
  const char* result = nullptr;  ///< start of the result value, if any
};

inline Reply classify(const char* p, const char* end) {
  Reply r;
  bool have_id = false, have_body = false, have_method = false;
  for_each_member(p, end, [&](std::string_view k, const char* v, const char* e) -> const char* {
    if (k == "id") {
      const char* ve = skip_value(v, e);
      r.id = Span(v, static_cast<std::size_t>(ve - v));
      have_id = true;
      if (have_body || have_method) return nullptr;
      return ve;
    }
    if (k == "result" || k == "error") {
      r.error = k == "error";
      if (!r.error) r.result = v;
      have_body = true;
      if (have_id) return nullptr;
      return skip_value(v, e);
    }
    if (k == "method") {
      have_method = true;
      if (have_id) return nullptr;
    }
    return skip_value(v, e);
  });
  if (have_method) r.kind = Reply::Kind::ServerMessage;
  else if (have_id && have_body) r.kind = Reply::Kind::Response;
  return r;
}

/// A non-negative integer id, or -1.
inline int64_t integer_id(Span id) {
  if (id.empty() || id.size() > 18) return -1;
  int64_t v = 0;
  for (char c : id) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

/// Whether a tool result says `"isError":true`. Looks from `from` to the end of the line
/// (a key inside a string would have escaped quotes, so only a real member matches).
/// Servers that end the result with `"isError":...}` (takt does) are answered from the
/// last bytes of the line, so a large result costs no scan; others are searched whole.
inline bool is_tool_error(const char* from, const char* end) {
  if (!from) return false;
  static constexpr std::string_view kTrue = "\"isError\":true}", kFalse = "\"isError\":false}";
  std::string_view line(from, static_cast<std::size_t>(end - from));
  while (!line.empty() && (line.back() == ' ' || line.back() == '}')) line.remove_suffix(1);  // the envelope's }
  line = std::string_view(from, line.size() + 1);  // keep the result's own closing brace
  if (line.size() >= kFalse.size() && line.substr(line.size() - kFalse.size()) == kFalse) return false;
  if (line.size() >= kTrue.size() && line.substr(line.size() - kTrue.size()) == kTrue) return true;
  static constexpr char kNeedle[] = "\"isError\":true";
  return memmem(from, static_cast<std::size_t>(end - from), kNeedle, sizeof(kNeedle) - 1) != nullptr;
}

}  // namespace bench::wire
