// The macOS path off the Mac: the AppleScript and things:/// URLs takt generates, proved
// to carry every user string as a literal (a small AppleScript string reader and URL
// decoding read them back), pinned by golden files, and osascript's errors turned into
// causes and fixes.

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/stat.h>
#include <utime.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "things/script/applescript.hpp"
#include "things/script/url.hpp"

using namespace takt::things;
namespace fs = std::filesystem;

namespace {

const Date kToday{2026, 11, 22};
const std::string kToken = "tok_EN-42";

// ---- a tiny reader of the AppleScript takt writes --------------------------------------------

/// A script with every string expression (a literal, or literals joined by `& linefeed &`
/// and `& return &`) replaced by «S», and the values of those expressions in order.
struct Skeleton {
  std::string shape;
  std::vector<std::string> strings;
  bool ok = true;  ///< false when a literal is unterminated or holds an escape AppleScript does not know
};

/// Reads the literal starting at s[i] == '"'; returns its value and moves i past it.
std::optional<std::string> read_literal(const std::string& s, std::size_t& i) {
  std::string v;
  for (++i; i < s.size(); ++i) {
    if (s[i] == '"') {
      ++i;
      return v;
    }
    if (s[i] != '\\') {
      v += s[i];
      continue;
    }
    if (++i >= s.size()) return std::nullopt;
    switch (s[i]) {
      case '\\': v += '\\'; break;
      case '"': v += '"'; break;
      case 'n': v += '\n'; break;
      case 'r': v += '\r'; break;
      case 't': v += '\t'; break;
      default: return std::nullopt;  // AppleScript refuses to compile other escapes
    }
  }
  return std::nullopt;
}

/// At s[i]: ` & linefeed & "` or ` & return & "` continuing a string expression?
std::optional<char> joined_break(const std::string& s, std::size_t i, std::size_t& next) {
  for (auto [word, c] : {std::pair<std::string, char>{" & linefeed & \"", '\n'}, {" & return & \"", '\r'}}) {
    if (s.compare(i, word.size(), word) == 0) {
      next = i + word.size() - 1;  // at the opening quote of the next literal
      return c;
    }
  }
  return std::nullopt;
}

Skeleton skeleton(const std::string& script) {
  Skeleton k;
  for (std::size_t i = 0; i < script.size();) {
    if (script[i] != '"') {
      k.shape += script[i++];
      continue;
    }
    std::string value;
    for (;;) {
      auto lit = read_literal(script, i);
      if (!lit) {
        k.ok = false;
        return k;
      }
      value += *lit;
      std::size_t next = 0;
      auto brk = joined_break(script, i, next);
      if (!brk) break;
      value += *brk;
      i = next;
    }
    k.shape += "\u00abS\u00bb";
    k.strings.push_back(value);
  }
  return k;
}

// ---- random text with everything that could break a script or a URL ------------------------

std::string random_text(std::mt19937& rng) {
  static const std::vector<std::string> pieces = {
      "\"", "\\", "\n", "\r", "\r\n", "&", "/", "?", "#", "%", "+", "=", " ", "'", "\t", ",", "--", "(*", "*)",
      "\u00ac", "\u00ab", "\u00bb", "\\n", "\\\"", "\" & (do shell script \"rm -rf ~\") & \"", "%2F", "a", "Z", "0",
      "\u00e9", "\u2713", "\U0001F600", "\u2028", "end tell", "x", "é&ü", ";", "{", "}", "|"};
  std::uniform_int_distribution<std::size_t> len(0, 12), pick(0, pieces.size() - 1);
  std::string s;
  for (std::size_t n = len(rng); n > 0; --n) s += pieces[pick(rng)];
  return s;
}

std::vector<std::string> random_list(std::mt19937& rng, std::size_t max = 3) {
  std::vector<std::string> v(std::uniform_int_distribution<std::size_t>(1, max)(rng));
  for (auto& s : v) s = random_text(rng);
  return v;
}

/// Every user string of an operation, so a test can replace them all at once.
struct Strings {
  std::vector<std::string*> fields;
  std::vector<std::vector<std::string>*> lists;
};

Strings strings_of(Operation& op) {
  Strings s;
  auto opt = [&](std::optional<std::string>& v) {
    if (v) s.fields.push_back(&*v);
  };
  auto clr = [&](Clearable& c) {
    if (c.value) s.fields.push_back(&*c.value);
  };
  std::visit(
      [&](auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, AddTodo>) {
          s.fields.push_back(&o.title);
          opt(o.notes), opt(o.project), opt(o.heading);
          s.lists = {&o.tags, &o.checklist};
        } else if constexpr (std::is_same_v<T, UpdateTodo>) {
          s.fields.push_back(&o.id);
          opt(o.title), opt(o.notes), opt(o.append_notes), opt(o.prepend_notes);
          clr(o.project), clr(o.heading);
          if (o.tags) s.lists.push_back(&*o.tags);
          if (o.checklist) s.lists.push_back(&*o.checklist);
          s.lists.push_back(&o.add_tags);
          s.lists.push_back(&o.remove_tags);
          s.lists.push_back(&o.append_checklist);
        } else if constexpr (std::is_same_v<T, AddProject>) {
          s.fields.push_back(&o.title);
          opt(o.notes), opt(o.area);
          s.lists = {&o.tags, &o.todos};
        } else if constexpr (std::is_same_v<T, UpdateProject>) {
          s.fields.push_back(&o.id);
          opt(o.title), opt(o.notes), opt(o.append_notes), opt(o.prepend_notes);
          clr(o.area);
          s.lists = {&o.add_tags, &o.remove_tags};
        } else if constexpr (std::is_same_v<T, SetStatus> || std::is_same_v<T, SetTrashed>) {
          s.fields.push_back(&o.id);
        } else if constexpr (std::is_same_v<T, CreateTag>) {
          s.fields.push_back(&o.title);
          opt(o.parent);
        } else if constexpr (std::is_same_v<T, CreateArea>) {
          s.fields.push_back(&o.title);
          s.lists = {&o.tags};
        }
      },
      op);
  return s;
}

/// One operation of each kind the AppleScript dialect renders, its strings random; the
/// URL-scheme fields (checklist, heading, evening, reminder) included.
std::vector<Operation> random_ops(std::mt19937& rng) {
  AddTodo a;
  a.title = random_text(rng);
  a.notes = random_text(rng);
  a.tags = random_list(rng);
  a.checklist = random_list(rng);
  a.project = random_text(rng);
  a.heading = random_text(rng);
  a.when = "evening";
  a.reminder = "18:30";
  a.deadline = "2026-12-24";
  UpdateTodo u;
  u.id = random_text(rng);
  u.title = random_text(rng);
  u.append_notes = random_text(rng);
  u.prepend_notes = random_text(rng);
  u.when = Clearable::set("2027-01-02");
  u.reminder = Clearable::set("07:00");
  u.deadline = Clearable::clear();
  u.add_tags = random_list(rng);
  u.remove_tags = random_list(rng);
  u.checklist = random_list(rng);
  u.project = Clearable::set(random_text(rng));
  u.heading = Clearable::set(random_text(rng));
  UpdateTodo replace;
  replace.id = random_text(rng);
  replace.notes = random_text(rng);
  replace.tags = random_list(rng);
  replace.append_checklist = random_list(rng);
  replace.list = "someday";
  AddProject p;
  p.title = random_text(rng);
  p.notes = random_text(rng);
  p.area = random_text(rng);
  p.tags = random_list(rng);
  p.todos = random_list(rng);
  p.when = "today";
  p.reminder = "09:15";
  UpdateProject up;
  up.id = random_text(rng);
  up.title = random_text(rng);
  up.prepend_notes = random_text(rng);
  up.area = Clearable::set(random_text(rng));
  up.add_tags = random_list(rng);
  up.remove_tags = random_list(rng);
  up.when = Clearable::set("someday");
  CreateTag tag{random_text(rng), random_text(rng), std::nullopt};
  CreateArea area{random_text(rng), random_list(rng)};
  return {a, u, replace, p, up, SetStatus{random_text(rng), Status::Canceled}, SetTrashed{random_text(rng), true},
          SetTrashed{random_text(rng), false}, tag, area};
}

/// The same operation with every user string replaced by "x".
Operation plain(Operation op) {
  auto s = strings_of(op);
  for (auto* f : s.fields) *f = "x";
  for (auto* l : s.lists)
    for (auto& item : *l) item = "x";
  return op;
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

bool holds(const std::vector<std::string>& values, const std::string& v) {
  return std::find(values.begin(), values.end(), v) != values.end();
}

/// The parameters of a things:/// URL, decoded.
std::map<std::string, std::string> url_params(const std::string& url) {
  std::map<std::string, std::string> out;
  const auto q = url.find('?');
  std::stringstream parts(url.substr(q + 1));
  std::string part;
  while (std::getline(parts, part, '&')) {
    const auto eq = part.find('=');
    auto value = percent_decode(part.substr(eq + 1));
    EXPECT_TRUE(value) << part;
    out[part.substr(0, eq)] = value.value_or("");
  }
  return out;
}

}  // namespace

TEST(AppleScriptStrings, EveryStringReadsBackExactly) {
  std::mt19937 rng(20261122);
  for (int i = 0; i < 5000; ++i) {
    const auto text = random_text(rng);
    const auto k = skeleton("set x to " + applescript_string(text) + "\n");
    ASSERT_TRUE(k.ok) << text;
    ASSERT_EQ(k.shape, "set x to \u00abS\u00bb\n") << text;
    ASSERT_EQ(k.strings, std::vector<std::string>{text});
  }
  // Bytes, not only the pieces above: every byte value but NUL.
  std::uniform_int_distribution<int> byte(1, 255);
  for (int i = 0; i < 2000; ++i) {
    std::string text(16, ' ');
    for (auto& c : text) c = static_cast<char>(byte(rng));
    const auto k = skeleton(applescript_string(text));
    ASSERT_TRUE(k.ok);
    ASSERT_EQ(k.strings, std::vector<std::string>{text});
  }
}

TEST(Urls, EveryValueDecodesBackExactlyAndOnlyUnreservedCharactersStay) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> byte(1, 255);
  for (int i = 0; i < 5000; ++i) {
    std::string text = random_text(rng);
    for (int j = 0; j < 4; ++j) text += static_cast<char>(byte(rng));
    const auto encoded = percent_encode(text);
    ASSERT_EQ(encoded.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%"),
              std::string::npos);
    ASSERT_EQ(percent_decode(encoded), text);
  }
  EXPECT_EQ(percent_encode("a b/c?d#e&f=g+h%i"), "a%20b%2Fc%3Fd%23e%26f%3Dg%2Bh%25i");
  EXPECT_EQ(percent_encode("\u00e9"), "%C3%A9");
  EXPECT_FALSE(percent_decode("%4"));
  EXPECT_FALSE(percent_decode("%zz"));
}

// No title, note, tag, checklist item or id changes the script's meaning: the script with
// random strings has exactly the shape of the script with "x" in their place, and its
// string expressions hold exactly the strings given (the URL's values after decoding).
TEST(AppleScriptInjection, UserStringsNeverChangeTheScript) {
  std::mt19937 rng(42);
  for (int round = 0; round < 300; ++round) {
    for (const auto& op : random_ops(rng)) {
      const auto script = render_applescript(op, kToday, kToken);
      const auto k = skeleton(script);
      ASSERT_TRUE(k.ok) << script;
      const auto reference = skeleton(render_applescript(plain(op), kToday, kToken));
      ASSERT_EQ(k.shape, reference.shape) << script;
      auto copy = op;
      const auto s = strings_of(copy);
      // Each field is one string expression of its own, or (ids of a URL-scheme part)
      // inside a URL, decoded below.
      std::string url;
      for (std::size_t i = 0; i + 1 < k.strings.size(); ++i)
        if (k.strings[i].rfind("things:///", 0) == 0) url = k.strings[i] + "ID" + k.strings[i + 1];
      const auto params = url.empty() ? std::map<std::string, std::string>{} : url_params(url);
      for (const auto* f : s.fields)
        EXPECT_TRUE(holds(k.strings, *f) || (params.count("heading-id") && params.at("heading-id") == *f)) << *f;
      if (const auto* a = std::get_if<AddTodo>(&op)) {
        EXPECT_TRUE(holds(k.strings, join(a->tags, ", ")));
        EXPECT_EQ(params.at("checklist-items"), join(a->checklist, "\n"));
        EXPECT_EQ(params.at("when"), "evening@18:30");
        EXPECT_EQ(params.at("auth-token"), kToken);
      }
      if (const auto* u = std::get_if<UpdateTodo>(&op)) {
        for (const auto& t : u->add_tags) EXPECT_TRUE(holds(k.strings, t)) << t;
        for (const auto& t : u->remove_tags) EXPECT_TRUE(holds(k.strings, t)) << t;
        if (u->checklist) {
          EXPECT_EQ(params.at("checklist-items"), join(*u->checklist, "\n"));
        }
        if (!u->append_checklist.empty()) {
          EXPECT_EQ(params.at("append-checklist-items"), join(u->append_checklist, "\n"));
        }
        if (u->tags) {
          EXPECT_TRUE(holds(k.strings, join(*u->tags, ", ")));
        }
      }
      if (const auto* p = std::get_if<AddProject>(&op)) {
        for (const auto& t : p->todos) EXPECT_TRUE(holds(k.strings, t)) << t;
      }
    }
  }
}

TEST(Urls, RenderUrlOfEachOperationThatNeedsOne) {
  AddTodo a;
  a.title = "ignored: AppleScript sets it";
  a.when = "tomorrow";
  a.reminder = "08:05";
  a.checklist = {"Milk & honey", "50% off / today?"};
  a.heading = "HeadingId";
  EXPECT_EQ(render_url(a, "ABC", kToken, kToday),
            "things:///update?auth-token=tok_EN-42&id=ABC&when=2026-11-23%4008%3A05"
            "&checklist-items=Milk%20%26%20honey%0A50%25%20off%20%2F%20today%3F&heading-id=HeadingId");
  UpdateProject p;
  p.id = "P";
  p.when = Clearable::set("evening");
  EXPECT_EQ(render_url(p, "P", kToken, kToday), "things:///update-project?auth-token=tok_EN-42&id=P&when=evening");
  AddTodo plain_todo;
  plain_todo.title = "x";
  plain_todo.when = "today";
  EXPECT_FALSE(render_url(plain_todo, "ABC", kToken, kToday));
  EXPECT_FALSE(render_url(SetStatus{"A", Status::Completed}, "A", kToken, kToday));
}


// ---- golden scripts ---------------------------------------------------------------------------

namespace {

std::string golden_path(const std::string& name) {
  return std::string(TAKT_SOURCE_DIR) + "/tests/golden/applescript/" + name + ".applescript";
}

/// Compares `script` with the golden file; TAKT_UPDATE_GOLDEN=1 rewrites the file instead.
void expect_golden(const std::string& name, const std::string& script) {
  const auto path = golden_path(name);
  if (std::getenv("TAKT_UPDATE_GOLDEN")) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << script;
  }
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << "missing golden file " << path << " (run with TAKT_UPDATE_GOLDEN=1 once)";
  std::stringstream want;
  want << in.rdbuf();
  EXPECT_EQ(script, want.str()) << name;
}

}  // namespace

TEST(AppleScriptGolden, EveryOperation) {
  AddTodo add;
  add.title = "Pay \"rent\"";
  add.notes = "line one\nline two";
  add.tags = {"Home", "Money"};
  add.when = "2026-12-01";
  add.deadline = "2026-12-05";
  add.project = "ProjectId";
  expect_golden("add_todo", render_applescript(add, kToday, kToken));

  AddTodo evening;
  evening.title = "Call Mum";
  evening.when = "evening";
  evening.reminder = "19:00";
  evening.checklist = {"Ask about Sunday", "Birthday / gift?"};
  evening.heading = "HeadingId";
  expect_golden("add_todo_url", render_applescript(evening, kToday, kToken));
  expect_golden("add_todo_url_without_token", render_applescript(evening, kToday, std::nullopt));

  UpdateTodo u;
  u.id = "TodoId";
  u.title = "New title";
  u.append_notes = "more";
  u.prepend_notes = "first";
  u.when = Clearable::set("tomorrow");
  u.deadline = Clearable::clear();
  u.add_tags = {"Errand"};
  u.remove_tags = {"Home"};
  u.project = Clearable::set("ProjectId");
  u.area = Clearable::clear();
  u.append_checklist = {"one more"};
  expect_golden("update_todo", render_applescript(u, kToday, kToken));

  UpdateTodo list;
  list.id = "TodoId";
  list.list = "inbox";
  list.tags = std::vector<std::string>{};
  list.notes = "";
  expect_golden("update_todo_list", render_applescript(list, kToday, kToken));

  AddProject p;
  p.title = "Move house";
  p.notes = "big";
  p.area = "AreaId";
  p.tags = {"Home"};
  p.when = "someday";
  p.deadline = "2027-03-01";
  p.todos = {"Find boxes", "Book a van"};
  expect_golden("add_project", render_applescript(p, kToday, kToken));

  UpdateProject up;
  up.id = "ProjectId";
  up.title = "Move flat";
  up.when = Clearable::set("2026-11-30");
  up.reminder = Clearable::set("10:00");
  up.deadline = Clearable::set("2027-01-01");
  up.tags = std::vector<std::string>{"Home", "Big"};
  up.area = Clearable::set("AreaId");
  expect_golden("update_project", render_applescript(up, kToday, kToken));

  expect_golden("complete", render_applescript(SetStatus{"TodoId", Status::Completed}, kToday));
  expect_golden("cancel", render_applescript(SetStatus{"TodoId", Status::Canceled}, kToday));
  expect_golden("reopen", render_applescript(SetStatus{"TodoId", Status::Open}, kToday));
  expect_golden("trash", render_applescript(SetTrashed{"TodoId", true}, kToday));
  expect_golden("restore", render_applescript(SetTrashed{"TodoId", false}, kToday));
  expect_golden("create_tag", render_applescript(CreateTag{"Deep work", "Work", std::nullopt}, kToday));
  expect_golden("create_area", render_applescript(CreateArea{"Health", {"Important", "Gym"}}, kToday));

  // Many operations in one script: one try block each, one line of output each.
  AppleScriptDialect dialect([] { return kToday; }, [] { return std::optional<std::string>(kToken); });
  expect_golden("batch", dialect.render({SetStatus{"A", Status::Completed}, SetTrashed{"B", true}, evening}));
}

TEST(AppleScriptDialect, RefusesOnlyWhatThingsOnMacOSCannotDo) {
  AppleScriptDialect as([] { return kToday; });
  AddTodo a;
  a.title = "x";
  a.checklist = {"one"};
  a.when = "evening";
  a.reminder = "18:00";
  a.heading = "H";
  EXPECT_FALSE(as.unsupported(a));  // the URL scheme carries these
  a.tags = {"a,b"};
  EXPECT_NE(as.unsupported(a).value_or("").find("comma"), std::string::npos);
  EXPECT_NE(as.unsupported(AddHeading{"P", "H"}).value_or("").find("add_heading"), std::string::npos);
  AddProject p;
  p.title = "x";
  p.headings = {"H"};
  EXPECT_NE(as.unsupported(p).value_or("").find("headings"), std::string::npos);
  UpdateTodo r;
  r.id = "x";
  r.reminder = Clearable::set("09:00");
  EXPECT_NE(as.unsupported(r).value_or("").find("reminder"), std::string::npos);
  r.when = Clearable::set("today");
  EXPECT_FALSE(as.unsupported(r));
  UpdateTodo out;
  out.id = "x";
  out.heading = Clearable::clear();
  EXPECT_NE(as.unsupported(out).value_or("").find("heading"), std::string::npos);
  EXPECT_NE(as.unsupported(CreateTag{"t", std::nullopt, "k"}).value_or("").find("shortcut"), std::string::npos);
  EXPECT_FALSE(as.unsupported(ReadOp{"get_inbox", "{}"}));  // read through takt's mirror of Things
  EXPECT_FALSE(as.unsupported(SetTrashed{"x", true}));
  EXPECT_FALSE(as.unsupported(SetTrashed{"x", true, ItemKind::Project}));
}

TEST(AppleScriptDialect, AskForTheTokenOnlyWhenTheUrlSchemeIsNeeded) {
  int asked = 0;
  AppleScriptDialect as([] { return kToday; }, [&] {
    ++asked;
    return std::optional<std::string>();
  });
  const auto plain_script = as.render({SetStatus{"A", Status::Completed}});
  EXPECT_EQ(asked, 0);
  EXPECT_EQ(plain_script.find("takt_open(\""), std::string::npos);
  AddTodo a;
  a.title = "x";
  a.checklist = {"one"};
  const auto script = as.render({a});
  EXPECT_EQ(asked, 1);
  EXPECT_NE(script.find("Enable Things URLs"), std::string::npos);
  // The script reports that as the operation's own error, which takt reads back:
  auto r = as.parse({0, false, false, true, "takt-error 9001 Things URLs are not enabled\n", ""}, 1);
  EXPECT_FALSE(r[0].ok);
  EXPECT_NE(r[0].error.find("Settings > General > Enable Things URLs"), std::string::npos);
}

// issue 12: a token that cannot be read for lack of Full Disk Access was reported as
// "Things URLs are not enabled", which sent users to the wrong setting.
TEST(AppleScriptDialect, ATokenThatCannotBeReadSaysFullDiskAccess) {
  AppleScriptDialect as([] { return kToday; }, []() -> std::optional<std::string> {
    throw std::runtime_error("unable to open database file");
  });
  AddTodo a;
  a.title = "x";
  a.checklist = {"one"};
  const auto script = as.render({a});
  EXPECT_NE(script.find("number 9002"), std::string::npos) << script;
  EXPECT_EQ(script.find("Enable Things URLs"), std::string::npos);
  auto r = as.parse({0, false, false, true, "takt-error 9002 this change needs Things' URL scheme\n", ""}, 1);
  EXPECT_NE(r[0].error.find("Full Disk Access"), std::string::npos) << r[0].error;
}

// issue 12: the URL scheme's auth token reached the client inside the error text of an
// `open` that failed (it prints its command line).
TEST(AppleScriptDialect, TheAuthTokenNeverLeavesInAnErrorText) {
  const std::string token = "s3cr3t/tok+en";
  AppleScriptDialect as([] { return kToday; }, [&] { return std::optional<std::string>(token); });
  AddTodo a;
  a.title = "x";
  a.checklist = {"one"};
  const auto script = as.render({a});
  ASSERT_NE(script.find(percent_encode(token)), std::string::npos);  // the script carries it
  const std::string said = "takt-error 1 The file /usr/bin/open things:///update?auth-token=" + percent_encode(token) +
                           "&id=X failed (raw " + token + ")\n";
  for (const auto& out : {ScriptOutput{0, false, false, true, said, ""}, ScriptOutput{1, false, false, true, "", said}}) {
    auto r = as.parse(out, 1);
    ASSERT_FALSE(r[0].ok);
    EXPECT_EQ(r[0].error.find(token), std::string::npos) << r[0].error;
    EXPECT_EQ(r[0].error.find(percent_encode(token)), std::string::npos) << r[0].error;
    EXPECT_NE(r[0].error.find("<auth-token>"), std::string::npos) << r[0].error;
  }
  EXPECT_EQ(as.redact("a " + token + " b"), "a <auth-token> b");
}

// issue 12: each operation caught every error, so osascript exited 0 and the lane never
// retried a -1712 or told Things' not running apart from a wrong id.
TEST(AppleScriptDialect, ThingsOwnErrorsStopTheScriptInsteadOfBeingCaughtPerOperation) {
  const auto script = render_applescript(SetStatus{"A", Status::Completed}, kToday);
  EXPECT_NE(script.find("if takt_number is in {-600, -609, -1712, -1743, -1744} then error takt_message number "
                        "takt_number"),
            std::string::npos)
      << script;
}

// issue 12: a project was reached as `to do id`, and nothing stopped a heading's id.
TEST(AppleScriptDialect, ProjectsByProjectIdAndHeadingsRefused) {
  EXPECT_NE(render_applescript(SetTrashed{"P", true, ItemKind::Project}, kToday).find("project id \"P\""),
            std::string::npos);
  EXPECT_NE(render_applescript(SetStatus{"P", Status::Completed, ItemKind::Project}, kToday).find("project id \"P\""),
            std::string::npos);
  EXPECT_NE(render_applescript(SetStatus{"T", Status::Completed, ItemKind::Todo}, kToday).find("to do id \"T\""),
            std::string::npos);
  AppleScriptDialect as([] { return kToday; });
  EXPECT_NE(as.unsupported(SetStatus{"H", Status::Completed, ItemKind::Heading}).value_or("").find("is a heading"),
            std::string::npos);
  EXPECT_NE(as.unsupported(SetTrashed{"H", true, ItemKind::Heading}).value_or("").find("is a heading"),
            std::string::npos);
}

// issue 12: built-in lists were named in English ("Inbox", "Trash"...), which a German,
// Spanish or Russian Things does not know.
TEST(AppleScriptDialect, BuiltInListsAreNamedById) {
  AddTodo a;
  a.title = "x";
  UpdateTodo u;
  u.id = "T";
  for (const char* list : {"inbox", "today", "anytime", "someday"}) {
    u.list = list;
    const auto script = render_applescript(u, kToday) + render_applescript(a, kToday) +
                        render_applescript(SetTrashed{"T", false, ItemKind::Todo, list}, kToday) +
                        render_applescript(SetTrashed{"T", true}, kToday);
    EXPECT_EQ(script.find("list \""), std::string::npos) << script;
    EXPECT_NE(script.find("list id \"TM"), std::string::npos) << script;
  }
}

// ---- osascript's answers ------------------------------------------------------------------------

TEST(OsascriptErrors, NameTheCauseAndTheFix) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"execution error: Not authorized to send Apple events to Things3. (-1743)", "Privacy & Security > Automation"},
      {"execution error: Not authorized to send Apple events to Things3. (-1744)", "Privacy & Security > Automation"},
      {"0:12: execution error: Things3 got an error: Application isn\u2019t running. (-600)", "open Things 3"},
      {"execution error: Things3 got an error: Can\u2019t get to do id \"abc\". (-1728)", "no such item"},
      {"execution error: Things3 got an error: AppleEvent timed out. (-1712)", "did not answer in time"},
      {"execution error: Things3 got an error: Can\u2019t continue takt_open. (-1708)", "update Things 3"},
      {"LSOpenURLsWithRole() failed with error -10814 (-10814)", "could not be found or started"},
      {"0:5: syntax error: Expected end of line but found identifier. (-2741)", "a bug in takt"},
      {"execution error: User canceled. (-128)", "cancelled"},
  };
  for (const auto& [text, part] : cases) {
    SCOPED_TRACE(text);
    const auto msg = explain_osascript_error(text);
    EXPECT_NE(msg.find(part), std::string::npos) << msg;
    EXPECT_NE(msg.find(text), std::string::npos) << msg;  // and what osascript said
  }
  EXPECT_EQ(explain_osascript_error("something odd\n"), "osascript failed: something odd");
  EXPECT_EQ(explain_osascript_error(""), "osascript failed without saying why");
}

TEST(OsascriptErrors, AFailedScriptFailsEveryOperationWithTheExplanation) {
  AppleScriptDialect as([] { return kToday; });
  auto denied = as.parse({1, false, false, true, "", "execution error: Not authorized to send Apple events to Things3. (-1743)\n"}, 2);
  ASSERT_EQ(denied.size(), 2u);
  for (const auto& r : denied) {
    EXPECT_FALSE(r.ok);
    EXPECT_NE(r.error.find("automation permission denied"), std::string::npos) << r.error;
  }
  // One operation's error does not fail the others; each line answers one operation.
  auto mixed = as.parse({0, false, false, true,
                         "8Xvlbdej9Jh16fjqFkuqru\ntakt-error -1728 Can\u2019t get to do id \"zz\".\n"
                         "Things3 got an error: Can't make list\n",
                         ""},
                        4);
  ASSERT_EQ(mixed.size(), 4u);
  EXPECT_TRUE(mixed[0].ok);
  EXPECT_EQ(mixed[0].id, "8Xvlbdej9Jh16fjqFkuqru");
  EXPECT_FALSE(mixed[1].ok);
  EXPECT_NE(mixed[1].error.find("no such item"), std::string::npos) << mixed[1].error;
  EXPECT_FALSE(mixed[2].ok);  // error text while osascript exits 0
  EXPECT_EQ(mixed[3].error, "Things returned no id for this operation");
  auto timeout = as.parse({-1, true, false, true, "", ""}, 1);
  EXPECT_EQ(timeout[0].error, "Things did not answer in time; the script was stopped");
}

TEST(Urls, ChecklistItemsInAStateGoThroughTheJsonCommand) {
  UpdateTodo u;
  u.id = "ABC";
  u.when = Clearable::set("evening");
  u.checklist_items = std::vector<ChecklistItem>{{"Outline \"v2\"", true}, {"50% off & more", false}};
  const auto url = render_url(u, "ABC", kToken, kToday);
  ASSERT_TRUE(url);
  const std::string head = "things:///json?auth-token=tok_EN-42&data=";
  ASSERT_EQ(url->rfind(head, 0), 0u) << *url;
  const auto data = percent_decode(url->substr(head.size()));
  ASSERT_TRUE(data);
  EXPECT_EQ(*data,
            R"([{"type":"to-do","operation":"update","id":"ABC","attributes":{"when":"evening","checklist-items":[)"
            R"({"type":"checklist-item","attributes":{"title":"Outline \"v2\"","completed":true}},)"
            R"({"type":"checklist-item","attributes":{"title":"50% off & more","completed":false}}]}}])");
  rapidjson::Document d;
  d.Parse(data->c_str());
  EXPECT_FALSE(d.HasParseError()) << *data;
  // Only unreserved characters are left as they are.
  EXPECT_EQ(url->substr(head.size()).find_first_of("\"{}[]:,& "), std::string::npos) << *url;
  expect_golden("update_todo_checklist_items", render_applescript(u, kToday, kToken));
}

// A batch read back in its own script (takt's mirror when the database cannot be read):
// the read-back's handlers at the top level, its body after the operations in a try block
// of its own, its result printed after the operations' lines; split_read_back cuts the
// output after exactly those lines, whatever the read-back prints.
TEST(AppleScriptReadBack, TheReadBackFollowsTheOperationsInTheSameScript) {
  AppleScriptDialect dialect([] { return kToday; });
  AddTodo add;
  add.title = "one";
  const std::vector<Operation> ops{add, SetStatus{"IdIdIdIdIdIdIdIdIdIdId", Status::Completed}};
  const ReadBack rb{"on rb_handler()\n  return 1\nend rb_handler\n", "set rb_out to \"read back\"\n", "rb_out"};
  const std::string alone = dialect.render(ops), with = dialect.render(ops, rb);
  EXPECT_EQ(with.rfind(rb.handlers, 0), 0u) << with;
  const auto ops_end = with.find("end tell\n");
  ASSERT_NE(ops_end, std::string::npos);
  EXPECT_GT(with.find("try\n" + rb.body, ops_end), ops_end) << with;
  EXPECT_NE(with.find(std::string("set rb_out to \"") + kReadBackFailed), std::string::npos) << with;
  EXPECT_NE(with.find("return (takt_ids as text) & linefeed & rb_out\n"), std::string::npos) << with;
  // The operations themselves are rendered as without a read-back.
  EXPECT_NE(with.find(alone.substr(alone.find("set takt_ids to {}"), alone.find("end tell\n") - alone.find("set takt_ids to {}"))),
            std::string::npos);

  EXPECT_EQ(split_read_back("id1\ntakt-error 5 no\ntakt-mirror 1\t1\nT\tx\nend", 2),
            std::make_pair(std::string("id1\ntakt-error 5 no\n"), std::string("takt-mirror 1\t1\nT\tx\nend")));
  EXPECT_EQ(split_read_back("id1\n", 2), std::make_pair(std::string("id1\n"), std::string()));
  EXPECT_EQ(split_read_back("id1\nid2", 2), std::make_pair(std::string("id1\nid2"), std::string()));
}
