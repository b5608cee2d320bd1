#include "mcp/jsonrpc.hpp"

#include <rapidjson/error/en.h>

#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "base/json.hpp"

namespace takt::mcp {

namespace {

/// Offset of the first byte that is not UTF-8 as RFC 3629 defines it (no overlong forms,
/// no surrogates, nothing past U+10FFFF), or of the first NUL (JSON text never holds one
/// raw, and the in-situ parse below would stop there); npos when there is none.
/// ASCII, the common case, is checked eight bytes at a time.
std::size_t bad_byte_at(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  constexpr std::uint64_t kOnes = 0x0101010101010101ull, kHighs = 0x8080808080808080ull;
  std::size_t i = 0;
  while (i < n) {
    while (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (((w - kOnes) & ~w & kHighs) | (w & kHighs)) break;  // a zero byte, or a byte >= 0x80
      i += 8;
    }
    if (i >= n) break;
    const unsigned c = p[i];
    if (c < 0x80) {
      if (c == 0) return i;
      ++i;
      continue;
    }
    // The first continuation byte's range depends on the lead byte; the others are 80..BF.
    unsigned count = 0, lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) count = 1;
    else if (c == 0xE0) count = 2, lo = 0xA0;
    else if (c == 0xED) count = 2, hi = 0x9F;
    else if (c >= 0xE1 && c <= 0xEF) count = 2;
    else if (c == 0xF0) count = 3, lo = 0x90;
    else if (c >= 0xF1 && c <= 0xF3) count = 3;
    else if (c == 0xF4) count = 3, hi = 0x8F;
    else return i;
    if (n - i <= count) return i;
    if (p[i + 1] < lo || p[i + 1] > hi) return i;
    for (unsigned k = 2; k <= count; ++k)
      if ((p[i + k] & 0xC0) != 0x80) return i;
    i += count + 1;
  }
  return std::string_view::npos;
}

/// Builds the document from RapidJSON's events, refusing nesting deeper than `max` as
/// soon as it is entered: the reader recurses once per level, so it never goes further.
struct DepthLimited {
  rapidjson::Document& doc;
  unsigned max;
  unsigned depth = 0;
  bool too_deep = false;

  bool enter() {
    if (++depth <= max) return true;
    too_deep = true;
    return false;
  }
  bool Null() { return doc.Null(); }
  bool Bool(bool b) { return doc.Bool(b); }
  bool Int(int i) { return doc.Int(i); }
  bool Uint(unsigned i) { return doc.Uint(i); }
  bool Int64(std::int64_t i) { return doc.Int64(i); }
  bool Uint64(std::uint64_t i) { return doc.Uint64(i); }
  bool Double(double d) { return doc.Double(d); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) { return doc.RawNumber(s, n, copy); }
  bool String(const char* s, rapidjson::SizeType n, bool copy) { return doc.String(s, n, copy); }
  bool Key(const char* s, rapidjson::SizeType n, bool copy) { return doc.Key(s, n, copy); }
  bool StartObject() { return enter() && doc.StartObject(); }
  bool EndObject(rapidjson::SizeType n) { return --depth, doc.EndObject(n); }
  bool StartArray() { return enter() && doc.StartArray(); }
  bool EndArray(rapidjson::SizeType n) { return --depth, doc.EndArray(n); }
};

/// The id as JSON text: integers printed, strings re-quoted (escapes normalised).
std::string id_text(const rapidjson::Value& id) {
  if (!id.IsString()) {
    char buf[24];
    const auto r = id.IsInt64() ? std::to_chars(buf, buf + sizeof buf, id.GetInt64())
                                : std::to_chars(buf, buf + sizeof buf, id.GetUint64());
    return {buf, r.ptr};
  }
  return json::dump(id);
}

}  // namespace

ParseResult parse_message(std::string line, unsigned max_depth) {
  ParseResult out;
  if (auto at = bad_byte_at(line); at != std::string_view::npos) {
    out.error = RpcError{kParseError, std::string("Parse error: ") + (line[at] == '\0' ? "NUL byte" : "invalid UTF-8") +
                                          " (at byte " + std::to_string(at) + ")"};
    return out;
  }
  // A whole UTF-8 byte order mark may be ignored (RFC 8259); part of one is not UTF-8
  // and was refused above.
  if (line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
  // RapidJSON 1.1 refuses a lone high surrogate escape but takes a lone low one, storing
  // bytes that are not UTF-8 (which takt would echo). A line without \u costs one search.
  if (auto at = json::lone_low_surrogate(line); at != std::string_view::npos) {
    out.error = RpcError{kParseError, "Parse error: \\u" + line.substr(at + 2, 4) +
                                          " is half of a UTF-16 surrogate pair, not a character (at byte " +
                                          std::to_string(at) + ")"};
    return out;
  }
  // The message, its text and its allocator live in one block, parsed in place: strings
  // point into `text` instead of being copied, and a small message's values fit in
  // `first_chunk`, so parsing one allocates only RapidJSON's work stacks.
  struct Parsed {
    explicit Parsed(std::string t) : text(std::move(t)) {}
    std::string text;
    alignas(std::max_align_t) char first_chunk[768];
    rapidjson::MemoryPoolAllocator<> pool{first_chunk, sizeof first_chunk, 4096};
    rapidjson::Document doc{&pool, 256};
  };
  auto parsed = std::make_shared<Parsed>(std::move(line));
  std::shared_ptr<rapidjson::Document> doc(parsed, &parsed->doc);
  rapidjson::ParseResult status;
  bool too_deep = false;
  auto generate = [&](rapidjson::Document& d) {
    DepthLimited handler{d, max_depth};
    rapidjson::Reader reader(nullptr, 256);
    rapidjson::InsituStringStream in(parsed->text.data());
    // Without kParseStopWhenDoneFlag, anything after the value other than white space is an error.
    status = reader.Parse<rapidjson::kParseInsituFlag>(in, handler);
    too_deep = handler.too_deep;
    return !status.IsError();
  };
  doc->Populate(generate);
  if (too_deep) {
    out.error = RpcError{kParseError, "Parse error: nesting deeper than " + std::to_string(max_depth) + " levels"};
    return out;
  }
  if (status.IsError()) {
    std::string why = rapidjson::GetParseError_En(status.Code());
    out.error = RpcError{kParseError, "Parse error: " + why + " (at byte " + std::to_string(status.Offset()) + ")"};
    return out;
  }
  if (!doc->IsObject()) {
    out.error = RpcError{kInvalidRequest, doc->IsArray() ? "Invalid Request: JSON-RPC batches are not supported"
                                                          : "Invalid Request: a message must be a JSON object"};
    return out;
  }
  // One pass over the members; of a repeated name the first counts, as json::member has it.
  const rapidjson::Value *id = nullptr, *version = nullptr, *method = nullptr, *params = nullptr;
  bool result_or_error = false;
  for (const auto& m : doc->GetObject()) {
    const std::string_view name(m.name.GetString(), m.name.GetStringLength());
    const rapidjson::Value** slot = name == "id"        ? &id
                                    : name == "jsonrpc" ? &version
                                    : name == "method"  ? &method
                                    : name == "params"  ? &params
                                                        : nullptr;
    if (slot && !*slot) *slot = &m.value;
    if (name == "result" || name == "error") result_or_error = true;
  }
  if (id) {
    if (!id->IsString() && !id->IsInt64() && !id->IsUint64()) {
      out.error = RpcError{kInvalidRequest, "Invalid Request: 'id' must be a string or an integer"};
      return out;
    }
    out.id = id_text(*id);
  }
  if (!version || !version->IsString() ||
      std::string_view(version->GetString(), version->GetStringLength()) != "2.0") {
    out.error = RpcError{kInvalidRequest, "Invalid Request: 'jsonrpc' must be \"2.0\""};
    return out;
  }
  if (!method) {
    if (id && result_or_error) {
      Message msg;
      msg.kind = Message::Kind::Response;
      msg.id = out.id;
      msg.doc = std::move(doc);
      out.message = std::move(msg);
      return out;
    }
    out.error = RpcError{kInvalidRequest, "Invalid Request: 'method' is missing"};
    return out;
  }
  if (!method->IsString() || method->GetStringLength() == 0) {
    out.error = RpcError{kInvalidRequest, "Invalid Request: 'method' must be a non-empty string"};
    return out;
  }
  Message msg;
  msg.kind = id ? Message::Kind::Request : Message::Kind::Notification;
  msg.id = id ? out.id : std::string{};
  msg.method.assign(method->GetString(), method->GetStringLength());
  if (params) {
    if (!params->IsObject()) {
      out.error = RpcError{kInvalidParams, "Invalid params: 'params' must be an object"};
      return out;
    }
    msg.params = params;
  }
  msg.doc = std::move(doc);
  out.message = std::move(msg);
  return out;
}

std::string make_result(std::string_view id, std::string_view result) {
  std::string s;
  s.reserve(id.size() + result.size() + 40);
  s.append(R"({"jsonrpc":"2.0","id":)").append(id).append(R"(,"result":)").append(result).append("}");
  return s;
}

std::string make_error(std::string_view id, const RpcError& error) {
  std::string s;
  s.append(R"({"jsonrpc":"2.0","id":)").append(id).append(R"(,"error":{"code":)");
  s.append(std::to_string(error.code)).append(R"(,"message":)").append(json::quote(error.message)).append("}}");
  return s;
}

std::string make_notification(std::string_view method, std::string_view params) {
  std::string s;
  s.append(R"({"jsonrpc":"2.0","method":)").append(json::quote(method));
  s.append(R"(,"params":)").append(params).append("}");
  return s;
}

}  // namespace takt::mcp
