// Tests of things-sim's AppleScript interpreter itself (sim/applescript): the lexer, the
// grammar, coercions, errors, text item delimiters, dates, references and the limits,
// against a small in-memory application (no database, no Things).
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "interpreter.hpp"
#include "lexer.hpp"
#include "parser.hpp"

namespace takt::sim::as {
namespace {

// An application with a handful of "to do" objects with a name and a status, enough to
// exercise references, whose filters and the error prefix.
class Toy : public Application {
 public:
  Toy() {
    items = {{"a1", {"Alpha", "open"}}, {"b2", {"Beta", "completed"}}, {"c3", {"Gamma", "open"}}};
    order = {"a1", "b2", "c3"};
  }
  std::string name() const override { return "Things3"; }
  std::vector<Value> elements(const Value&, const std::string& cls) override {
    if (cls != "to do") throw ScriptError{"Can\xE2\x80\x99t get every " + cls + ".", -1728};
    std::vector<Value> out;
    for (const auto& id : order) out.push_back(Value::object("to do", id));
    return out;
  }
  Value by_id(const Value&, const std::string& cls, const Value& id) override {
    if (cls != "to do" || items.count(id.s) == 0) throw ScriptError{"Can\xE2\x80\x99t get " + cls + " id \"" + id.s + "\".", -1728};
    return Value::object("to do", id.s);
  }
  Value by_name(const Value&, const std::string& cls, const std::string& n) override {
    for (const auto& [id, item] : items) {
      if (item.first == n) return Value::object(cls, id);
    }
    throw ScriptError{"Can\xE2\x80\x99t get " + cls + " \"" + n + "\".", -1728};
  }
  Value get(const Value& object, const std::string& property) override {
    ++gets;
    const auto& item = items.at(object.id);
    if (property == "name") return Value::text(item.first);
    if (property == "status") return Value::constant(item.second);
    if (property == "id") return Value::text(object.id);
    throw ScriptError{"Can\xE2\x80\x99t get " + property + ".", -1728};
  }
  void set(const Value& object, const std::string& property, const Value& value) override {
    if (property == "name") items.at(object.id).first = value.s;
    else if (property == "status") items.at(object.id).second = value.s;
    else throw ScriptError{"Can\xE2\x80\x99t set " + property + ".", -10006};
  }
  Value command(const std::string& command, const Value& direct, const Params& params) override {
    commands.push_back(command + (direct.kind == Kind::object ? " " + direct.id : ""));
    for (const auto& [key, value] : params) commands.back() += " " + key + "=" + describe(value);
    return Value::none();
  }
  void open_url(const std::string& url) override { urls.push_back(url); }
  void delay(double seconds) override { delayed += seconds; }

  std::map<std::string, std::pair<std::string, std::string>> items;
  std::vector<std::string> order;
  std::vector<std::string> commands;
  std::vector<std::string> urls;
  double delayed = 0.0;
  int gets = 0;
};

struct Ran {
  std::string text;  // what osascript would print (no newline)
  std::string error;  // "MESSAGE (NUMBER)" of an uncaught error
  long number = 0;
};

Ran run(const std::string& source, Toy* app = nullptr, Limits limits = {}) {
  Toy local;
  Toy& target = app ? *app : local;
  Ran out;
  try {
    const Script script = parse(source);
    Interpreter interpreter(target, limits);
    out.text = osascript_text(interpreter.run(script));
  } catch (const ScriptError& error) {
    out.error = error.message + " (" + std::to_string(error.number) + ")";
    out.number = error.number;
  } catch (const LimitError& error) {
    out.error = "limit: " + error.message;
  } catch (const SyntaxError& error) {
    out.error = "syntax: " + error.message;
  }
  return out;
}

std::string value(const std::string& source) {
  const Ran r = run(source);
  EXPECT_EQ(r.error, "") << source;
  return r.text;
}

std::string syntax(const std::string& source) {
  try {
    parse(source);
  } catch (const SyntaxError& error) {
    return error.message;
  }
  return "";
}

// ---- lexer

TEST(AppleScriptLexer, WordsStringsNumbersAndComments) {
  const auto tokens = lex("set x to \"a\\\"b\\\\c\\n\" -- comment\n(* block (* nested *) *) y's z \xC2\xAC\n 3.5e2 # hash\n");
  std::vector<std::string> texts;
  for (const Token& t : tokens) texts.push_back(t.text);
  EXPECT_EQ(texts, (std::vector<std::string>{"set", "x", "to", "a\"b\\c\n", "\n", "y", "'s", "z", "3.5e2", "\n", ""}));
  EXPECT_EQ(tokens[3].type, Tok::string);
  EXPECT_EQ(tokens[8].type, Tok::real);
}

TEST(AppleScriptLexer, OperatorsAndContractions) {
  std::vector<std::string> texts;
  for (const Token& t : lex("a \xE2\x89\xA0 b \xE2\x89\xA4 c <> d isn't e doesn\xE2\x80\x99t |Mixed Case|")) texts.push_back(t.text);
  EXPECT_EQ(texts, (std::vector<std::string>{"a", "!=", "b", "<=", "c", "!=", "d", "isn't", "e", "doesn't",
                                             "Mixed Case", "\n", ""}));
}

TEST(AppleScriptLexer, RejectsWhatDoesNotLex) {
  EXPECT_NE(syntax("set x to \"open"), "");
  EXPECT_NE(syntax("(* never closed"), "");
  EXPECT_NE(syntax("set x to \"\\q\""), "");
  EXPECT_NE(syntax("set x to 3abc"), "");
  EXPECT_NE(syntax("set x to @"), "");
}

// ---- grammar

TEST(AppleScriptGrammar, SyntaxErrorsSayWhatWasExpected) {
  EXPECT_EQ(syntax("set x to (1 +"), "Expected an expression but found end of line.");
  EXPECT_EQ(syntax("if true then\nset x to 1\n"), "Expected \xE2\x80\x9C" "end" "\xE2\x80\x9D but found end of script.");
  EXPECT_NE(syntax("repeat with i from 1\nend repeat"), "");
  EXPECT_NE(syntax("on f(x)\nreturn x\nend g"), "");
  EXPECT_NE(syntax("on f()\nend f\non f()\nend f"), "");
  EXPECT_NE(syntax("set {a:1, a:2} to x"), "");
}

TEST(AppleScriptGrammar, ThingsHasNoHeadingClass) {
  // `heading` is no class of Things' dictionary: `make new heading` does not compile.
  EXPECT_EQ(syntax("tell application \"Things3\" to make new heading with properties {name:\"H\"}"),
            "Expected class name but found \xE2\x80\x9Cheading\xE2\x80\x9D.");
}

TEST(AppleScriptGrammar, NestingIsBounded) {
  EXPECT_EQ(syntax(std::string(5000, '(') + "1" + std::string(5000, ')')), "the script nests too deeply");
  std::string deep;
  for (int i = 0; i < 400; ++i) deep += "if true then\n";
  EXPECT_EQ(syntax(deep), "the script nests too deeply");
}

TEST(AppleScriptGrammar, ControlFlow) {
  EXPECT_EQ(value("set s to 0\nrepeat with i from 1 to 10 by 3\nset s to s + i\nend repeat\nreturn s"), "22");
  EXPECT_EQ(value("set s to 0\nrepeat 4 times\nset s to s + 1\nend repeat\ns"), "4");
  EXPECT_EQ(value("set i to 0\nrepeat while i < 3\nset i to i + 1\nend repeat\ni"), "3");
  EXPECT_EQ(value("set i to 0\nrepeat until i = 5\nset i to i + 1\nif i = 2 then exit repeat\nend repeat\ni"), "2");
  EXPECT_EQ(value("set i to 0\nrepeat\nset i to i + 1\nif i > 6 then exit repeat\nend repeat\ni"), "7");
  EXPECT_EQ(value("set out to {}\nrepeat with x in {\"a\", \"b\"}\nset end of out to (contents of x) & \"!\"\nend repeat\nout"),
            "a!, b!");
  EXPECT_EQ(value("if 1 > 2 then\nreturn \"a\"\nelse if 2 > 1 then\nreturn \"b\"\nelse\nreturn \"c\"\nend if"), "b");
  EXPECT_EQ(value("if false then return 1 else return 2"), "2");
}

TEST(AppleScriptGrammar, HandlersAndScopes) {
  EXPECT_EQ(value("on twice(x)\nreturn x * 2\nend twice\ntwice(21)"), "42");
  EXPECT_EQ(value("to f(a, b)\nreturn a & b\nend f\nmy f(\"x\", \"y\")"), "xy");
  // A top-level variable is not visible inside a handler.
  EXPECT_EQ(run("set secret to 1\non peek()\nreturn secret\nend peek\npeek()").error,
            "The variable secret is not defined. (-2753)");
  // A property is.
  EXPECT_EQ(value("property p : 5\non peek()\nreturn p\nend peek\npeek()"), "5");
  // A handler's result without return is that of its last statement.
  EXPECT_EQ(value("on f()\nset x to 3\nend f\nf()"), "3");
  EXPECT_EQ(run("on f(x)\nreturn f(x)\nend f\nf(1)").error, "Stack overflow. (-2706)");
  EXPECT_EQ(run("f(1)").number, -1708);
  EXPECT_EQ(run("on f(a)\nreturn a\nend f\nf(1, 2)").number, -1721);
}

TEST(AppleScriptGrammar, HandlerCallsInsideTellNeedMy) {
  const std::string handler = "on f()\nreturn \"ok\"\nend f\n";
  EXPECT_EQ(run(handler + "tell application \"Things3\" to f()").error,
            "Things3 got an error: Can\xE2\x80\x99t continue f. (-1708)");
  EXPECT_EQ(value(handler + "tell application \"Things3\" to my f()"), "ok");
  EXPECT_EQ(value(handler + "tell application \"Things3\" to f() of me"), "ok");
}

TEST(AppleScriptGrammar, TryCatchesAndTheScriptGoesOn) {
  EXPECT_EQ(value("try\nerror \"boom\" number 42\non error m number n\nreturn m & \"/\" & n\nend try"), "boom/42");
  EXPECT_EQ(value("try\nerror \"x\"\nend try\nreturn \"after\""), "after");
  EXPECT_EQ(value("try\nset x to 1 / 0\non error m\nreturn m\nend try"), "Can\xE2\x80\x99t divide 1 by zero.");
  EXPECT_EQ(run("error \"plain\"").error, "plain (-2700)");
  EXPECT_EQ(run("error number -128").error, "An error has occurred. (-128)");
}

// ---- values and coercions

TEST(AppleScriptValues, ArithmeticAndComparison) {
  EXPECT_EQ(value("1 + 2 * 3"), "7");
  EXPECT_EQ(value("(1 + 2) * 3"), "9");
  EXPECT_EQ(value("7 / 2"), "3.5");
  EXPECT_EQ(value("7 div 2"), "3");
  EXPECT_EQ(value("-7 mod 3"), "-1");
  EXPECT_EQ(value("2 ^ 10"), "1024.0");
  EXPECT_EQ(value("\"3\" + 4"), "7");
  EXPECT_EQ(value("9223372036854775807 + 1 > 0"), "true");
  EXPECT_EQ(value("\"ABC\" = \"abc\""), "true");  // text compares ignoring case
  EXPECT_EQ(value("\"apple\" < \"Banana\""), "true");
  EXPECT_EQ(value("1 = 1.0"), "true");
  EXPECT_EQ(value("\"1\" = 1"), "false");
  EXPECT_EQ(value("3 is greater than or equal to 3 and 2 is not 3"), "true");
  EXPECT_EQ(value("not (1 = 1) or 2 comes after 1"), "true");
  EXPECT_EQ(value("{1, 2} = {1, 2}"), "true");
  EXPECT_EQ(run("1 < {}").number, -1700);
}

TEST(AppleScriptValues, Containment) {
  EXPECT_EQ(value("\"Hello World\" contains \"world\""), "true");
  EXPECT_EQ(value("{\"a\", \"b\"} contains \"b\""), "true");
  EXPECT_EQ(value("{\"a\", \"b\"} does not contain \"c\""), "true");
  EXPECT_EQ(value("\"b\" is in {\"a\", \"b\"}"), "true");
  EXPECT_EQ(value("\"z\" is not in {\"a\", \"b\"}"), "true");
  EXPECT_EQ(value("{1, 2, 3} contains {2, 3}"), "true");
  EXPECT_EQ(value("\"things\" starts with \"thi\" and \"things\" ends with \"ngs\""), "true");
  EXPECT_EQ(value("{name:\"x\", id:1} contains {id:1}"), "true");
}

TEST(AppleScriptValues, TheLoopVariableIsAReference) {
  // The classic: `repeat with x in L` gives `item i of L`, equal to no plain value.
  EXPECT_EQ(value("set hits to 0\nrepeat with x in {\"a\"}\nif x = \"a\" then set hits to hits + 1\nend repeat\nhits"), "0");
  EXPECT_EQ(value("set hits to 0\nrepeat with x in {\"a\"}\nif contents of x = \"a\" then set hits to hits + 1\nend repeat\nhits"),
            "1");
}

TEST(AppleScriptValues, Concatenation) {
  EXPECT_EQ(value("\"a\" & 1 & \"b\""), "a1b");
  EXPECT_EQ(run("return 1 & 2").text, "1, 2");
  EXPECT_EQ(value("count ({1} & {2, 3})"), "3");
  EXPECT_EQ(value("\"x\" & linefeed & \"y\""), "x\ny");
  EXPECT_EQ(value("set r to {a:1} & {b:2}\nb of r"), "2");
}

TEST(AppleScriptValues, Coercions) {
  EXPECT_EQ(value("\"42\" as integer"), "42");
  EXPECT_EQ(value("2.5 as integer"), "2");  // to the nearest, halves to even
  EXPECT_EQ(value("3.5 as integer"), "4");
  EXPECT_EQ(value("12 as text"), "12");
  EXPECT_EQ(value("1.5 as text"), "1.5");
  EXPECT_EQ(value("\"x\" as list"), "x");
  EXPECT_EQ(value("count (\"x\" as list)"), "1");
  EXPECT_EQ(value("{1, \"a\", true} as text"), "1atrue");
  EXPECT_EQ(value("\"true\" as boolean"), "true");
  EXPECT_EQ(value("March as integer"), "3");
  EXPECT_EQ(run("\"abc\" as integer").error, "Can\xE2\x80\x99t make \"abc\" into type integer. (-1700)");
  EXPECT_EQ(run("{a:1} as text").number, -1700);
}

TEST(AppleScriptValues, StringsAndTheirElements) {
  EXPECT_EQ(value("length of \"h\xC3\xA9llo\""), "5");
  EXPECT_EQ(value("character 2 of \"abc\""), "b");
  EXPECT_EQ(value("text 2 thru 4 of \"abcdef\""), "bcd");
  EXPECT_EQ(value("count words of \"one two, three\""), "3");
  EXPECT_EQ(value("count paragraphs of (\"a\" & return & \"b\" & linefeed & \"c\")"), "3");
  EXPECT_EQ(value("quoted form of \"it's\""), "'it'\\''s'");
  EXPECT_EQ(value("last item of {1, 2, 3}"), "3");
  EXPECT_EQ(value("item -2 of {1, 2, 3}"), "2");
  EXPECT_EQ(value("items 2 thru 3 of {1, 2, 3}"), "2, 3");
  EXPECT_EQ(value("rest of {1, 2, 3}"), "2, 3");
  EXPECT_EQ(run("item 4 of {1, 2, 3}").number, -1728);
  EXPECT_EQ(run("item 4 of {1, 2, 3}").error, "Can\xE2\x80\x99t get item 4 of {1, 2, 3}. (-1728)");
  EXPECT_EQ(run("item \"x\" of {1, 2, 3}").number, -1728);
  EXPECT_EQ(value("set k to 2\nitem k of {\"a\", \"b\"}"), "b");
}

// A loop reading `item k of L` over a list as long as a heavy user's to-dos reads each item
// in place: copying the list for every item made it quadratic (10^10 copies here, hours;
// in place well under a second, so the bound below cannot be reached by a slow machine).
TEST(AppleScriptValues, ItemKOfAListIsReadInPlace) {
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(value("set l to {}\nrepeat with i from 1 to 100000\nset end of l to i\nend repeat\n"
                  "set s to 0\nrepeat with k from 1 to count of l\nset s to s + (item k of l)\nend repeat\ns"),
            "5000050000");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(60));
}

TEST(AppleScriptValues, TextItemDelimiters) {
  EXPECT_EQ(value("set AppleScript's text item delimiters to \", \"\nset l to text items of \"a, b, c\"\n"
                  "set AppleScript's text item delimiters to \"-\"\nl as text"),
            "a-b-c");
  // Several delimiters split at any of them; the first joins.
  EXPECT_EQ(value("set AppleScript's text item delimiters to {return, linefeed}\n"
                  "set parts to text items of (\"a\" & return & \"b\" & linefeed & \"c\")\n"
                  "set AppleScript's text item delimiters to \" \"\nparts as text"),
            "a b c");
  EXPECT_EQ(value("set text item delimiters to \"\"\ncount text items of \"\""), "0");
  // Matching ignores case, as AppleScript does by default.
  EXPECT_EQ(value("set AppleScript's text item delimiters to \"X\"\ncount text items of \"axbxc\""), "3");
  // The delimiters are global: a handler sees and changes them.
  EXPECT_EQ(value("on j(l)\nreturn l as text\nend j\nset AppleScript's text item delimiters to \"+\"\nj({1, 2})"), "1+2");
}

TEST(AppleScriptValues, Records) {
  EXPECT_EQ(value("set r to {name:\"n\", due date:3}\ndue date of r"), "3");
  EXPECT_EQ(value("set r to {name:\"n\"}\nset name of r to \"m\"\nname of r"), "m");
  EXPECT_EQ(value("count {a:1, b:2}"), "2");
  EXPECT_EQ(run("set r to {a:1}\nb of r").number, -1728);
}

TEST(AppleScriptValues, SetSharesListsAndCopyCopies) {
  EXPECT_EQ(value("set a to {1}\nset b to a\nset end of b to 2\ncount a"), "2");
  EXPECT_EQ(value("set a to {1}\ncopy a to b\nset end of b to 2\ncount a"), "1");
  EXPECT_EQ(value("set {x, y} to {1, 2}\nx + y"), "3");
}

// ---- dates

TEST(AppleScriptDates, PropertiesAndArithmetic) {
  const std::string base = "set d to current date\nset day of d to 1\nset year of d to 2026\nset month of d to 12\n"
                           "set day of d to 4\nset time of d to 15 * hours + 22 * minutes + 50\n";
  EXPECT_EQ(value(base + "d as text"), "Friday, December 4, 2026 at 3:22:50 PM");
  EXPECT_EQ(value(base + "weekday of d"), "Friday");
  EXPECT_EQ(value(base + "(month of d as integer as text) & \"/\" & day of d"), "12/4");
  EXPECT_EQ(run(base + "return (month of d as integer) & \"/\"").text, "12, /");  // a number & text: a list
  EXPECT_EQ(value(base + "date string of (d + 3 * days)"), "Monday, December 7, 2026");
  EXPECT_EQ(value(base + "time string of d"), "3:22:50 PM");
  EXPECT_EQ(value(base + "((d + 2 * weeks) - d) / days"), "14.0");
  EXPECT_EQ(value(base + "hours of d"), "15");
  // Days past the month's end roll over, which is why scripts set day 1 first.
  EXPECT_EQ(value(base + "set month of d to 2\nset day of d to 31\ndate string of d"), "Tuesday, March 3, 2026");
  EXPECT_EQ(value("date string of date \"2027-03-01\""), "Monday, March 1, 2027");
  EXPECT_EQ(value("(date \"Friday, December 4, 2026 at 3:00:00 PM\") < (date \"2026-12-05\")"), "true");
  EXPECT_EQ(run("date \"not a date\"").number, -30720);
}

// ---- references to application objects

TEST(AppleScriptReferences, ElementsPropertiesAndWhose) {
  Toy app;
  EXPECT_EQ(run("tell application \"Things3\" to name of every to do", &app).text, "Alpha, Beta, Gamma");
  EXPECT_EQ(run("tell application \"Things3\" to name of to dos whose status is open", &app).text, "Alpha, Gamma");
  EXPECT_EQ(run("tell application \"Things3\" to id of first to do whose name contains \"mm\"", &app).text, "c3");
  EXPECT_EQ(run("tell application \"Things3\" to name of to do 2", &app).text, "Beta");
  EXPECT_EQ(run("tell application \"Things3\" to name of last to do", &app).text, "Gamma");
  EXPECT_EQ(run("tell application \"Things3\" to id of to do \"Beta\"", &app).text, "b2");
  EXPECT_EQ(run("tell application \"Things3\" to count to dos", &app).text, "3");
  EXPECT_EQ(run("tell application \"Things3\"\nset t to to do id \"a1\"\nreturn t's name\nend tell", &app).text, "Alpha");
  EXPECT_EQ(run("tell application \"Things3\" to get status of to do id \"b2\"", &app).text, "completed");
  EXPECT_EQ(run("tell application \"Things3\" to tell to do id \"a1\" to get name", &app).text, "Alpha");
}

TEST(AppleScriptReferences, ErrorsCarryTheApplicationPrefix) {
  Toy app;
  const Ran missing = run("tell application \"Things3\" to get name of to do id \"zz\"", &app);
  EXPECT_EQ(missing.error, "Things3 got an error: Can\xE2\x80\x99t get to do id \"zz\". (-1728)");
  EXPECT_EQ(run("tell application \"Things3\"\ntry\nget to do id \"zz\"\non error m number n\nreturn n\nend try\nend tell", &app).text,
            "-1728");
  EXPECT_EQ(run("tell application \"Things3\" to get first to do whose name is \"none\"", &app).number, -1728);
  EXPECT_EQ(run("tell application \"Other\" to get name", &app).number, -1728);
}

TEST(AppleScriptReferences, ExistsSetAndCommands) {
  Toy app;
  EXPECT_EQ(run("tell application \"Things3\" to exists to do id \"zz\"", &app).text, "false");
  EXPECT_EQ(run("tell application \"Things3\" to (to do id \"a1\") exists", &app).text, "true");
  run("tell application \"Things3\"\nset name of to do id \"a1\" to \"A!\"\nset status of to do \"Gamma\" to completed\nend tell",
      &app);
  EXPECT_EQ(app.items["a1"].first, "A!");
  EXPECT_EQ(app.items["c3"].second, "completed");
  run("tell application \"Things3\"\nmove to do id \"a1\" to to do id \"b2\"\ndelete due date of to do id \"a1\"\n"
      "make new to do with properties {name:\"N\", tag names:\"x\"} at end of to do id \"b2\"\nend tell",
      &app);
  EXPECT_EQ(app.commands, (std::vector<std::string>{"move a1 to=to do id \"b2\" of application \"Things3\"",
                                                    "delete property a1 property=\"due date\"",
                                                    "make new=to do with properties={name:\"N\", tag names:\"x\"} at=end of to do id \"b2\" of application \"Things3\""}));
  // Application commands outside a tell block are not understood by the script.
  EXPECT_EQ(run("make new to do", &app).number, -1708);
}

TEST(AppleScriptReferences, ShellRunsOnlyOpenOfThingsUrls) {
  Toy app;
  EXPECT_EQ(run("do shell script \"open -g \" & quoted form of \"things:///add?title=a b\"", &app).error, "");
  EXPECT_EQ(app.urls, (std::vector<std::string>{"things:///add?title=a b"}));
  EXPECT_EQ(run("do shell script \"rm -rf /tmp/x\"", &app).number, 126);
  EXPECT_EQ(run("do shell script \"open -g 'things:///add'; rm x\"", &app).number, 126);
  EXPECT_EQ(run("do shell script \"open -g https://example.com\"", &app).number, 126);
  EXPECT_EQ(run("do shell script \"open -g \\\"$(id)\\\"\"", &app).number, 126);
  EXPECT_EQ(app.urls.size(), 1U);
}

TEST(AppleScriptReferences, DelayIsPassedToTheApplicationAndBounded) {
  Toy app;
  EXPECT_EQ(run("delay 1.5\ndelay 0", &app).error, "");
  EXPECT_DOUBLE_EQ(app.delayed, 1.5);
  EXPECT_EQ(run("delay 100", &app).error, "limit: the script delays longer than 60 s");
}

// ---- limits

TEST(AppleScriptLimits, HostileScriptsStop) {
  Limits small;
  small.max_steps = 100000;
  EXPECT_EQ(run("repeat\nend repeat", nullptr, small).error, "limit: the script ran more than 100000 steps");
  // try cannot swallow the limit.
  EXPECT_EQ(run("repeat\ntry\nrepeat\nend repeat\nend try\nend repeat", nullptr, small).error.rfind("limit:", 0), 0U);
  EXPECT_EQ(run("set l to {}\nrepeat 100 times\nset l to {l}\nend repeat").error,
            "limit: lists or records nest deeper than 64");
  Limits memory;
  memory.max_bytes = std::int64_t{16} << 20;
  memory.max_value_bytes = std::int64_t{4} << 20;
  EXPECT_EQ(run("set s to \"xxxxxxxxxxxxxxxx\"\nrepeat 40 times\nset s to s & s\nend repeat", nullptr, memory).error,
            "limit: the script built a value of more than 4 MB");
  EXPECT_EQ(run("set l to {1}\nrepeat 60 times\nset end of l to l\nend repeat", nullptr, memory).error.rfind("limit:", 0), 0U);
  EXPECT_EQ(run("set l to {}\nrepeat 100000 times\nset l to l & {\"some text\"}\nend repeat", nullptr, memory).error,
            "limit: the script built more than 16 MB of values");
}

}  // namespace
}  // namespace takt::sim::as
