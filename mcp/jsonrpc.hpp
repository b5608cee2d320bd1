#pragma once
/// JSON-RPC 2.0 as MCP uses it: one message per line, requests, notifications and
/// responses, and the error codes the spec gives. Pure functions, thread-safe.

#include <rapidjson/document.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace takt::mcp {

enum ErrorCode : int {
  kParseError = -32700,
  kInvalidRequest = -32600,
  kMethodNotFound = -32601,
  kInvalidParams = -32602,
  kInternalError = -32603,
  /// Server-defined: the request was admitted but the server cannot take more work now.
  kOverloaded = -32000,
};

/// A JSON-RPC error as it goes on the wire.
struct RpcError {
  int code = kInternalError;
  std::string message;
};

/// One parsed message. `doc` owns the whole message; `params` points into it.
struct Message {
  enum class Kind { Request, Notification, Response };
  Kind kind = Kind::Request;
  std::string id;      ///< the id as JSON text (`7` or `"abc"`); empty for notifications
  std::string method;  ///< empty for responses
  std::shared_ptr<rapidjson::Document> doc;
  const rapidjson::Value* params = nullptr;  ///< an object, or nullptr when absent
};

/// What parsing one line gives: a message, or an error to answer with `id` ("null" when
/// the id could not be read).
struct ParseResult {
  std::optional<Message> message;
  std::optional<RpcError> error;
  std::string id = "null";
};

/// Parses and validates one line (without its newline); the message keeps the text.
/// Rejects invalid UTF-8 and NUL bytes, nesting deeper than `max_depth`, non-objects, a
/// wrong `jsonrpc`, bad ids and bad params.
ParseResult parse_message(std::string line, unsigned max_depth);

/// Wire text of a success response; `result` is JSON text.
std::string make_result(std::string_view id, std::string_view result);
/// Wire text of an error response.
std::string make_error(std::string_view id, const RpcError& error);
/// Wire text of a notification; `params` is JSON text of an object.
std::string make_notification(std::string_view method, std::string_view params);

}  // namespace takt::mcp
