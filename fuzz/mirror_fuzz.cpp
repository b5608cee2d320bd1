// takt's mirror of Things (Mirror::load), which reads what an AppleScript printed: on a
// Mac, text from Things itself, titles and notes the user typed or pasted. Input: the
// script's printed result. Checks: a Mirror or a MirrorError, nothing else; a mirror that
// loads answers the read tools from it (each answer JSON, or a takt error for a bad id).

#include <rapidjson/document.h>

#include <optional>
#include <string>

#include "check.hpp"
#include "things/catalog/catalog.hpp"
#include "things/catalog/tools.hpp"
#include "things/db/db.hpp"
#include "things/mirror/mirror.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace takt::things;
  std::optional<Mirror> mirror;
  try {
    mirror.emplace(Mirror::load(std::string_view(reinterpret_cast<const char*>(data), size)));
  } catch (const MirrorError&) {
    return 0;
  }
  ThingsDb db(mirror->connection(), [] { return Date{2026, 12, 5}; });
  for (const char* tool : {"get_today", "get_anytime", "get_logbook", "get_areas", "get_tags", "search", "get_summary"}) {
    rapidjson::Document args;
    args.Parse(std::string(tool) == "search" ? R"({"query":"a"})" : "{}");
    std::string answer;
    try {
      answer = run_read(*find_tool(tool), args, db);
    } catch (const DbError& e) {
      TAKT_FUZZ_CHECK(false, std::string(tool) + " failed on a mirror that loaded: " + e.what());
    }
    rapidjson::Document out;
    out.Parse(answer.c_str());
    TAKT_FUZZ_CHECK(!out.HasParseError() && out.IsObject(), std::string(tool) + " answers a JSON object");
  }
  return 0;
}
