#include "mcp/jsonrpc.hpp"

#include <rapidjson/error/en.h>

#include <cmath>

#include "mcp/json.hpp"

namespace takt::mcp {

ParseResult parse_message(std::string_view line, unsigned max_depth) {
  ParseResult out;
  if (json::nesting_depth(line, max_depth) > max_depth) {
    out.error = RpcError{kParseError, "Parse error: nesting deeper than " + std::to_string(max_depth) + " levels"};
    return out;
  }
  // RapidJSON skips the three bytes of a UTF-8 byte order mark one by one, each optional:
  // a whole BOM may be ignored (RFC 8259), a part of one is not UTF-8.
  if (!line.empty() && (line[0] == '\xEF' || line[0] == '\xBB' || line[0] == '\xBF') &&
      !line.starts_with("\xEF\xBB\xBF")) {
    out.error = RpcError{kParseError, "Parse error: Invalid encoding (at byte 0)"};
    return out;
  }
  // Only lines with a \u escape are looked at again (one memchr-speed scan otherwise).
  if (line.find("\\u") != std::string_view::npos) {
    if (auto at = json::lone_low_surrogate(line); at != std::string_view::npos) {
      out.error = RpcError{kParseError, "Parse error: \\u" + std::string(line.substr(at + 2, 4)) +
                                            " is half of a UTF-16 surrogate pair, not a character (at byte " +
                                            std::to_string(at) + ")"};
      return out;
    }
  }
  // A message and its allocator live in one block. RapidJSON's default first chunk is
  // 64 KiB; allocating and freeing that per message made glibc grow and trim the heap
  // on every request (a brk and a TLB shootdown each). Messages are small: start at 1 KiB.
  struct Parsed {
    rapidjson::MemoryPoolAllocator<> pool{1024};
    rapidjson::Document doc{&pool};
  };
  auto parsed = std::make_shared<Parsed>();
  std::shared_ptr<rapidjson::Document> doc(parsed, &parsed->doc);
  // Without kParseStopWhenDoneFlag, anything after the value other than white space is an error.
  doc->Parse<rapidjson::kParseValidateEncodingFlag>(line.data(), line.size());
  if (doc->HasParseError()) {
    std::string why = rapidjson::GetParseError_En(doc->GetParseError());
    out.error = RpcError{kParseError, "Parse error: " + why + " (at byte " + std::to_string(doc->GetErrorOffset()) + ")"};
    return out;
  }
  if (!doc->IsObject()) {
    out.error = RpcError{kInvalidRequest, doc->IsArray() ? "Invalid Request: JSON-RPC batches are not supported"
                                                          : "Invalid Request: a message must be a JSON object"};
    return out;
  }
  const auto& m = *doc;
  if (auto* id = json::member(m, "id")) {
    const bool integral = id->IsInt64() || id->IsUint64();
    if (id->IsString() || integral) {
      out.id = json::dump(*id);
    } else {
      out.error = RpcError{kInvalidRequest, "Invalid Request: 'id' must be a string or an integer"};
      return out;
    }
  }
  auto version = json::get_string(m, "jsonrpc");
  if (!version || *version != "2.0") {
    out.error = RpcError{kInvalidRequest, "Invalid Request: 'jsonrpc' must be \"2.0\""};
    return out;
  }
  const bool has_id = json::member(m, "id") != nullptr;
  auto* method = json::member(m, "method");
  if (!method) {
    if (has_id && (json::member(m, "result") || json::member(m, "error"))) {
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
  msg.kind = has_id ? Message::Kind::Request : Message::Kind::Notification;
  msg.id = has_id ? out.id : std::string{};
  msg.method.assign(method->GetString(), method->GetStringLength());
  if (auto* params = json::member(m, "params")) {
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
