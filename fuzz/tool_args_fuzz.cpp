// Tool-argument validation, for every tool of the catalogue: the arguments reach
// things::check_arguments (the tool's JSON Schema through things::validate, then what the
// arguments mean and what the backend can do) inside a tools/call message parsed as takt
// parses it. Input: a byte choosing the tool, then the JSON text of `arguments`.
//
// Checks: no crash, no unbounded allocation; a refusal names something (non-empty) and
// the isError result takt answers with is valid JSON; arguments a write tool accepts turn
// into an operation.

#include <rapidjson/document.h>

#include <memory>
#include <string>

#include "check.hpp"
#include "base/json.hpp"
#include "mcp/jsonrpc.hpp"
#include "things/catalog/catalog.hpp"
#include "things/script/applescript.hpp"
#include "things/catalog/tools.hpp"

namespace {

void check_reply_is_json(const std::string& result) {
  rapidjson::Document d;
  d.Parse<rapidjson::kParseValidateEncodingFlag>(result.data(), result.size());
  TAKT_FUZZ_CHECK(!d.HasParseError() && d.IsObject(), "the tool result is JSON: " + result);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace takt;
  fuzz::Input in(data, size);
  const auto& catalog = things::tool_catalog();
  const auto& tool = catalog[in.byte() % catalog.size()];
  const std::string line = R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":)" +
                           json::quote(tool.name) + R"(,"arguments":)" + std::string(in.rest()) + "}}";
  const auto parsed = mcp::parse_message(line, 64);
  if (!parsed.message || !parsed.message->params) return 0;
  const auto* args = json::member(*parsed.message->params, "arguments");
  if (!args || !args->IsObject()) return 0;

  static const things::AppleScriptDialect applescript([] { return things::Date{2025, 6, 15}; });
  const things::Dialect* const dialects[] = {&applescript};
  for (const things::Dialect* dialect : dialects) {
    const auto why = things::check_arguments(tool, *args, *dialect);
    if (why) {
      TAKT_FUZZ_CHECK(!why->empty(), "a refusal says why");
      check_reply_is_json(things::tool_error("Invalid arguments: " + *why));
    } else if (tool.kind == things::ToolKind::Write) {
      for (const auto& op : things::to_operations(tool, *args))
        TAKT_FUZZ_CHECK(!dialect->unsupported(op), "accepted arguments are supported by the backend");
    }
  }
  return 0;
}
