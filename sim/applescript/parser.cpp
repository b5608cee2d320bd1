#include "parser.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <set>

namespace takt::sim::as {

namespace {

constexpr int max_depth = 150;

struct Term {
  std::vector<std::string> words;
  std::string canonical;
};

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t space = text.find(' ', start);
    const std::size_t end = space == std::string_view::npos ? text.size() : space;
    words.emplace_back(text.substr(start, end - start));
    start = end + 1;
    if (space == std::string_view::npos) break;
  }
  return words;
}

// split_words of a term, computed once: the parser asks for the same terms at every token.
const std::vector<std::string>& words_of(std::string_view text) {
  thread_local std::map<std::string, std::vector<std::string>, std::less<>> cache;
  const auto found = cache.find(text);
  if (found != cache.end()) return found->second;
  return cache.emplace(std::string(text), split_words(text)).first->second;
}

// Class terms: singular and plural spellings.
struct ClassTerm {
  const char* singular;
  const char* plural;
};
constexpr ClassTerm class_terms[] = {
    {"to do", "to dos"},         {"project", "projects"},         {"area", "areas"},
    {"tag", "tags"},             {"list", "lists"},               {"application", "applications"},
    {"item", "items"},           {"text item", "text items"},     {"character", "characters"},
    {"word", "words"},           {"paragraph", "paragraphs"},     {"contact", "contacts"},
    {"selected to do", "selected to dos"},
};

constexpr const char* property_terms[] = {
    "name",           "id",
    "notes",          "status",
    "tag names",      "due date",
    "activation date", "completion date",
    "cancellation date", "creation date",
    "modification date", "parent tag",
    "keyboard shortcut", "collapsed",
    "contents",       "length",
    "class",          "text item delimiters",
    "year",           "month",
    "day",            "weekday",
    "time",           "hours",
    "minutes",        "seconds",
    "date string",    "time string",
    "short date string", "quoted form",
    "properties",     "rest",
    "reverse",        "project",
    "area",           "contact",
    "version",        "frontmost",
};

// Words that can never be a variable name (AppleScript's reserved words that matter here).
const std::set<std::string, std::less<>>& reserved() {
  static const std::set<std::string, std::less<>> words = {
      "and",     "as",     "at",      "by",      "considering", "contains", "copy",   "div",   "does",
      "doesn't", "else",   "end",     "equal",   "equals",      "error",    "every",  "exit",  "false",
      "first",   "for",    "from",    "get",     "global",      "if",       "ignoring", "in",  "into",
      "is",      "isn't",  "it",      "its",     "last",        "local",    "me",     "middle", "mod",
      "my",      "not",    "of",      "on",      "or",          "property", "repeat", "return", "set",
      "some",    "tell",   "then",    "through", "thru",        "times",    "to",     "true",  "try",
      "until",   "where",  "while",   "whose",   "with",        "without",  "second", "third", "fourth",
      "fifth",   "sixth",  "seventh", "eighth",  "ninth",       "tenth",    "the",    "script", "new"};
  return words;
}

constexpr const char* ordinals[] = {"first", "second", "third",   "fourth", "fifth",
                                    "sixth", "seventh", "eighth", "ninth",  "tenth"};

class Parser {
 public:
  explicit Parser(std::vector<Token> tokens) : tokens_(std::move(tokens)) {}

  Script parse_script() {
    Script script;
    auto body = make(NodeKind::block);
    skip_newlines();
    while (!at_end()) {
      if (is_word("on") || (is_word("to") && peek_is_handler_name())) {
        parse_handler(script);
      } else if (is_word("property") || (is_word("prop"))) {
        advance();
        std::string name = expect_identifier("a property name");
        expect_symbol(":");
        NodeP value = parse_expression();
        script.properties.emplace_back(std::move(name), std::move(value));
      } else {
        NodeP statement = parse_statement();
        if (statement) body->kids.push_back(std::move(statement));
      }
      end_statement();
      skip_newlines();
    }
    script.body = std::move(body);
    return script;
  }

 private:
  // ---- token helpers
  const Token& tok(std::size_t ahead = 0) const {
    const std::size_t i = std::min(pos_ + ahead, tokens_.size() - 1);
    return tokens_[i];
  }
  bool at_end() const { return tok().type == Tok::end; }
  void advance() {
    if (pos_ < tokens_.size() - 1) ++pos_;
  }
  bool is_word(std::string_view w, std::size_t ahead = 0) const {
    const Token& t = tok(ahead);
    return t.type == Tok::word && !t.piped && t.text == w;
  }
  bool is_symbol(std::string_view s, std::size_t ahead = 0) const {
    const Token& t = tok(ahead);
    return t.type == Tok::symbol && t.text == s;
  }
  bool is_newline() const { return tok().type == Tok::newline || at_end(); }
  void skip_newlines() {
    while (tok().type == Tok::newline) advance();
  }
  [[noreturn]] void fail(const std::string& message) const {
    std::string found;
    switch (tok().type) {
      case Tok::end: found = "end of script"; break;
      case Tok::newline: found = "end of line"; break;
      case Tok::string: found = "\"" + tok().text + "\""; break;
      default: found = "\xE2\x80\x9C" + tok().text + "\xE2\x80\x9D";
    }
    throw SyntaxError{"Expected " + message + " but found " + found + ".", tok().line};
  }
  void expect_word(std::string_view w) {
    if (!is_word(w)) fail("\xE2\x80\x9C" + std::string(w) + "\xE2\x80\x9D");
    advance();
  }
  void expect_symbol(std::string_view s) {
    if (!is_symbol(s)) fail("\xE2\x80\x9C" + std::string(s) + "\xE2\x80\x9D");
    advance();
  }
  void end_statement() {
    if (!is_newline()) fail("end of line");
  }
  NodeP make(NodeKind kind) {
    auto node = std::make_unique<Node>();
    node->kind = kind;
    node->line = tok().line;
    return node;
  }
  struct DepthGuard {
    explicit DepthGuard(Parser& p) : parser(p) {
      if (++parser.depth_ > max_depth) throw SyntaxError{"the script nests too deeply", parser.tok().line};
    }
    ~DepthGuard() { --parser.depth_; }
    Parser& parser;
  };

  // Matches a multi-word phrase at the current position.
  bool match_words(const std::vector<std::string>& words, std::size_t ahead = 0) const {
    for (std::size_t i = 0; i < words.size(); ++i) {
      if (!is_word(words[i], ahead + i)) return false;
    }
    return true;
  }
  bool phrase(std::string_view text) {
    const auto& words = words_of(text);
    if (!match_words(words)) return false;
    for (std::size_t i = 0; i < words.size(); ++i) advance();
    return true;
  }

  // The class term at the position: {canonical singular, plural?, token count}.
  struct ClassMatch {
    std::string name;
    bool plural = false;
    std::size_t length = 0;
  };
  std::optional<ClassMatch> class_at(std::size_t ahead = 0) const {
    std::optional<ClassMatch> best;
    for (const ClassTerm& term : class_terms) {
      for (int plural = 0; plural < 2; ++plural) {
        const auto& words = words_of(plural ? term.plural : term.singular);
        if (match_words(words, ahead) && (!best || words.size() > best->length)) {
          best = ClassMatch{term.singular, plural == 1, words.size()};
        }
      }
    }
    if (!best && is_word("app", ahead)) best = ClassMatch{"application", false, 1};
    if (!best && is_word("text", ahead)) best = ClassMatch{"text", false, 1};
    return best;
  }
  std::optional<std::pair<std::string, std::size_t>> property_at(std::size_t ahead = 0) const {
    std::optional<std::pair<std::string, std::size_t>> best;
    for (const char* term : property_terms) {
      const auto& words = words_of(term);
      if (match_words(words, ahead) && (!best || words.size() > best->second)) best = {{term, words.size()}};
    }
    return best;
  }

  bool peek_is_handler_name() const { return tok(1).type == Tok::word && is_symbol("(", 2); }

  std::string expect_identifier(const std::string& what) {
    const Token& t = tok();
    if (t.type != Tok::word || (!t.piped && reserved().count(t.text) != 0)) fail(what);
    std::string name = t.text;
    advance();
    return name;
  }

  // ---- handlers
  void parse_handler(Script& script) {
    const int line = tok().line;
    advance();  // on / to
    std::string name = expect_identifier("a handler name");
    Handler handler;
    handler.name = name;
    if (is_symbol("(")) {
      advance();
      if (!is_symbol(")")) {
        while (true) {
          handler.params.push_back(expect_identifier("a parameter name"));
          if (is_symbol(",")) {
            advance();
            continue;
          }
          break;
        }
      }
      expect_symbol(")");
    } else if (tok().type == Tok::word && !is_newline()) {
      // on run argv: one direct parameter
      handler.params.push_back(expect_identifier("a parameter name"));
    }
    end_statement();
    handler.body = parse_block({});
    expect_word("end");
    if (!is_newline()) {
      if (tok().type == Tok::word && tok().text == name) advance();
      else fail("\xE2\x80\x9C" "end " + name + "\xE2\x80\x9D");
    }
    if (script.handlers.count(name) != 0) {
      throw SyntaxError{"The " + name + " handler is specified more than once.", line};
    }
    script.handlers.emplace(name, std::move(handler));
  }

  // ---- statements
  // Parses statements until `end`, `else`, `on error` (when stop_on_error) or the end.
  NodeP parse_block(std::initializer_list<const char*> stops, bool stop_on_error = false) {
    DepthGuard guard(*this);
    auto block = make(NodeKind::block);
    skip_newlines();
    while (!at_end()) {
      if (is_word("end") && !is_word("of", 1)) break;
      bool stop = false;
      for (const char* s : stops) stop = stop || is_word(s);
      if (stop) break;
      if (stop_on_error && is_word("on") && is_word("error", 1)) break;
      NodeP statement = parse_statement();
      if (statement) block->kids.push_back(std::move(statement));
      end_statement();
      skip_newlines();
    }
    if (at_end()) fail("\xE2\x80\x9C" "end" "\xE2\x80\x9D");
    return block;
  }

  void expect_end(std::string_view what) {
    expect_word("end");
    if (is_word(what)) advance();
  }

  NodeP parse_statement() {
    DepthGuard guard(*this);
    if (is_word("tell")) return parse_tell();
    if (is_word("if")) return parse_if();
    if (is_word("repeat")) return parse_repeat();
    if (is_word("try")) return parse_try();
    if (is_word("with") && is_word("timeout", 1)) {
      advance();
      advance();
      expect_word("of");
      parse_expression();
      if (is_word("seconds") || is_word("second")) advance();
      end_statement();
      NodeP body = parse_block({});
      expect_end("timeout");
      return body;
    }
    if (is_word("considering") || is_word("ignoring")) {
      const std::string which = tok().text;
      while (!is_newline()) advance();  // the attributes are not modelled
      end_statement();
      NodeP body = parse_block({});
      expect_end(which);
      return body;
    }
    if (is_word("set")) {
      auto node = make(NodeKind::set);
      advance();
      node->kids.push_back(parse_target());
      expect_word("to");
      node->kids.push_back(parse_expression());
      return node;
    }
    if (is_word("copy")) {
      auto node = make(NodeKind::copy);
      advance();
      node->kids.push_back(parse_expression());
      expect_word("to");
      node->kids.push_back(parse_target());
      return node;
    }
    if (is_word("return")) {
      auto node = make(NodeKind::return_);
      advance();
      if (!is_newline() && !is_word("else") && !is_word("end")) node->kids.push_back(parse_expression());
      return node;
    }
    if (is_word("exit")) {
      auto node = make(NodeKind::exit_);
      advance();
      if (is_word("repeat")) advance();
      return node;
    }
    if (is_word("error")) {
      auto node = make(NodeKind::error_);
      advance();
      node->kids.resize(2);
      if (!is_newline() && !is_word("number")) node->kids[0] = parse_expression();
      while (!is_newline()) {
        if (is_word("number")) {
          advance();
          node->kids[1] = parse_expression();
        } else if (is_word("from") || is_word("to")) {
          advance();
          parse_expression();  // not modelled
        } else if (phrase("partial result")) {
          parse_expression();
        } else {
          fail("end of line");
        }
      }
      return node;
    }
    if (is_word("global") || is_word("local")) {
      advance();
      expect_identifier("a variable name");
      while (is_symbol(",")) {
        advance();
        expect_identifier("a variable name");
      }
      return nullptr;
    }
    auto node = make(NodeKind::expression);
    node->kids.push_back(parse_expression());
    return node;
  }

  NodeP parse_target() {
    // A variable, a property or element of something, or a pattern {a, b}.
    return parse_unary();
  }

  NodeP parse_tell() {
    auto node = make(NodeKind::tell);
    advance();
    node->kids.push_back(parse_expression());
    if (is_word("to")) {
      advance();
      auto block = make(NodeKind::block);
      NodeP statement = parse_statement();
      if (statement) block->kids.push_back(std::move(statement));
      node->kids.push_back(std::move(block));
      return node;
    }
    end_statement();
    node->kids.push_back(parse_block({}));
    expect_end("tell");
    return node;
  }

  NodeP parse_if() {
    auto node = make(NodeKind::if_);
    advance();
    node->kids.push_back(parse_expression());
    if (is_word("then")) advance();
    if (!is_newline()) {
      // One-line form: if c then statement [else statement]
      auto block = make(NodeKind::block);
      NodeP statement = parse_statement();
      if (statement) block->kids.push_back(std::move(statement));
      node->kids.push_back(std::move(block));
      if (is_word("else")) {
        advance();
        auto other = make(NodeKind::block);
        NodeP s2 = parse_statement();
        if (s2) other->kids.push_back(std::move(s2));
        node->kids.push_back(std::move(other));
        node->flag = true;
      }
      return node;
    }
    node->kids.push_back(parse_block({"else"}));
    while (is_word("else")) {
      advance();
      if (is_word("if")) {
        advance();
        node->kids.push_back(parse_expression());
        if (is_word("then")) advance();
        end_statement();
        node->kids.push_back(parse_block({"else"}));
        continue;
      }
      end_statement();
      node->kids.push_back(parse_block({}));
      node->flag = true;
      break;
    }
    expect_end("if");
    return node;
  }

  NodeP parse_repeat() {
    auto node = make(NodeKind::repeat);
    advance();
    if (is_newline()) {
      node->aux = "forever";
    } else if (is_word("while") || is_word("until")) {
      node->aux = tok().text;
      advance();
      node->kids.push_back(parse_expression());
    } else if (is_word("with")) {
      advance();
      node->name = expect_identifier("a loop variable");
      if (is_word("from")) {
        node->aux = "from";
        advance();
        node->kids.push_back(parse_expression());
        expect_word("to");
        node->kids.push_back(parse_expression());
        if (is_word("by")) {
          advance();
          node->kids.push_back(parse_expression());
        } else {
          node->kids.push_back(nullptr);
        }
      } else if (is_word("in")) {
        node->aux = "in";
        advance();
        node->kids.push_back(parse_expression());
      } else {
        fail("\xE2\x80\x9C" "from" "\xE2\x80\x9D or \xE2\x80\x9C" "in" "\xE2\x80\x9D");
      }
    } else {
      node->aux = "times";
      node->kids.push_back(parse_expression());
      expect_word("times");
    }
    end_statement();
    node->kids.push_back(parse_block({}));
    expect_end("repeat");
    return node;
  }

  NodeP parse_try() {
    auto node = make(NodeKind::try_);
    advance();
    end_statement();
    node->kids.push_back(parse_block({}, true));
    node->keys = {"", ""};
    if (is_word("on") && is_word("error", 1)) {
      advance();
      advance();
      while (!is_newline()) {
        if (is_word("number")) {
          advance();
          node->keys[1] = expect_identifier("a variable name");
        } else if (is_word("from") || is_word("to")) {
          advance();
          expect_identifier("a variable name");
        } else if (phrase("partial result")) {
          expect_identifier("a variable name");
        } else if (node->keys[0].empty()) {
          node->keys[0] = expect_identifier("a variable name");
        } else {
          fail("end of line");
        }
      }
      end_statement();
      node->kids.push_back(parse_block({}));
    } else {
      node->kids.push_back(nullptr);
    }
    expect_end("try");
    return node;
  }

  // ---- expressions (lowest precedence first)
  NodeP binary(std::string op, NodeP a, NodeP b) {
    auto node = make(NodeKind::binary);
    node->name = std::move(op);
    node->kids.push_back(std::move(a));
    node->kids.push_back(std::move(b));
    return node;
  }

  NodeP parse_expression() {
    DepthGuard guard(*this);
    return parse_or();
  }
  NodeP parse_or() {
    NodeP left = parse_and();
    while (is_word("or")) {
      advance();
      left = binary("or", std::move(left), parse_and());
    }
    return left;
  }
  NodeP parse_and() {
    NodeP left = parse_not();
    while (is_word("and")) {
      advance();
      left = binary("and", std::move(left), parse_not());
    }
    return left;
  }
  NodeP parse_not() {
    if (is_word("not")) {
      DepthGuard guard(*this);
      auto node = make(NodeKind::unary);
      node->name = "not";
      advance();
      node->kids.push_back(parse_not());
      return node;
    }
    return parse_comparison();
  }

  // Comparison, equality and containment operators (one level; AppleScript puts = and ≠
  // below < > but no script here mixes them unparenthesised).
  std::optional<std::string> comparison_operator() {
    static const std::vector<std::pair<const char*, const char*>> table = {
        {"is not greater than or equal to", "<"},
        {"is not less than or equal to", ">"},
        {"is greater than or equal to", ">="},
        {"is greater than or equal", ">="},
        {"is less than or equal to", "<="},
        {"is less than or equal", "<="},
        {"is not greater than", "<="},
        {"is not less than", ">="},
        {"is not equal to", "!="},
        {"isn't equal to", "!="},
        {"is not contained by", "!in"},
        {"isn't contained by", "!in"},
        {"is contained by", "in"},
        {"is greater than", ">"},
        {"is less than", "<"},
        {"is equal to", "="},
        {"does not contain", "!contains"},
        {"doesn't contain", "!contains"},
        {"does not equal", "!="},
        {"doesn't equal", "!="},
        {"does not start with", "!starts"},
        {"does not end with", "!ends"},
        {"is not in", "!in"},
        {"isn't in", "!in"},
        {"comes before", "<"},
        {"comes after", ">"},
        {"greater than", ">"},
        {"less than", "<"},
        {"starts with", "starts"},
        {"start with", "starts"},
        {"begins with", "starts"},
        {"begin with", "starts"},
        {"ends with", "ends"},
        {"end with", "ends"},
        {"is in", "in"},
        {"is not", "!="},
        {"isn't", "!="},
        {"equal to", "="},
        {"equals", "="},
        {"contains", "contains"},
        {"contain", "contains"},
        {"is", "="},
    };
    for (const auto& [spelling, op] : table) {
      if (phrase(spelling)) return std::string(op);
    }
    static const char* symbols[] = {"=", "!=", "<=", ">=", "<", ">"};
    for (const char* s : symbols) {
      if (is_symbol(s)) {
        advance();
        return std::string(s);
      }
    }
    return std::nullopt;
  }

  NodeP parse_comparison() {
    NodeP left = parse_as();
    while (true) {
      // `end with` must not eat a block's `end`.
      if (is_word("end") && !is_word("with", 1)) break;
      const auto op = comparison_operator();
      if (!op) break;
      left = binary(*op, std::move(left), parse_as());
    }
    return left;
  }

  NodeP parse_as() {
    NodeP left = parse_concat();
    while (is_word("as")) {
      advance();
      auto node = make(NodeKind::coerce);
      if (phrase("unicode text")) {
        node->name = "text";
      } else if (tok().type == Tok::word) {
        node->name = tok().text;
        advance();
      } else {
        fail("a class name");
      }
      node->kids.push_back(std::move(left));
      left = std::move(node);
    }
    return left;
  }
  NodeP parse_concat() {
    NodeP left = parse_additive();
    while (is_symbol("&")) {
      advance();
      left = binary("&", std::move(left), parse_additive());
    }
    return left;
  }
  NodeP parse_additive() {
    NodeP left = parse_multiplicative();
    while (is_symbol("+") || is_symbol("-")) {
      const std::string op = tok().text;
      advance();
      left = binary(op, std::move(left), parse_multiplicative());
    }
    return left;
  }
  NodeP parse_multiplicative() {
    NodeP left = parse_power();
    while (is_symbol("*") || is_symbol("/") || is_word("div") || is_word("mod")) {
      const std::string op = tok().text;
      advance();
      left = binary(op, std::move(left), parse_power());
    }
    return left;
  }
  NodeP parse_power() {
    NodeP left = parse_unary();
    if (is_symbol("^")) {
      advance();
      DepthGuard guard(*this);
      return binary("^", std::move(left), parse_power());
    }
    return left;
  }
  NodeP parse_unary() {
    if (is_symbol("-") || is_symbol("+")) {
      DepthGuard guard(*this);
      const std::string op = tok().text;
      advance();
      NodeP operand = parse_unary();
      if (op == "+") return operand;
      auto node = make(NodeKind::unary);
      node->name = "-";
      node->kids.push_back(std::move(operand));
      return node;
    }
    return parse_reference();
  }

  // ---- references: X of Y, Y's X, whose, exists
  NodeP parse_reference() {
    DepthGuard guard(*this);
    while (is_word("the")) advance();
    NodeP head = parse_head();
    // A record's own label: `label of r`.
    if (head->kind == NodeKind::variable && is_word("of") && head->name != "result") {
      auto property = make(NodeKind::property);
      property->name = head->name;
      property->kids.resize(1);
      head = std::move(property);
    }
    // `of` chains: the container of a property or element.
    if ((head->kind == NodeKind::property || head->kind == NodeKind::element) && head->kid(0) == nullptr &&
        (is_word("of") || (head->kind == NodeKind::element && is_word("in")))) {
      advance();
      NodeP container = parse_reference();
      head->kids[0] = std::move(container);
    }
    // whose / where filters an element set (not a single object by id or name).
    if (head->kind == NodeKind::element && (is_word("whose") || is_word("where")) && selects_many(*head)) {
      advance();
      head->kids.resize(4);
      head->kids[3] = parse_filter();
    }
    // Possessives: X's Y
    while (is_symbol("'s")) {
      advance();
      NodeP outer = parse_head();
      if (outer->kind != NodeKind::property && outer->kind != NodeKind::element) fail("a property or element");
      if (outer->kids.empty()) outer->kids.resize(1);
      outer->kids[0] = std::move(head);
      head = std::move(outer);
    }
    if (is_word("exists") || is_word("exist")) {
      advance();
      auto node = make(NodeKind::command);
      node->name = "exists";
      node->kids.push_back(std::move(head));
      return node;
    }
    return head;
  }

  static bool selects_many(const Node& node) {
    return node.aux == "every" || node.aux == "first" || node.aux == "last" || node.aux == "middle" ||
           node.aux == "some" || node.aux == "index" || node.aux == "range";
  }

  NodeP parse_filter() {
    // The test of a whose clause reaches to the end of the expression it is part of,
    // except a trailing `then`, `to`, ... that belong to the statement.
    return parse_or();
  }

  NodeP element(const std::string& cls, const std::string& selector) {
    auto node = make(NodeKind::element);
    node->name = cls;
    node->aux = selector;
    node->kids.resize(4);
    return node;
  }

  // A primary that can start an element specifier argument: literals, variables, (expr).
  NodeP parse_argument() {
    DepthGuard guard(*this);
    if (is_symbol("-")) {
      advance();
      auto node = make(NodeKind::unary);
      node->name = "-";
      node->kids.push_back(parse_argument());
      return node;
    }
    return parse_primary();
  }

  bool starts_argument(std::size_t ahead = 0) const {
    const Token& t = tok(ahead);
    if (t.type == Tok::string || t.type == Tok::integer || t.type == Tok::real) return true;
    if (t.type == Tok::symbol) return t.text == "(" || t.text == "-";
    if (t.type == Tok::word) {
      if (t.piped) return true;
      if (reserved().count(t.text) != 0) return false;
      if (class_at(ahead) || property_at(ahead)) return false;
      if (tok(ahead + 1).type == Tok::symbol && tok(ahead + 1).text == "'s") return true;
      static const std::set<std::string, std::less<>> operator_words = {
          "contains", "contain", "starts", "begins", "ends", "comes", "equals", "greater", "less", "exists", "exist",
          "whose", "then", "thru", "through", "id", "named", "div", "mod"};
      return operator_words.count(t.text) == 0;
    }
    return false;
  }

  // An element specifier after its class term: CLASS id X, CLASS named X, CLASS N,
  // CLASS "name", CLASS N thru M, or the class alone.
  NodeP class_specifier(const std::string& cls, bool plural) {
    if (plural) {
      auto node = element(cls, "every");
      if (is_word("thru", 0) || is_word("through", 0)) fail("an index");
      // items 2 thru 3 of x
      if (tok().type == Tok::integer || (starts_argument() && !is_word("of") && !is_word("in"))) {
        if (tok().type == Tok::integer || is_symbol("(")) {
          NodeP from = parse_argument();
          if (is_word("thru") || is_word("through")) {
            advance();
            node->aux = "range";
            node->kids[1] = std::move(from);
            node->kids[2] = parse_argument();
            return node;
          }
          fail("\xE2\x80\x9C" "thru" "\xE2\x80\x9D");
        }
      }
      return node;
    }
    if (is_word("id")) {
      advance();
      auto node = element(cls, "id");
      node->kids[1] = parse_argument();
      return node;
    }
    if (is_word("named")) {
      advance();
      auto node = element(cls, "name");
      node->kids[1] = parse_argument();
      return node;
    }
    if (starts_argument()) {
      auto node = element(cls, "name");  // name or index, decided by the value's class
      node->kids[1] = parse_argument();
      if (is_word("thru") || is_word("through")) {
        advance();
        node->aux = "range";
        node->kids[2] = parse_argument();
      }
      return node;
    }
    return nullptr;
  }

  NodeP parse_head() {
    DepthGuard guard(*this);
    while (is_word("the")) advance();
    const Token& t = tok();
    if (t.type == Tok::word && !t.piped) {
      // every CLASS, first CLASS, last CLASS, some CLASS, middle CLASS, ordinals
      if (is_word("every") || is_word("each")) {
        advance();
        const auto cls = class_at();
        if (!cls) fail("a class name");
        for (std::size_t i = 0; i < cls->length; ++i) advance();
        return element(cls->name, "every");
      }
      static const std::set<std::string, std::less<>> positions = {"first", "last", "middle", "some", "second",
                                                                   "third", "fourth", "fifth", "sixth", "seventh",
                                                                   "eighth", "ninth", "tenth", "front", "back"};
      if (positions.count(t.text) != 0 && class_at(1)) {
        std::string where = t.text;
        advance();
        const auto cls = class_at();
        for (std::size_t i = 0; i < cls->length; ++i) advance();
        if (where == "front") where = "first";
        if (where == "back") where = "last";
        auto node = element(cls->name, "index");
        int n = 0;
        for (int k = 0; k < 10; ++k) {
          if (where == ordinals[k]) n = k + 1;
        }
        if (n > 0) {
          auto index = make(NodeKind::literal);
          index->value = Value::integer(n);
          node->kids[1] = std::move(index);
        } else {
          node->aux = where;
        }
        return node;
      }
      if ((is_word("beginning") || is_word("end")) && is_word("of", 1)) {
        auto node = element("item", t.text);
        advance();
        return node;
      }
      if (is_word("my") || is_word("its")) {
        const bool my = is_word("my");
        advance();
        if (my && tok().type == Tok::word && is_symbol("(", 1)) {
          NodeP call = parse_call();
          call->flag = true;
          return call;
        }
        NodeP inner = parse_head();
        if (inner->kind != NodeKind::property && inner->kind != NodeKind::element) {
          if (my && inner->kind == NodeKind::variable) return inner;  // my x: a script property
          fail("a property");
        }
        inner->kids.resize(std::max<std::size_t>(inner->kids.size(), 1));
        inner->kids[0] = make(my ? NodeKind::me : NodeKind::it);
        return inner;
      }
      // Commands
      if (NodeP command = parse_command()) return command;
      // Class terms; project and area are also properties of a to do: a class when an id
      // or a name follows, the property otherwise.
      const auto cls = class_at();
      const auto prop = property_at();
      bool as_class = false;
      if (cls) {
        if (!prop || prop->second < cls->length) {
          as_class = true;
        } else if (prop->second == cls->length) {
          as_class = is_word("id", cls->length) || is_word("named", cls->length) || starts_argument(cls->length);
        }
      }
      if (as_class) {
        const std::size_t length = cls->length;
        for (std::size_t i = 0; i < length; ++i) advance();
        if (cls->name == "application") {
          auto node = make(NodeKind::command);
          node->name = "application";
          node->kids.push_back(parse_argument());
          return node;
        }
        if (NodeP spec = class_specifier(cls->name, cls->plural)) return spec;
        auto node = make(NodeKind::literal);
        node->value = Value::constant(cls->name);
        return node;
      }
      // hours / minutes: constants unless a date's property is asked for.
      if (prop) {
        const bool unit = prop->first == "hours" || prop->first == "minutes";
        if (!unit || is_word("of", 1) || is_symbol("'s", 1)) {
          for (std::size_t i = 0; i < prop->second; ++i) advance();
          auto node = make(NodeKind::property);
          node->name = prop->first;
          node->kids.resize(1);
          return node;
        }
      }
    }
    return parse_primary();
  }

  NodeP command_node(const std::string& name) {
    auto node = make(NodeKind::command);
    node->name = name;
    return node;
  }

  bool direct_follows() const {
    return !is_newline() && !is_word("then") && !is_word("else") && !is_symbol(")") && !is_symbol(",") &&
           !is_symbol("}") && !(is_word("to") && !is_word("do", 1)) && !is_word("and") && !is_word("or") && !is_word("end");
  }

  NodeP parse_command() {
    if (is_word("make")) {
      auto node = command_node("make");
      advance();
      node->kids.push_back(nullptr);
      expect_word("new");
      const auto cls = class_at();
      if (!cls || cls->plural) fail("class name");
      for (std::size_t i = 0; i < cls->length; ++i) advance();
      auto cls_node = make(NodeKind::literal);
      cls_node->value = Value::constant(cls->name);
      node->keys.push_back("new");
      node->kids.push_back(std::move(cls_node));
      while (true) {
        if (phrase("with properties")) {
          node->keys.push_back("with properties");
          node->kids.push_back(parse_concat());
        } else if (is_word("at")) {
          advance();
          node->keys.push_back("at");
          node->kids.push_back(parse_concat());
        } else {
          break;
        }
      }
      return node;
    }
    if (is_word("move") || is_word("duplicate")) {
      auto node = command_node(tok().text);
      advance();
      node->kids.push_back(parse_concat());
      if (is_word("to")) {
        advance();
        node->keys.push_back("to");
        node->kids.push_back(parse_concat());
      }
      return node;
    }
    if (is_word("schedule")) {
      auto node = command_node("schedule");
      advance();
      node->kids.push_back(parse_concat());
      expect_word("for");
      node->keys.push_back("for");
      node->kids.push_back(parse_concat());
      return node;
    }
    if (is_word("empty") && is_word("trash", 1)) {
      advance();
      advance();
      auto node = command_node("empty trash");
      node->kids.push_back(nullptr);
      return node;
    }
    if (is_word("log") && is_word("completed", 1) && is_word("now", 2)) {
      advance();
      advance();
      advance();
      auto node = command_node("log completed now");
      node->kids.push_back(nullptr);
      return node;
    }
    if (is_word("do") && is_word("shell", 1) && is_word("script", 2)) {
      advance();
      advance();
      advance();
      auto node = command_node("do shell script");
      node->kids.push_back(parse_concat());
      return node;
    }
    if (is_word("current") && is_word("date", 1)) {
      advance();
      advance();
      auto node = command_node("current date");
      node->kids.push_back(nullptr);
      return node;
    }
    if (is_word("quoted") && is_word("form", 1)) {
      return nullptr;  // the property `quoted form`
    }
    if (is_word("count") || is_word("number")) {
      if (is_word("number") && !is_word("of", 1)) return nullptr;
      auto node = command_node("count");
      advance();
      if (is_word("of") || is_word("each")) advance();
      node->kids.push_back(parse_reference_or_expr());
      return node;
    }
    static const std::set<std::string, std::less<>> simple = {"delete", "show", "get", "exists", "log", "delay",
                                                              "activate", "launch", "quit", "reopen"};
    if (simple.count(tok().text) != 0 && !is_symbol("(", 1)) {
      auto node = command_node(tok().text);
      advance();
      if (node->name == "exists" && is_word("of")) advance();
      if (direct_follows()) {
        node->kids.push_back(node->name == "delay" || node->name == "log" ? parse_concat() : parse_reference_or_expr());
      } else {
        node->kids.push_back(nullptr);
      }
      return node;
    }
    return nullptr;
  }

  NodeP parse_reference_or_expr() { return parse_concat(); }

  NodeP parse_call() {
    auto node = make(NodeKind::call);
    node->name = tok().text;
    advance();
    expect_symbol("(");
    if (!is_symbol(")")) {
      while (true) {
        node->kids.push_back(parse_expression());
        if (is_symbol(",")) {
          advance();
          continue;
        }
        break;
      }
    }
    expect_symbol(")");
    if (is_word("of") && is_word("me", 1)) {
      advance();
      advance();
      node->flag = true;
    }
    return node;
  }

  NodeP parse_primary() {
    DepthGuard guard(*this);
    const Token t = tok();
    switch (t.type) {
      case Tok::string: {
        advance();
        auto node = make(NodeKind::literal);
        node->value = Value::text(t.text);
        return node;
      }
      case Tok::integer: {
        advance();
        auto node = make(NodeKind::literal);
        std::int64_t value = 0;
        std::from_chars(t.text.data(), t.text.data() + t.text.size(), value);
        node->value = Value::integer(value);
        return node;
      }
      case Tok::real: {
        advance();
        auto node = make(NodeKind::literal);
        node->value = Value::real(std::strtod(t.text.c_str(), nullptr));
        return node;
      }
      case Tok::symbol:
        if (t.text == "(") {
          advance();
          skip_newlines();
          NodeP inner = parse_expression();
          skip_newlines();
          expect_symbol(")");
          return inner;
        }
        if (t.text == "{") return parse_list_or_record();
        fail("an expression");
      case Tok::word:
        break;
      default:
        fail("an expression");
    }
    if (!t.piped) {
      static const std::map<std::string, Value, std::less<>> constants = {
          {"true", Value::boolean(true)},
          {"false", Value::boolean(false)},
          {"return", Value::text("\r")},
          {"linefeed", Value::text("\n")},
          {"tab", Value::text("\t")},
          {"space", Value::text(" ")},
          {"quote", Value::text("\"")},
          {"pi", Value::real(3.141592653589793)},
          {"minutes", Value::integer(60)},
          {"hours", Value::integer(3600)},
          {"days", Value::integer(86400)},
          {"weeks", Value::integer(604800)},
          {"completed", Value::constant("completed")},
          {"canceled", Value::constant("canceled")},
          {"cancelled", Value::constant("canceled")},
          {"open", Value::constant("open")},
          {"null", Value::missing_value()},
      };
      if (is_word("missing") && is_word("value", 1)) {
        advance();
        advance();
        auto node = make(NodeKind::literal);
        node->value = Value::missing_value();
        return node;
      }
      if (is_word("me")) {
        advance();
        return make(NodeKind::me);
      }
      if (is_word("it")) {
        advance();
        return make(NodeKind::it);
      }
      if (is_word("applescript") && is_symbol("'s", 1)) {
        advance();
        return make(NodeKind::me);  // AppleScript's text item delimiters
      }
      if (is_word("result")) {
        advance();
        auto node = make(NodeKind::variable);
        node->name = "result";
        return node;
      }
      if (is_word("date") && tok(1).type == Tok::string) {
        advance();
        auto node = make(NodeKind::coerce);
        node->name = "date";
        node->kids.push_back(parse_primary());
        return node;
      }
      const auto constant = constants.find(t.text);
      if (constant != constants.end()) {
        advance();
        auto node = make(NodeKind::literal);
        node->value = constant->second;
        return node;
      }
      if (const auto month = month_from_name(t.text)) {
        advance();
        auto node = make(NodeKind::literal);
        node->value = Value::constant(month_name(*month));
        return node;
      }
      if (const auto weekday = weekday_from_name(t.text)) {
        advance();
        auto node = make(NodeKind::literal);
        node->value = Value::constant(weekday_name(*weekday));
        return node;
      }
      if (reserved().count(t.text) != 0) fail("an expression");
    }
    if (is_symbol("(", 1)) return parse_call();
    advance();
    auto node = make(NodeKind::variable);
    node->name = t.text;
    return node;
  }

  NodeP parse_list_or_record() {
    advance();  // {
    skip_newlines();
    if (is_symbol("}")) {
      advance();
      return make(NodeKind::list);
    }
    // A record when the first item is `label:`.
    const bool record = record_label_length() > 0;
    auto node = make(record ? NodeKind::record : NodeKind::list);
    while (true) {
      skip_newlines();
      if (record) {
        const std::size_t length = record_label_length();
        if (length == 0) fail("a record label");
        std::string key;
        for (std::size_t i = 0; i < length; ++i) {
          key += (i ? " " : "") + tok().text;
          advance();
        }
        expect_symbol(":");
        if (std::find(node->keys.begin(), node->keys.end(), key) != node->keys.end()) {
          fail("a new record label, not another " + key);
        }
        node->keys.push_back(key);
      }
      node->kids.push_back(parse_expression());
      skip_newlines();
      if (is_symbol(",")) {
        advance();
        continue;
      }
      break;
    }
    expect_symbol("}");
    return node;
  }

  // Number of words of a `label:` at the position (0: none).
  std::size_t record_label_length() const {
    if (const auto prop = property_at(); prop && is_symbol(":", prop->second)) return prop->second;
    if (const auto cls = class_at(); cls && is_symbol(":", cls->length)) return cls->length;
    if (tok().type == Tok::word && is_symbol(":", 1)) return 1;
    return 0;
  }

  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  int depth_ = 0;
};

}  // namespace

Script parse(std::string_view source) {
  Parser parser(lex(source));
  return parser.parse_script();
}

}  // namespace takt::sim::as
