// Script generation for the backend: the operations takt renders for the AppleScript lane,
// in the one dialect takt has (AppleScript, run by osascript on a Mac and by things-sim). Input: lines, each a byte choosing a tool of the catalogue
// then the JSON text of its arguments. Arguments pass the same checks as in takt
// (parse_message, then things::check_arguments for that dialect); what passes becomes
// operations (writes: to_operations), rendered as ONE script per dialect,
// as the lane batches them.
//
// The oracle reads the script back the way AppleScript would:
//  - the string literals decoded as AppleScript reads them must hold every
//    user string intact and in order (nothing breaks out of a literal), and a tag list
//    Things splits at commas must split into exactly the tags given.

#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "check.hpp"
#include "base/json.hpp"
#include "mcp/jsonrpc.hpp"
#include "things/catalog/catalog.hpp"
#include "things/script/applescript.hpp"
#include "things/catalog/tools.hpp"

namespace {

using namespace takt;

// ---- applescript: its string literals, read as AppleScript reads them ---------------------

/// Every string expression of the script: a literal ("..." with \\ \" \n \r \t escapes),
/// or literals joined by `& linefeed &` / `& return &` as applescript_string writes them.
std::vector<std::string> applescript_strings(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while ((i = s.find('"', i)) != std::string_view::npos) {
    std::string value;
    for (;;) {
      ++i;  // past the opening quote
      for (; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] != '\\') {
          value += s[i];
          continue;
        }
        TAKT_FUZZ_CHECK(++i < s.size(), "a literal ends after a backslash");
        const char e = s[i];
        TAKT_FUZZ_CHECK(e == '\\' || e == '"' || e == 'n' || e == 'r' || e == 't', "a known escape");
        value += e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e;
      }
      TAKT_FUZZ_CHECK(i < s.size(), "every literal is closed");
      ++i;  // past the closing quote
      const auto rest = s.substr(i);
      if (rest.starts_with(" & linefeed & \"")) {
        value += '\n';
        i += 14;
      } else if (rest.starts_with(" & return & \"")) {
        value += '\r';
        i += 12;
      } else {
        break;
      }
    }
    out.push_back(std::move(value));
  }
  return out;
}

void check_applescript(const std::vector<things::Operation>& ops, const std::string& script) {
  std::vector<std::string> expected;
  for (const auto& op : ops) {
    TAKT_FUZZ_CHECK(!std::holds_alternative<things::ReadOp>(op), "only writes reach the AppleScript dialect");
    // Every literal of every operation is read back above (closed, known escapes); the
    // strings of new to-dos are also followed into the script, intact and in order.
    const auto* a = std::get_if<things::AddTodo>(&op);
    if (!a) continue;
    expected.push_back(a->title);
    if (a->notes) expected.push_back(*a->notes);
    if (a->project) expected.push_back(*a->project);
    else if (a->area) expected.push_back(*a->area);
    if (!a->tags.empty()) {
      std::string joined;
      for (const auto& t : a->tags) {
        TAKT_FUZZ_CHECK(t.find(',') == std::string::npos, "no tag Things would split at a comma: " + t);
        joined += (joined.empty() ? "" : ", ") + t;
      }
      expected.push_back(joined);
    }
  }
  const auto found = applescript_strings(script);
  std::size_t at = 0;
  for (const auto& s : found)
    if (at < expected.size() && s == expected[at]) ++at;
  TAKT_FUZZ_CHECK(at == expected.size(), "every user string is one intact literal, in order:\n" + script);
}

// ---- the dialects --------------------------------------------------------------------------

struct DialectCase {
  const char* name;
  const things::Dialect& dialect;
  void (*check)(const std::vector<things::Operation>&, const std::string&);
};

const things::AppleScriptDialect kAppleScript([] { return things::Date{2025, 6, 15}; });
const DialectCase kDialects[] = {
    {"applescript", kAppleScript, check_applescript},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& catalog = things::tool_catalog();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // The parsed messages own the arguments the operations were made from.
  std::vector<mcp::ParseResult> messages;
  std::vector<std::pair<const things::ToolSpec*, const rapidjson::Value*>> calls;
  while (!text.empty() && calls.size() < 16) {
    const auto nl = text.find('\n');
    auto line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.empty()) continue;
    const auto& tool = catalog[static_cast<unsigned char>(line.front()) % catalog.size()];
    line.remove_prefix(1);
    if (tool.kind == things::ToolKind::Status) continue;
    auto parsed = mcp::parse_message(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"arguments":)" +
                                         std::string(line) + "}}",
                                     64);
    if (!parsed.message || !parsed.message->params) continue;
    const auto* args = json::member(*parsed.message->params, "arguments");
    if (!args || !args->IsObject()) continue;
    calls.emplace_back(&tool, args);
    messages.push_back(std::move(parsed));
  }
  for (const auto& d : kDialects) {
    std::vector<things::Operation> ops;
    for (const auto& [tool, args] : calls) {
      if (things::check_arguments(*tool, *args, d.dialect)) continue;  // refused before the lane
      // Reads never reach the dialect: the lane answers them from takt's mirror of Things.
      if (tool->kind != things::ToolKind::Write) continue;
      const auto made = things::to_operations(*tool, *args);
      bool supported = true;
      for (const auto& op : made) supported = supported && !d.dialect.unsupported(op);
      if (!supported) continue;  // classify refuses the call too
      ops.insert(ops.end(), made.begin(), made.end());
    }
    if (ops.empty()) continue;
    d.check(ops, d.dialect.render(ops));
  }
  return 0;
}
