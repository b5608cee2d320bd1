// things-sim's AppleScript interpreter (sim/applescript: lexer, parser, evaluator), which
// runs whatever script arrives on things-sim's stdin. Input: the script text. It runs
// against a small in-memory application (a few to dos with names and statuses), so the
// whole language is reached without a database. Checks: the script runs to a value, or
// ends in a syntax error, an AppleScript error or one of the interpreter's limits, each
// with a message; nothing else (any other exception, a crash, a hang, an allocation
// over the fuzzer's limit) is a finding.

#include <map>
#include <string>
#include <vector>

#include "check.hpp"
#include "interpreter.hpp"
#include "parser.hpp"

namespace {

using namespace takt::sim::as;

class FuzzApp : public Application {
 public:
  std::string name() const override { return "Things3"; }
  std::vector<Value> elements(const Value&, const std::string& cls) override {
    if (cls != "to do" && cls != "list") throw ScriptError{"Can't get every " + cls + ".", -1728};
    std::vector<Value> out;
    for (const auto& [id, item] : items_) out.push_back(Value::object(cls, id));
    return out;
  }
  Value by_id(const Value&, const std::string& cls, const Value& id) override {
    if (id.kind != Kind::text || items_.count(id.s) == 0) throw ScriptError{"Can't get " + cls + " id.", -1728};
    return Value::object(cls, id.s);
  }
  Value by_name(const Value&, const std::string& cls, const std::string& n) override {
    for (const auto& [id, item] : items_) {
      if (item == n) return Value::object(cls, id);
    }
    throw ScriptError{"Can't get " + cls + ".", -1728};
  }
  Value get(const Value& object, const std::string& property) override {
    const auto found = items_.find(object.id);
    if (found == items_.end()) throw ScriptError{"Can't get it.", -1728};
    if (property == "name") return Value::text(found->second);
    if (property == "id") return Value::text(object.id);
    if (property == "due date") return Value::date(0);
    if (property == "status") return Value::constant("open");
    throw ScriptError{"Can't get " + property + ".", -1728};
  }
  void set(const Value& object, const std::string& property, const Value& value) override {
    const auto found = items_.find(object.id);
    if (found == items_.end() || property != "name" || value.kind != Kind::text) throw ScriptError{"Can't set.", -10006};
    if (value.s.size() < 4096) found->second = value.s;
  }
  Value command(const std::string& command, const Value&, const Params&) override {
    if (command == "make" && items_.size() < 64) {
      const std::string id = "n" + std::to_string(items_.size());
      items_[id] = "new";
      return Value::object("to do", id);
    }
    return Value::none();
  }
  void open_url(const std::string&) override {}
  void delay(double) override {}

 private:
  std::map<std::string, std::string> items_{{"a", "Alpha"}, {"b", "Beta"}, {"c", "Gamma"}};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Script script;
  try {
    script = parse(text);
  } catch (const SyntaxError& e) {
    TAKT_FUZZ_CHECK(!e.message.empty(), "a syntax error says why");
    return 0;
  }
  FuzzApp app;
  Limits limits;
  limits.max_steps = 200'000;
  limits.max_bytes = std::int64_t{64} << 20;
  limits.max_value_bytes = std::int64_t{8} << 20;
  Interpreter interpreter(app, limits);
  try {
    const Value result = interpreter.run(script);
    (void)osascript_text(result);
  } catch (const ScriptError& e) {
    TAKT_FUZZ_CHECK(!e.message.empty(), "an execution error says why");
  } catch (const LimitError& e) {
    TAKT_FUZZ_CHECK(!e.message.empty(), "a limit says which");
  }
  return 0;
}
