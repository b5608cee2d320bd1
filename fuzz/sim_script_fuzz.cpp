// things-sim's script parser (sim::parse_script), which reads whatever arrives on its
// stdin. Input: the script text. Checks: it gives operations or throws ScriptError (exit 2
// in things-sim), nothing else: any other exception or a crash is a finding; an accepted
// script was valid JSON with an "ops" array of that many entries.

#include <rapidjson/document.h>

#include <string>

#include "check.hpp"
#include "script.hpp"
#include "sim.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<takt::sim::Op> ops;
  try {
    ops = takt::sim::parse_script(text);
  } catch (const takt::sim::ScriptError& e) {
    TAKT_FUZZ_CHECK(*e.what() != '\0', "a script error says why");
    return 0;
  }
  rapidjson::Document d;
  d.Parse<rapidjson::kParseIterativeFlag>(text.data(), text.size());
  TAKT_FUZZ_CHECK(!d.HasParseError() && d.IsObject() && d.HasMember("ops") && d["ops"].IsArray(),
                  "an accepted script is {\"ops\":[...]}");
  TAKT_FUZZ_CHECK(d["ops"].Size() == ops.size(), "one op per entry");
  return 0;
}
