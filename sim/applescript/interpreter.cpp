#include "interpreter.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace takt::sim::as {

namespace {

const std::string apostrophe = "\xE2\x80\x99";  // AppleScript's messages use ’

Value script_object() { return Value::object("script", "me"); }
bool is_script(const Value& v) { return v.kind == Kind::object && v.s == "script"; }
bool is_app_object(const Value& v) { return v.kind == Kind::object && v.s != "script" && v.s != "insertion"; }
/// Classes of AppleScript's own values (elements of lists and text), not of an application.
bool is_list_class(const std::string& cls) {
  return cls == "item" || cls == "text" || cls == "character" || cls == "word" || cls == "paragraph" ||
         cls == "text item" || cls == "list" || cls == "record" || cls == "integer" || cls == "real" ||
         cls == "number" || cls == "date" || cls == "string" || cls == "boolean";
}

[[noreturn]] void cant_get(const std::string& what) { throw ScriptError{"Can" + apostrophe + "t get " + what + ".", -1728}; }

std::string lower_ascii(std::string_view text) { return fold_case(text); }

// Case-insensitive (ASCII) search, as AppleScript matches text by default.
std::size_t find_folded(const std::string& haystack_folded, const std::string& needle_folded, std::size_t from) {
  if (needle_folded.empty()) return from <= haystack_folded.size() ? from : std::string::npos;
  return haystack_folded.find(needle_folded, from);
}

std::vector<std::string> split_text_items(const std::string& text, const std::vector<std::string>& tids) {
  std::vector<std::string> items;
  if (text.empty()) return items;
  std::vector<std::string> delimiters;
  for (const std::string& d : tids) {
    if (!d.empty()) delimiters.push_back(lower_ascii(d));
  }
  if (delimiters.empty()) return characters(text);
  const std::string folded = lower_ascii(text);
  std::size_t start = 0;
  while (true) {
    std::size_t best = std::string::npos;
    std::size_t best_length = 0;
    for (const std::string& d : delimiters) {
      const std::size_t at = find_folded(folded, d, start);
      if (at != std::string::npos && (best == std::string::npos || at < best || (at == best && d.size() > best_length))) {
        best = at;
        best_length = d.size();
      }
    }
    if (best == std::string::npos) {
      items.push_back(text.substr(start));
      break;
    }
    items.push_back(text.substr(start, best - start));
    start = best + best_length;
  }
  return items;
}

std::vector<std::string> split_words_of(const std::string& text) {
  std::vector<std::string> words;
  std::string current;
  for (const std::string& ch : characters(text)) {
    const unsigned char c = static_cast<unsigned char>(ch[0]);
    const bool letter = ch.size() > 1 || std::isalnum(c) || c == '\'' || c == '_';
    if (letter) {
      current += ch;
    } else if (!current.empty()) {
      words.push_back(current);
      current.clear();
    }
  }
  if (!current.empty()) words.push_back(current);
  return words;
}

std::vector<std::string> split_paragraphs(const std::string& text) {
  std::vector<std::string> lines;
  if (text.empty()) return lines;
  std::string current;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' || text[i] == '\n') {
      if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      lines.push_back(current);
      current.clear();
    } else {
      current += text[i];
    }
  }
  lines.push_back(current);
  return lines;
}

List texts_to_list(const std::vector<std::string>& texts) {
  List items;
  items.reserve(texts.size());
  for (const std::string& t : texts) items.push_back(Value::text(t));
  return items;
}

std::string class_of(const Value& v) {
  switch (v.kind) {
    case Kind::text: return "text";
    case Kind::integer: return "integer";
    case Kind::real: return "real";
    case Kind::boolean: return "boolean";
    case Kind::list: return "list";
    case Kind::record: return "record";
    case Kind::date: return "date";
    case Kind::missing: return "missing value";
    case Kind::constant: return "constant";
    case Kind::object: return v.s;
    default: return "reference";
  }
}

std::string quoted_form(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

std::int64_t checked_index(std::int64_t index, std::size_t size, const std::function<std::string()>& what) {
  const auto n = static_cast<std::int64_t>(size);
  if (index == 0 || index > n || index < -n) cant_get(what());
  return index > 0 ? index - 1 : n + index;
}

}  // namespace

std::optional<std::vector<std::string>> shell_words(std::string_view command) {
  std::vector<std::string> words;
  std::string current;
  bool in_word = false;
  std::size_t i = 0;
  while (i < command.size()) {
    const char c = command[i];
    if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(current);
      current.clear();
      in_word = false;
      ++i;
      continue;
    }
    in_word = true;
    if (c == '\'') {
      const std::size_t end = command.find('\'', i + 1);
      if (end == std::string_view::npos) return std::nullopt;
      current += command.substr(i + 1, end - i - 1);
      i = end + 1;
    } else if (c == '"') {
      ++i;
      bool closed = false;
      while (i < command.size()) {
        const char d = command[i];
        if (d == '"') {
          closed = true;
          ++i;
          break;
        }
        if (d == '$' || d == '`') return std::nullopt;
        if (d == '\\' && i + 1 < command.size() &&
            (command[i + 1] == '"' || command[i + 1] == '\\' || command[i + 1] == '$' || command[i + 1] == '`')) {
          current += command[i + 1];
          i += 2;
          continue;
        }
        current += d;
        ++i;
      }
      if (!closed) return std::nullopt;
    } else if (c == '\\') {
      if (i + 1 >= command.size()) return std::nullopt;
      current += command[i + 1];
      i += 2;
    } else if (std::string_view("$`;|&<>(){}*?[]~#!\n\r").find(c) != std::string_view::npos) {
      return std::nullopt;
    } else {
      current += c;
      ++i;
    }
  }
  if (in_word) words.push_back(current);
  return words;
}

Interpreter::Interpreter(Application& app, Limits limits) : app_(app), limits_(limits) {}

void Interpreter::step() {
  if (++steps_ > limits_.max_steps) {
    throw LimitError{"the script ran more than " + std::to_string(limits_.max_steps) + " steps"};
  }
}

void Interpreter::charge(const Value& value) {
  constexpr auto item = static_cast<std::int64_t>(sizeof(Value));
  std::function<std::int64_t(const Value&, int)> size = [&](const Value& v, int depth) -> std::int64_t {
    if (depth > limits_.max_nesting) {
      throw LimitError{"lists or records nest deeper than " + std::to_string(limits_.max_nesting)};
    }
    switch (v.kind) {
      case Kind::text:
        return item + static_cast<std::int64_t>(v.s.size());
      case Kind::list: {
        std::int64_t total = item;
        for (const Value& x : *v.list) total += size(x, depth + 1);
        return total;
      }
      case Kind::record: {
        std::int64_t total = item;
        for (const RecordField& field : *v.record) total += size(field.value, depth + 1);
        return total;
      }
      default:
        return item;
    }
  };
  const std::int64_t bytes = size(value, 0);
  if (bytes > limits_.max_value_bytes) {
    throw LimitError{"the script built a value of more than " + std::to_string(limits_.max_value_bytes >> 20) + " MB"};
  }
  cells_ += bytes;
  if (cells_ > limits_.max_bytes) {
    throw LimitError{"the script built more than " + std::to_string(limits_.max_bytes >> 20) + " MB of values"};
  }
}

Value Interpreter::run(const Script& script) {
  script_ = &script;
  frames_.assign(1, Frame{});
  targets_.assign(1, script_object());
  for (const auto& [name, init] : script.properties) {
    const Value v = eval(*init);
    globals_.emplace_back(name, v);
  }
  Value result;
  const auto run_handler = script.handlers.find("run");
  try {
    if (run_handler != script.handlers.end()) {
      exec(*script.body);
      result = call_handler("run", {}, true);
    } else {
      exec(*script.body);
      result = result_of_last_;
    }
  } catch (ReturnSignal& signal) {
    result = signal.value;
  } catch (ExitSignal&) {
    throw ScriptError{"exit repeat is not inside a repeat.", -2700};
  }
  return deref(result);
}

Value* Interpreter::find_variable(const std::string& name) {
  for (auto& [key, value] : frames_.back()) {
    if (key == name) return &value;
  }
  for (auto& [key, value] : globals_) {
    if (key == name) return &value;
  }
  return nullptr;
}

void Interpreter::set_variable(const std::string& name, Value value) {
  for (auto& [key, slot] : frames_.back()) {
    if (key == name) {
      slot = std::move(value);
      return;
    }
  }
  for (auto& [key, slot] : globals_) {
    if (key == name) {
      slot = std::move(value);
      return;
    }
  }
  frames_.back().emplace_back(name, std::move(value));
}

Value Interpreter::current_target() const { return targets_.back(); }

bool Interpreter::inside_application() const { return is_app_object(targets_.back()); }

Value Interpreter::app_call(const std::function<Value()>& fn) {
  try {
    return fn();
  } catch (ScriptError& error) {
    const std::string prefix = app_.name() + " got an error: ";
    if (error.message.rfind(prefix, 0) != 0) error.message = prefix + error.message;
    throw;
  }
}

// ---- statements

void Interpreter::exec_block(const Node& node) {
  for (const NodeP& statement : node.kids) {
    if (statement) exec(*statement);
  }
}

void Interpreter::exec(const Node& node) {
  step();
  switch (node.kind) {
    case NodeKind::block:
      exec_block(node);
      return;
    case NodeKind::tell: {
      const Value target = deref(eval(*node.kids[0]));
      if (target.kind != Kind::object) {
        throw ScriptError{"Can" + apostrophe + "t tell " + describe(target) + ".", -1708};
      }
      targets_.push_back(target);
      struct Pop {
        std::vector<Value>& targets;
        ~Pop() { targets.pop_back(); }
      } pop{targets_};
      exec_block(*node.kids[1]);
      return;
    }
    case NodeKind::if_: {
      const std::size_t pairs = (node.kids.size() - (node.flag ? 1 : 0)) / 2;
      for (std::size_t i = 0; i < pairs; ++i) {
        if (to_boolean(eval(*node.kids[2 * i]))) {
          exec_block(*node.kids[2 * i + 1]);
          return;
        }
      }
      if (node.flag) exec_block(*node.kids.back());
      return;
    }
    case NodeKind::repeat: {
      const Node& body = *node.kids.back();
      try {
        if (node.aux == "forever") {
          while (true) {
            step();
            exec_block(body);
          }
        } else if (node.aux == "times") {
          const std::int64_t n = to_integer(eval(*node.kids[0]));
          for (std::int64_t i = 0; i < n; ++i) {
            step();
            exec_block(body);
          }
        } else if (node.aux == "while" || node.aux == "until") {
          const bool until = node.aux == "until";
          while (to_boolean(eval(*node.kids[0])) != until) {
            step();
            exec_block(body);
          }
        } else if (node.aux == "from") {
          const Value from = deref(eval(*node.kids[0]));
          const Value to = deref(eval(*node.kids[1]));
          const Value by = node.kids[2] ? deref(eval(*node.kids[2])) : Value::integer(1);
          if (from.kind == Kind::real || to.kind == Kind::real || by.kind == Kind::real) {
            const double a = to_real(from), b = to_real(to), c = to_real(by);
            if (c == 0.0) throw ScriptError{"A repeat step of 0 never ends.", -2700};
            for (double x = a; c > 0 ? x <= b : x >= b; x += c) {
              step();
              set_variable(node.name, Value::real(x));
              exec_block(body);
            }
          } else {
            const std::int64_t a = to_integer(from), b = to_integer(to), c = to_integer(by);
            if (c == 0) throw ScriptError{"A repeat step of 0 never ends.", -2700};
            for (std::int64_t x = a; c > 0 ? x <= b : x >= b; x += c) {
              step();
              set_variable(node.name, Value::integer(x));
              exec_block(body);
              if ((c > 0 && x > INT64_MAX - c) || (c < 0 && x < INT64_MIN - c)) break;
            }
          }
        } else if (node.aux == "in") {
          Value over = deref(eval(*node.kids[0]));
          if (over.kind == Kind::text) over = Value::make_list(texts_to_list(characters(over.s)));
          if (over.kind == Kind::record) over = coerce(over, "list", tids_);
          if (over.kind != Kind::list) over = Value::make_list({over});
          const ListP list = over.list;
          const std::size_t count = list->size();
          for (std::size_t i = 1; i <= count; ++i) {
            step();
            set_variable(node.name, Value::item_ref(list, static_cast<std::int64_t>(i)));
            exec_block(body);
          }
        }
      } catch (ExitSignal&) {
      }
      return;
    }
    case NodeKind::try_: {
      try {
        exec_block(*node.kids[0]);
      } catch (ScriptError& error) {
        if (node.kids[1]) {
          if (!node.keys[0].empty()) set_variable(node.keys[0], Value::text(error.message));
          if (!node.keys[1].empty()) set_variable(node.keys[1], Value::integer(error.number));
          exec_block(*node.kids[1]);
        }
      }
      return;
    }
    case NodeKind::error_: {
      ScriptError error{"An error has occurred.", -2700};
      if (node.kids[0]) error.message = to_text(eval(*node.kids[0]), tids_);
      if (node.kids[1]) error.number = static_cast<long>(to_integer(eval(*node.kids[1])));
      throw error;
    }
    case NodeKind::return_:
      throw ReturnSignal{node.kids.empty() ? Value::none() : eval(*node.kids[0])};
    case NodeKind::set: {
      const Value value = eval(*node.kids[1]);
      assign(*node.kids[0], value);
      result_of_last_ = value;
      return;
    }
    case NodeKind::copy: {
      const Value value = deep_copy(deref(eval(*node.kids[0])));
      charge(value);
      assign(*node.kids[1], value);
      result_of_last_ = value;
      return;
    }
    case NodeKind::exit_:
      throw ExitSignal{};
    case NodeKind::expression:
      result_of_last_ = eval(*node.kids[0]);
      return;
    default:
      result_of_last_ = eval(node);
      return;
  }
}

// ---- assignment

void Interpreter::assign(const Node& target, const Value& value) {
  switch (target.kind) {
    case NodeKind::variable:
      if (target.name == "result") {
        result_of_last_ = value;
        return;
      }
      set_variable(target.name, value);
      return;
    case NodeKind::list: {
      const Value source = deref(value);
      if (source.kind != Kind::list || source.list->size() < target.kids.size()) {
        throw ScriptError{"Can" + apostrophe + "t set the pattern to " + describe(source) + ".", -10006};
      }
      for (std::size_t i = 0; i < target.kids.size(); ++i) assign(*target.kids[i], (*source.list)[i]);
      return;
    }
    case NodeKind::property: {
      const std::string& property = target.name;
      const Node* container = target.kid(0);
      if (container == nullptr || container->kind == NodeKind::me) {
        const Value it = container == nullptr ? current_target() : script_object();
        if (is_script(it)) {
          if (property != "text item delimiters") {
            throw ScriptError{"Can" + apostrophe + "t set " + property + " to " + describe(value) + ".", -10006};
          }
          const Value v = deref(value);
          tids_.clear();
          if (v.kind == Kind::list) {
            for (const Value& item : *v.list) tids_.push_back(to_text(item, {""}));
          } else {
            tids_.push_back(to_text(v, {""}));
          }
          return;
        }
        app_call([&] {
          app_.set(it, property, deref(value));
          return Value::none();
        });
        return;
      }
      Value* slot = container->kind == NodeKind::variable ? find_variable(container->name) : nullptr;
      Value holder = slot != nullptr ? deref(*slot) : deref(eval(*container));
      if (holder.kind == Kind::date) {
        const CivilTime civil = civil_from_seconds(holder.i);
        const Value v = deref(value);
        std::int64_t seconds = holder.i;
        if (property == "year") {
          seconds = seconds_from_civil(static_cast<int>(to_integer(v)), civil.month, civil.day, civil.seconds);
        } else if (property == "month") {
          seconds = seconds_from_civil(civil.year, static_cast<int>(to_integer(v)), civil.day, civil.seconds);
        } else if (property == "day") {
          const std::int64_t day = to_integer(v);
          if (day < -100000 || day > 100000) throw ScriptError{"Can" + apostrophe + "t set day to " + describe(v) + ".", -10006};
          seconds = seconds_from_civil(civil.year, civil.month, static_cast<int>(day), civil.seconds);
        } else if (property == "time") {
          seconds = seconds_from_civil(civil.year, civil.month, civil.day, to_integer(v));
        } else if (property == "hours") {
          seconds = holder.i + (to_integer(v) - civil.seconds / 3600) * 3600;
        } else if (property == "minutes") {
          seconds = holder.i + (to_integer(v) - civil.seconds / 60 % 60) * 60;
        } else if (property == "seconds") {
          seconds = holder.i + (to_integer(v) - civil.seconds % 60);
        } else {
          throw ScriptError{"Can" + apostrophe + "t set " + property + " of " + describe(holder) + ".", -10006};
        }
        const CivilTime check = civil_from_seconds(seconds);
        if (check.year < 1 || check.year > 9999) {
          throw ScriptError{"Can" + apostrophe + "t set " + property + " of " + describe(holder) + ".", -10006};
        }
        holder.i = seconds;
        if (slot != nullptr) {
          *slot = holder;
        }
        return;
      }
      if (holder.kind == Kind::record) {
        for (RecordField& field : *holder.record) {
          if (field.key == property) {
            field.value = value;
            return;
          }
        }
        throw ScriptError{"Can" + apostrophe + "t set " + property + " of " + describe(holder) + ".", -10006};
      }
      if (is_script(holder) && property == "text item delimiters") {
        auto me_node = Node{};
        me_node.kind = NodeKind::property;
        me_node.name = property;
        me_node.kids.resize(1);
        assign(me_node, value);
        return;
      }
      if (is_app_object(holder)) {
        app_call([&] {
          app_.set(holder, property, deref(value));
          return Value::none();
        });
        return;
      }
      throw ScriptError{"Can" + apostrophe + "t set " + property + " of " + describe(holder) + " to " +
                            describe(value) + ".",
                        -10006};
    }
    case NodeKind::element: {
      const Node* container = target.kid(0);
      const Value holder = container ? deref(eval(*container)) : current_target();
      if (holder.kind == Kind::list) {
        Value item = deref(value);
        if (item.kind == Kind::list || item.kind == Kind::record) item = deep_copy(item);  // no cycles
        charge(item);
        if (target.aux == "end") {
          holder.list->push_back(std::move(item));
          return;
        }
        if (target.aux == "beginning") {
          holder.list->insert(holder.list->begin(), std::move(item));
          return;
        }
        if ((target.aux == "name" || target.aux == "index") && target.kid(1) && target.name == "item") {
          const std::int64_t index = to_integer(eval(*target.kids[1]));
          const std::int64_t at = checked_index(index, holder.list->size(), [&] {
            return "item " + std::to_string(index) + " of " + describe(holder);
          });
          (*holder.list)[static_cast<std::size_t>(at)] = std::move(item);
          return;
        }
      }
      throw ScriptError{"Can" + apostrophe + "t set " + target.aux + " " + target.name + " of " + describe(holder) +
                            " to " + describe(value) + ".",
                        -10006};
    }
    default:
      throw ScriptError{"Can" + apostrophe + "t set that to " + describe(value) + ".", -10006};
  }
}

// ---- expressions

Value Interpreter::eval(const Node& node) {
  step();
  switch (node.kind) {
    case NodeKind::literal:
      return node.value;
    case NodeKind::variable: {
      if (node.name == "result") return result_of_last_;
      Value* slot = find_variable(node.name);
      if (slot == nullptr) throw ScriptError{"The variable " + node.name + " is not defined.", -2753};
      return *slot;
    }
    case NodeKind::list: {
      List items;
      for (const NodeP& kid : node.kids) items.push_back(deref(eval(*kid)));
      Value list = Value::make_list(std::move(items));
      charge(list);
      return list;
    }
    case NodeKind::record: {
      Record fields;
      for (std::size_t i = 0; i < node.kids.size(); ++i) fields.push_back({node.keys[i], deref(eval(*node.kids[i]))});
      Value record = Value::make_record(std::move(fields));
      charge(record);
      return record;
    }
    case NodeKind::unary: {
      const Value v = deref(eval(*node.kids[0]));
      if (node.name == "not") return Value::boolean(!to_boolean(v));
      if (v.kind == Kind::integer && v.i != INT64_MIN) return Value::integer(-v.i);
      return Value::real(-to_real(v));
    }
    case NodeKind::binary:
      return eval_binary(node);
    case NodeKind::coerce: {
      const Value v = deref(eval(*node.kids[0]));
      if (is_app_object(v) && (node.name == "text" || node.name == "string")) {
        throw ScriptError{"Can" + apostrophe + "t make " + describe(v) + " into type text.", -1700};
      }
      Value out = coerce(v, node.name, tids_);
      charge(out);
      return out;
    }
    case NodeKind::call: {
      std::vector<Value> args;
      for (const NodeP& kid : node.kids) args.push_back(deref(eval(*kid)));
      return call_handler(node.name, std::move(args), node.flag);
    }
    case NodeKind::property:
    case NodeKind::element: {
      struct Specifier {  // one Apple event for the whole specifier, however it ends
        Application& app;
        explicit Specifier(Application& a) : app(a) { app.begin_specifier(); }
        ~Specifier() { app.end_specifier(); }
      } specifier(app_);
      return node.kind == NodeKind::property ? eval_property(node) : eval_element(node);
    }
    case NodeKind::command:
      return eval_command(node);
    case NodeKind::me:
      return script_object();
    case NodeKind::it:
      return current_target();
    default:
      throw ScriptError{"Can" + apostrophe + "t evaluate that.", -2700};
  }
}

Value Interpreter::call_handler(const std::string& name, std::vector<Value> args, bool mine) {
  if (!mine && inside_application()) {
    throw ScriptError{app_.name() + " got an error: Can" + apostrophe + "t continue " + name + ".", -1708};
  }
  const auto found = script_->handlers.find(name);
  if (found == script_->handlers.end()) {
    throw ScriptError{"\xC2\xABscript\xC2\xBB doesn" + apostrophe + "t understand the \xE2\x80\x9C" + name +
                          "\xE2\x80\x9D message.",
                      -1708};
  }
  const Handler& handler = found->second;
  if (handler.params.size() != args.size() && !(name == "run" && args.empty())) {
    throw ScriptError{describe(Value::make_list(args)) + " doesn" + apostrophe + "t match the parameters of " + name + ".",
                      -1721};
  }
  if (call_depth_ >= limits_.max_call_depth) throw ScriptError{"Stack overflow.", -2706};
  Frame frame;
  for (std::size_t i = 0; i < handler.params.size() && i < args.size(); ++i) frame.emplace_back(handler.params[i], args[i]);
  frames_.push_back(std::move(frame));
  std::vector<Value> saved_targets = std::move(targets_);
  targets_.assign(1, script_object());
  ++call_depth_;
  struct Restore {
    Interpreter& self;
    std::vector<Value>& saved;
    ~Restore() {
      --self.call_depth_;
      self.frames_.pop_back();
      self.targets_ = std::move(saved);
    }
  } restore{*this, saved_targets};
  Value result;
  try {
    result_of_last_ = Value::none();
    exec_block(*handler.body);
    result = result_of_last_;
  } catch (ReturnSignal& signal) {
    result = signal.value;
  } catch (ExitSignal&) {
    throw ScriptError{"exit repeat is not inside a repeat.", -2700};
  }
  return deref(result);
}

Value Interpreter::eval_property(const Node& node) {
  const std::string& property = node.name;
  const Node* container = node.kid(0);
  if (container == nullptr) {
    const Value it = current_target();
    if (it.kind == Kind::object && it.s == "application" && (property == "project" || property == "area")) {
      // `class of x is project`: the class, not a property of the application.
      return Value::constant(property);
    }
    return property_of(it, property, false);
  }
  if (property == "contents") return deref(eval(*container));
  const bool many = container->kind == NodeKind::element &&
                    (container->aux == "every" || container->aux == "range" ||
                     (container->kid(3) != nullptr && container->aux == "every"));
  return property_of(eval(*container), property, many);
}

Value Interpreter::property_of(const Value& raw, const std::string& property, bool many) {
  const Value c = deref(raw);
  if (property == "class" && many && c.kind == Kind::list) {  // `class of to dos of …`: each one's
    List out;
    for (const Value& item : *c.list) out.push_back(property_of(item, property, deref(item).kind == Kind::list));
    return Value::make_list(std::move(out));
  }
  if (property == "class") return Value::constant(class_of(c));
  if (property == "contents") return c;
  switch (c.kind) {
    case Kind::list: {
      if (many) {
        const bool objects = std::all_of(c.list->begin(), c.list->end(), [](const Value& v) { return is_app_object(v); });
        if (objects && !c.list->empty()) {
          const Value got = app_call([&] { return Value::make_list(app_.get_many(*c.list, property)); });
          charge(got);
          return got;
        }
        List out;
        // A list of lists (`id of to dos of every project`): the property of each inner list's items.
        for (const Value& item : *c.list) out.push_back(property_of(item, property, deref(item).kind == Kind::list));
        Value list = Value::make_list(std::move(out));
        charge(list);
        return list;
      }
      if (property == "length") return Value::integer(static_cast<std::int64_t>(c.list->size()));
      if (property == "rest") {
        if (c.list->empty()) cant_get("rest of {}");
        return Value::make_list(List(c.list->begin() + 1, c.list->end()));
      }
      if (property == "reverse") return Value::make_list(List(c.list->rbegin(), c.list->rend()));
      cant_get(property + " of " + describe(c));
    }
    case Kind::text:
      if (property == "length") return Value::integer(static_cast<std::int64_t>(characters(c.s).size()));
      if (property == "quoted form") return Value::text(quoted_form(c.s));
      cant_get(property + " of " + describe(c));
    case Kind::record:
      for (const RecordField& field : *c.record) {
        if (field.key == property) return field.value;
      }
      if (property == "length") return Value::integer(static_cast<std::int64_t>(c.record->size()));
      cant_get(property + " of " + describe(c));
    case Kind::date: {
      const CivilTime civil = civil_from_seconds(c.i);
      if (property == "year") return Value::integer(civil.year);
      if (property == "month") return Value::constant(month_name(civil.month));
      if (property == "day") return Value::integer(civil.day);
      if (property == "weekday") return Value::constant(weekday_name(weekday_of(c.i)));
      if (property == "time") return Value::integer(civil.seconds);
      if (property == "hours") return Value::integer(civil.seconds / 3600);
      if (property == "minutes") return Value::integer(civil.seconds / 60 % 60);
      if (property == "seconds") return Value::integer(civil.seconds % 60);
      if (property == "date string") return Value::text(date_string(c.i));
      if (property == "time string") return Value::text(time_string(c.i));
      if (property == "short date string") {
        return Value::text(std::to_string(civil.month) + "/" + std::to_string(civil.day) + "/" +
                           std::to_string(civil.year % 100 < 10 ? 0 : civil.year % 100 / 10) +
                           std::to_string(civil.year % 10));
      }
      cant_get(property + " of " + describe(c));
    }
    case Kind::object:
      if (is_script(c)) {
        if (property == "text item delimiters") {
          List items;
          for (const std::string& d : tids_) items.push_back(Value::text(d));
          return Value::make_list(std::move(items));
        }
        throw ScriptError{"The variable " + property + " is not defined.", -2753};
      }
      if (c.s == "insertion") cant_get(property + " of " + c.id);
      return app_call([&] { return app_.get(c, property); });
    default:
      cant_get(property + " of " + describe(c));
  }
}

std::vector<Value> Interpreter::items_of(const Value& c, const std::string& cls) {
  if (c.kind == Kind::list) {
    if (cls == "item") return *c.list;
    List out;
    for (const Value& item : *c.list) {
      const Value v = deref(item);
      if (class_of(v) == cls || (cls == "text" && v.kind == Kind::text)) out.push_back(v);
    }
    return out;
  }
  if (c.kind == Kind::record && cls == "item") return coerce(c, "list", tids_).list ? *coerce(c, "list", tids_).list : List{};
  if (c.kind == Kind::text) {
    if (cls == "character" || cls == "item" || cls == "text") return texts_to_list(characters(c.s));
    if (cls == "text item") return texts_to_list(split_text_items(c.s, tids_));
    if (cls == "word") return texts_to_list(split_words_of(c.s));
    if (cls == "paragraph") return texts_to_list(split_paragraphs(c.s));
  }
  cant_get("every " + cls + " of " + describe(c));
}

Value Interpreter::select(const Node& node, const Value& container, std::vector<Value> items) {
  const std::string& cls = node.name;
  if (const Node* test = node.kid(3)) {
    std::vector<Value> kept;
    for (const Value& item : items) {
      step();
      targets_.push_back(deref(item));
      struct Pop {
        std::vector<Value>& targets;
        ~Pop() { targets.pop_back(); }
      } pop{targets_};
      Value verdict;
      try {
        verdict = deref(eval(*test));
      } catch (ScriptError&) {
        verdict = Value::boolean(false);  // a property the element lacks: not a match
      }
      if (verdict.kind == Kind::boolean && verdict.b) kept.push_back(item);
    }
    items = std::move(kept);
  }
  auto describe_one = [&](const std::string& which) {
    return cls + " " + which + " of " + (container.kind == Kind::object ? describe(container) : describe(container));
  };
  const std::string& aux = node.aux;
  const bool text_range = container.kind == Kind::text && cls == "text";
  if (aux == "every") {
    Value list = Value::make_list(std::move(items));
    charge(list);
    return list;
  }
  if (aux == "first" || aux == "last" || aux == "middle" || aux == "some") {
    if (items.empty()) cant_get(aux + " " + cls + " of " + describe(container));
    std::size_t at = 0;
    if (aux == "last") at = items.size() - 1;
    if (aux == "middle") at = (items.size() - 1) / 2;
    if (aux == "some") at = std::uniform_int_distribution<std::size_t>(0, items.size() - 1)(rng_);
    return items[at];
  }
  if (aux == "index" || aux == "name") return item_at(node, container, items);
  if (aux == "range") {
    const std::int64_t a = to_integer(eval(*node.kids[1]));
    const std::int64_t b = to_integer(eval(*node.kids[2]));
    const std::int64_t n = static_cast<std::int64_t>(items.size());
    auto normal = [&](std::int64_t i) {
      return checked_index(i, items.size(), [&] { return describe_one(std::to_string(i) + " thru " + std::to_string(b)); });
    };
    std::int64_t from = normal(a), to = normal(b);
    if (from > to) std::swap(from, to);
    (void)n;
    List out(items.begin() + from, items.begin() + to + 1);
    if (text_range) {
      std::string text;
      for (const Value& v : out) text += v.s;
      return Value::text(text);
    }
    Value list = Value::make_list(std::move(out));
    charge(list);
    return list;
  }
  cant_get(aux + " " + cls + " of " + describe(container));
}

Value Interpreter::item_at(const Node& node, const Value& container, const std::vector<Value>& items) {
  const std::string& cls = node.name;
  const Value arg = deref(eval(*node.kids[1]));
  if (node.aux == "name" && !arg.is_number()) cant_get(cls + " " + describe(arg) + " of " + describe(container));
  const std::int64_t index = to_integer(arg);
  const std::int64_t at = checked_index(index, items.size(), [&] {
    return cls + " " + std::to_string(index) + " of " + describe(container);
  });
  return items[static_cast<std::size_t>(at)];
}

Value Interpreter::eval_element(const Node& node) {
  const Node* container_node = node.kid(0);
  const Value container = container_node ? deref(eval(*container_node)) : current_target();
  const std::string& cls = node.name;
  if (node.aux == "beginning" || node.aux == "end") {
    if (container.kind == Kind::list) {
      if (container.list->empty()) cant_get(node.aux + " of {}");
      return node.aux == "end" ? container.list->back() : container.list->front();
    }
    Value insertion = Value::object("insertion", node.aux);
    insertion.list = std::make_shared<List>(List{container});
    return insertion;
  }
  // `to dos of every project`: one specifier the application resolves for every container
  // (a list of lists, one per container, in the containers' order). Only a specifier
  // written out is sent whole; a list held in a variable is a list value, whose `to dos`
  // are its items of that class, as in AppleScript.
  if (container.kind == Kind::list && !container.list->empty() && container_node != nullptr &&
      container_node->kind == NodeKind::element && !is_list_class(cls) &&
      std::all_of(container.list->begin(), container.list->end(), [](const Value& v) { return is_app_object(v); })) {
    if (node.aux != "every") cant_get(node.aux + " " + cls + " of " + describe(container));
    List per_container;
    for (const Value& one : *container.list) {
      std::vector<Value> items = *app_call([&] { return Value::make_list(app_.elements(one, cls)); }).list;
      per_container.push_back(app_call([&] { return select(node, one, std::move(items)); }));
    }
    Value list = Value::make_list(std::move(per_container));
    charge(list);
    return list;
  }
  if (container.kind == Kind::list && cls == "item" && (node.aux == "index" || node.aux == "name") &&
      node.kid(3) == nullptr) {
    // `item k of L`: read in place. Copying the list to pick one item made a loop over a
    // list quadratic (a loop over 20,000 to-dos ran past the step limit).
    return item_at(node, container, *container.list);
  }
  if (container.kind == Kind::list || container.kind == Kind::text || container.kind == Kind::record) {
    if (node.aux == "id") cant_get(cls + " id of " + describe(container));
    return select(node, container, items_of(container, cls));
  }
  if (container.kind != Kind::object || is_script(container) || container.s == "insertion") {
    cant_get(cls + " of " + describe(container));
  }
  if (node.aux == "id") {
    const Value id = deref(eval(*node.kids[1]));
    return app_call([&] { return app_.by_id(container, cls, id); });
  }
  if (node.aux == "name" && node.kid(3) == nullptr) {
    const Value arg = deref(eval(*node.kids[1]));
    if (!arg.is_number()) {
      const std::string name = to_text(arg, tids_);
      return app_call([&] { return app_.by_name(container, cls, name); });
    }
  }
  std::vector<Value> items = *app_call([&] { return Value::make_list(app_.elements(container, cls)); }).list;
  return app_call([&] { return select(node, container, std::move(items)); });
}

Value Interpreter::eval_command(const Node& node) {
  const std::string& name = node.name;
  const Node* direct = node.kid(0);
  if (name == "application") {
    const std::string app_name = to_text(eval(*direct), tids_);
    if (fold_case(app_name) != fold_case(app_.name()) && fold_case(app_name) != "things") {
      throw ScriptError{"Can" + apostrophe + "t get application \"" + app_name + "\".", -1728};
    }
    return Value::object("application", app_.name());
  }
  if (name == "current date") return Value::date(local_now_seconds());
  if (name == "get") return direct ? deref(eval(*direct)) : result_of_last_;
  if (direct == nullptr && (name == "count" || name == "exists" || name == "do shell script")) {
    throw ScriptError{name + " needs a direct parameter.", -1708};
  }
  if (name == "count") {
    const Value v = deref(eval(*direct));
    if (v.kind == Kind::list) return Value::integer(static_cast<std::int64_t>(v.list->size()));
    if (v.kind == Kind::text) return Value::integer(static_cast<std::int64_t>(characters(v.s).size()));
    if (v.kind == Kind::record) return Value::integer(static_cast<std::int64_t>(v.record->size()));
    return Value::integer(1);
  }
  if (name == "exists") {
    try {
      const Value v = deref(eval(*direct));
      return Value::boolean(v.kind != Kind::missing);
    } catch (ScriptError& error) {
      if (error.number == -1728 || error.number == -1719) return Value::boolean(false);
      throw;
    }
  }
  if (name == "log") {
    log_.push_back(direct ? to_text(eval(*direct), tids_) : "");
    return Value::none();
  }
  if (name == "delay") {
    const double seconds = direct ? to_real(eval(*direct)) : 0.0;
    if (!(seconds > 0.0)) return Value::none();
    if (delayed_ + seconds > limits_.max_delay_seconds) {
      throw LimitError{"the script delays longer than " + std::to_string(static_cast<int>(limits_.max_delay_seconds)) + " s"};
    }
    delayed_ += seconds;
    app_.delay(seconds);
    return Value::none();
  }
  if (name == "do shell script") return shell(to_text(eval(*direct), tids_));
  // Application commands.
  Value direct_value;
  Params params;
  if (name == "delete" && direct && direct->kind == NodeKind::property && direct->kid(0)) {
    // delete due date of t: clears the property.
    const Value object = deref(eval(*direct->kids[0]));
    if (!is_app_object(object)) {
      throw ScriptError{"Can" + apostrophe + "t delete " + direct->name + " of " + describe(object) + ".", -10000};
    }
    return app_call([&] { return app_.command("delete property", object, {{"property", Value::text(direct->name)}}); });
  }
  if (direct) direct_value = deref(eval(*direct));
  for (std::size_t i = 0; i < node.keys.size(); ++i) params.emplace_back(node.keys[i], deref(eval(*node.kids[i + 1])));
  if (name == "make" && is_app_object(current_target()) && current_target().s != "application" &&
      std::none_of(params.begin(), params.end(), [](const auto& p) { return p.first == "at"; })) {
    // tell project "P" to make new to do: made in the object the script tells.
    params.emplace_back("at", current_target());
  }
  const bool targets_app = inside_application() || is_app_object(direct_value);
  if (!targets_app) {
    throw ScriptError{"\xC2\xABscript\xC2\xBB doesn" + apostrophe + "t understand the \xE2\x80\x9C" + name +
                          "\xE2\x80\x9D message.",
                      -1708};
  }
  return app_call([&] { return app_.command(name, direct_value, params); });
}

Value Interpreter::shell(const std::string& command) {
  const auto words = shell_words(command);
  if (words && words->size() == 3 && (*words)[0] == "open" && (*words)[1] == "-g" &&
      (*words)[2].rfind("things:///", 0) == 0) {
    app_.open_url((*words)[2]);
    return Value::text("");
  }
  const std::string program = words && !words->empty() ? (*words)[0] : "sh";
  throw ScriptError{"sh: " + program + ": Operation not permitted (things-sim runs no shell command but open -g things:///...)",
                    126};
}

Value Interpreter::eval_binary(const Node& node) {
  const std::string& op = node.name;
  if (op == "and") {
    if (!to_boolean(eval(*node.kids[0]))) return Value::boolean(false);
    return Value::boolean(to_boolean(eval(*node.kids[1])));
  }
  if (op == "or") {
    if (to_boolean(eval(*node.kids[0]))) return Value::boolean(true);
    return Value::boolean(to_boolean(eval(*node.kids[1])));
  }
  const Value raw_a = eval(*node.kids[0]);
  const Value raw_b = eval(*node.kids[1]);
  if (op == "=") return Value::boolean(equal(raw_a, raw_b));
  if (op == "!=") return Value::boolean(!equal(raw_a, raw_b));
  const Value a = deref(raw_a);
  const Value b = deref(raw_b);
  if (op == "<") return Value::boolean(less(a, b));
  if (op == ">") return Value::boolean(less(b, a));
  if (op == "<=") return Value::boolean(!less(b, a));
  if (op == ">=") return Value::boolean(!less(a, b));
  auto contains = [&](const Value& whole, const Value& part) -> bool {
    if (whole.kind == Kind::text) return lower_ascii(whole.s).find(lower_ascii(to_text(part, tids_))) != std::string::npos;
    if (whole.kind == Kind::list) {
      if (part.kind == Kind::list) {
        const List& w = *whole.list;
        const List& p = *part.list;
        if (p.empty()) return true;
        for (std::size_t i = 0; i + p.size() <= w.size(); ++i) {
          bool all = true;
          for (std::size_t j = 0; j < p.size() && all; ++j) all = equal(w[i + j], p[j]);
          if (all) return true;
        }
        return false;
      }
      return std::any_of(whole.list->begin(), whole.list->end(), [&](const Value& item) { return equal(item, part); });
    }
    if (whole.kind == Kind::record && part.kind == Kind::record) {
      for (const RecordField& field : *part.record) {
        bool found = false;
        for (const RecordField& own : *whole.record) found = found || (own.key == field.key && equal(own.value, field.value));
        if (!found) return false;
      }
      return true;
    }
    throw ScriptError{"Can" + apostrophe + "t make " + describe(whole) + " into type list.", -1700};
  };
  if (op == "contains") return Value::boolean(contains(a, b));
  if (op == "!contains") return Value::boolean(!contains(a, b));
  if (op == "in") return Value::boolean(contains(b, a));
  if (op == "!in") return Value::boolean(!contains(b, a));
  if (op == "starts" || op == "!starts" || op == "ends" || op == "!ends") {
    bool verdict = false;
    const bool starts = op == "starts" || op == "!starts";
    if (a.kind == Kind::text) {
      const std::string w = lower_ascii(a.s);
      const std::string p = lower_ascii(to_text(b, tids_));
      verdict = p.size() <= w.size() && (starts ? w.compare(0, p.size(), p) == 0 : w.compare(w.size() - p.size(), p.size(), p) == 0);
    } else if (a.kind == Kind::list) {
      verdict = !a.list->empty() && equal(starts ? a.list->front() : a.list->back(), b);
    } else {
      throw ScriptError{"Can" + apostrophe + "t make " + describe(a) + " into type text.", -1700};
    }
    return Value::boolean(op[0] == '!' ? !verdict : verdict);
  }
  if (op == "&") {
    Value out;
    if (a.kind == Kind::text && b.kind != Kind::list && b.kind != Kind::record) {
      out = Value::text(a.s + to_text(b, tids_));
    } else if (a.kind == Kind::record && b.kind == Kind::record) {
      Record fields = *a.record;
      for (const RecordField& field : *b.record) {
        if (std::none_of(fields.begin(), fields.end(), [&](const RecordField& f) { return f.key == field.key; })) {
          fields.push_back(field);
        }
      }
      out = Value::make_record(std::move(fields));
    } else {
      List items;
      if (a.kind == Kind::list) items = *a.list;
      else items.push_back(a);
      if (b.kind == Kind::list) items.insert(items.end(), b.list->begin(), b.list->end());
      else if (b.kind == Kind::record) {
        for (const RecordField& field : *b.record) items.push_back(field.value);
      } else items.push_back(b);
      out = Value::make_list(std::move(items));
    }
    charge(out);
    return out;
  }
  // Arithmetic, with dates.
  if (a.kind == Kind::date || b.kind == Kind::date) {
    if (op == "+" && a.kind == Kind::date && b.kind != Kind::date) return Value::date(a.i + to_integer(b));
    if (op == "+" && b.kind == Kind::date && a.kind != Kind::date) return Value::date(b.i + to_integer(a));
    if (op == "-" && a.kind == Kind::date && b.kind == Kind::date) return Value::integer(a.i - b.i);
    if (op == "-" && a.kind == Kind::date) return Value::date(a.i - to_integer(b));
    throw ScriptError{"Can" + apostrophe + "t make " + describe(b) + " into type number.", -1700};
  }
  auto number = [](const Value& v) -> Value {
    if (v.is_number()) return v;
    return coerce(v, "number", {});
  };
  const Value x = number(a);
  const Value y = number(b);
  const bool integers = x.kind == Kind::integer && y.kind == Kind::integer;
  if (op == "+" || op == "-" || op == "*") {
    if (integers) {
      std::int64_t out = 0;
      bool overflow = false;
      if (op == "+") overflow = __builtin_add_overflow(x.i, y.i, &out);
      if (op == "-") overflow = __builtin_sub_overflow(x.i, y.i, &out);
      if (op == "*") overflow = __builtin_mul_overflow(x.i, y.i, &out);
      if (!overflow) return Value::integer(out);
    }
    const double p = to_real(x), q = to_real(y);
    return Value::real(op == "+" ? p + q : op == "-" ? p - q : p * q);
  }
  if (op == "/") {
    if (to_real(y) == 0.0) throw ScriptError{"Can" + apostrophe + "t divide " + describe(x) + " by zero.", -2701};
    return Value::real(to_real(x) / to_real(y));
  }
  if (op == "div" || op == "mod") {
    if (to_real(y) == 0.0) throw ScriptError{"Can" + apostrophe + "t divide " + describe(x) + " by zero.", -2701};
    if (integers && !(x.i == INT64_MIN && y.i == -1)) return Value::integer(op == "div" ? x.i / y.i : x.i % y.i);
    const double p = to_real(x), q = to_real(y);
    if (op == "div" && !(std::fabs(p / q) < 9.0e18)) throw ScriptError{"The result of div is too large.", -2702};
    return op == "div" ? Value::integer(static_cast<std::int64_t>(std::trunc(p / q))) : Value::real(std::fmod(p, q));
  }
  if (op == "^") return Value::real(std::pow(to_real(x), to_real(y)));
  throw ScriptError{"Unknown operator " + op + ".", -2700};
}

}  // namespace takt::sim::as
