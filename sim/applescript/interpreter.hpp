// The AppleScript evaluator: runs a parsed Script. AppleScript's own semantics live here
// (variables and handler scopes, tell targets, control flow, try / on error, operators,
// coercions, text item delimiters, dates, list and text elements, whose filters); every
// application object is delegated to an Application (the Things model in sim/model, or a
// test double). The evaluator bounds what a hostile script can take: evaluation steps,
// handler depth (a catchable "Stack overflow", -2706, as in AppleScript), the size and
// nesting of the values it builds, and the total time spent in `delay`; exceeding one of
// the others throws LimitError, which `try` cannot catch.
// Part of sim/applescript: standard C++ only.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <string_view>
#include <string>
#include <utility>
#include <vector>

#include "ast.hpp"
#include "value.hpp"

namespace takt::sim::as {

using Params = std::vector<std::pair<std::string, Value>>;

// What a `tell application "..."` block talks to. Objects are Value::object(class, id);
// the application itself is Value::object("application", name). Errors are ScriptError
// with the application's message ("Can’t get to do id \"x\"."); the evaluator adds the
// "Things3 got an error: " prefix as AppleScript does.
class Application {
 public:
  virtual ~Application() = default;
  virtual std::string name() const = 0;
  // Every element of class `cls` of the container (the application or an object).
  virtual std::vector<Value> elements(const Value& container, const std::string& cls) = 0;
  virtual Value by_id(const Value& container, const std::string& cls, const Value& id) = 0;
  virtual Value by_name(const Value& container, const std::string& cls, const std::string& name) = 0;
  virtual Value get(const Value& object, const std::string& property) = 0;
  virtual void set(const Value& object, const std::string& property, const Value& value) = 0;
  // A property of many objects at once (`id of every to do of list "Trash"`: one Apple
  // event in AppleScript). By default one get per object.
  virtual std::vector<Value> get_many(const std::vector<Value>& objects, const std::string& property) {
    std::vector<Value> out;
    out.reserve(objects.size());
    for (const Value& object : objects) out.push_back(get(object, property));
    return out;
  }
  // make, move, schedule, delete, empty trash, show, activate, log completed now, ...
  // `direct` is Kind::nothing when the command has no direct parameter. An insertion
  // location (`at beginning of X`) is Value::object("insertion", "beginning"|"end") with
  // the container as the single item of its list.
  virtual Value command(const std::string& command, const Value& direct, const Params& params) = 0;
  // `do shell script "open -g 'things:///...'"`: the URL.
  virtual void open_url(const std::string& url) = 0;
  // `delay`: the application keeps running meanwhile (URL-scheme changes may land).
  virtual void delay(double seconds) = 0;
  // An object specifier written out in the script is being resolved (`name of tags of
  // every to do`, `to dos of list id "X" whose id is "Y"`): AppleScript sends it to the
  // application whole, as one Apple event, however many objects it reaches. Nested calls
  // are one specifier; begin and end always pair.
  virtual void begin_specifier() {}
  virtual void end_specifier() {}
};

struct Limits {
  std::int64_t max_steps = 100'000'000;  // takt's mirror script on 50,000 items: about 13,000,000
  int max_call_depth = 200;
  // Bytes of the values the script builds (a list item counts as sizeof(Value), text by
  // its length): in all, and in one value.
  std::int64_t max_bytes = std::int64_t{1} << 30;
  std::int64_t max_value_bytes = std::int64_t{512} << 20;
  int max_nesting = 64;                 // lists / records inside lists / records
  double max_delay_seconds = 60.0;
};

class Interpreter {
 public:
  Interpreter(Application& app, Limits limits = {});
  // Runs the script's run handler (or its top-level statements). Returns the result.
  // Throws ScriptError (an uncaught error) or LimitError.
  Value run(const Script& script);
  // Lines written by `log`, for stderr.
  const std::vector<std::string>& log_lines() const { return log_; }
  std::int64_t steps() const { return steps_; }

 private:
  struct ReturnSignal {
    Value value;
  };
  struct ExitSignal {};
  using Frame = std::vector<std::pair<std::string, Value>>;

  void exec(const Node& node);
  void exec_block(const Node& node);
  Value eval(const Node& node);
  Value eval_property(const Node& node);
  Value property_of(const Value& container, const std::string& property, bool many);
  Value eval_element(const Node& node);
  Value eval_command(const Node& node);
  Value eval_binary(const Node& node);
  Value call_handler(const std::string& name, std::vector<Value> args, bool mine);
  Value app_call(const std::function<Value()>& fn);
  void assign(const Node& target, const Value& value);
  Value* find_variable(const std::string& name);
  void set_variable(const std::string& name, Value value);
  Value current_target() const;
  bool inside_application() const;
  void step();
  void charge(const Value& value);
  std::vector<Value> items_of(const Value& container, const std::string& cls);
  Value select(const Node& node, const Value& container, std::vector<Value> items);
  // `item k of ...` / `item "name" of ...` (node.aux "index" or "name") among `items`.
  Value item_at(const Node& node, const Value& container, const std::vector<Value>& items);
  Value shell(const std::string& command);

  Application& app_;
  Limits limits_;
  const Script* script_ = nullptr;
  std::vector<Frame> frames_;
  Frame globals_;
  std::vector<Value> targets_;
  std::vector<std::string> tids_{""};
  std::vector<std::string> log_;
  std::int64_t steps_ = 0;
  std::int64_t cells_ = 0;
  int call_depth_ = 0;
  double delayed_ = 0.0;
  Value result_of_last_;
  std::mt19937 rng_{20261204};
};

// The words of a `do shell script` command line, as sh would split them (single and
// double quotes, backslashes). nullopt for anything sh would do more with ($, `, ;, |, ...).
std::optional<std::vector<std::string>> shell_words(std::string_view command);

}  // namespace takt::sim::as
