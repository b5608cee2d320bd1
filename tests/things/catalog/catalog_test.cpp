#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "things/script/applescript.hpp"
#include "things/catalog/catalog.hpp"
#include "things/data/dates.hpp"
#include "things/script/ops.hpp"
#include "things/catalog/schema.hpp"
#include "things/catalog/tools.hpp"
#include "support/probe_dialect.hpp"

using namespace takt::things;

namespace {
rapidjson::Document parse(const char* text) {
  rapidjson::Document d;
  d.Parse(text);
  EXPECT_FALSE(d.HasParseError()) << text;
  return d;
}
const Date kToday{2026, 11, 22};
}  // namespace

TEST(Dates, PackedLikeThings) {
  EXPECT_EQ(pack_date({2021, 3, 28}), 132464128);
  EXPECT_EQ(unpack_date(132464128), (Date{2021, 3, 28}));
  EXPECT_FALSE(unpack_date(0));
  EXPECT_EQ(iso_date({2026, 1, 5}), "2026-01-05");
  EXPECT_EQ(parse_iso_date("2024-02-29"), (Date{2024, 2, 29}));
  EXPECT_FALSE(parse_iso_date("2023-02-29"));
  EXPECT_FALSE(parse_iso_date("2023-13-01"));
  EXPECT_FALSE(parse_iso_date("tomorrow"));
  EXPECT_EQ(iso_timestamp(0), "1970-01-01T00:00:00Z");
}

TEST(Schema, ErrorsNameTheField) {
  const auto* add = find_tool("add_todo");
  ASSERT_NE(add, nullptr);
  auto check = [&](const char* args) {
    auto d = parse(args);
    return validate(*add->input_schema, d).value_or("");
  };
  EXPECT_EQ(check(R"({"title":"ok"})"), "");
  EXPECT_EQ(check(R"({})"), "title: is required");
  EXPECT_EQ(check(R"({"title":5})"), "title: expected a string, got an integer");
  EXPECT_EQ(check(R"({"title":""})"), "title: must not be empty");
  EXPECT_EQ(check(R"({"title":"x","tags":"a,b"})"), "tags: expected an array, got a string");
  EXPECT_EQ(check(R"({"title":"x","tags":["a",3]})"), "tags[1]: expected a string, got an integer");
  EXPECT_EQ(check(R"({"title":"x","deadline":"soon"})"), "deadline: must be a date written YYYY-MM-DD");
  EXPECT_EQ(check(R"({"title":"x","colour":"red"})"), "colour: is not a known argument");
  const auto* inbox = find_tool("get_inbox");
  auto d = parse(R"({"limit":0})");
  EXPECT_EQ(validate(*inbox->input_schema, d).value_or(""), "limit: must be at least 1");
}

TEST(Schema, MinPropertiesNamesWhatMayBeGiven) {
  auto schema = parse(R"({"type":"object","properties":{"range":{"type":"object","minProperties":1,
    "properties":{"on":{"type":"string"},"before":{"type":"string"}},"additionalProperties":false}}})");
  auto empty = parse(R"({"range":{}})");
  auto one = parse(R"({"range":{"on":"x"}})");
  EXPECT_EQ(validate(schema, empty).value_or(""), "range: must have at least one of: on, before");
  EXPECT_FALSE(validate(schema, one));
  auto two = parse(R"({"type":"object","minProperties":2,"properties":{"a":{},"b":{}}})");
  auto only_a = parse(R"({"a":1})");
  EXPECT_EQ(validate(two, only_a).value_or(""), "arguments: must have at least 2 of: a, b");
}

TEST(Schema, LengthsCountCharactersNotBytes) {
  auto schema = parse(R"({"type":"string","maxLength":3})");
  auto ok = parse(R"("äöü")");
  auto too_long = parse(R"("äöüß")");
  EXPECT_FALSE(validate(schema, ok));
  EXPECT_TRUE(validate(schema, too_long));
}

TEST(Catalog, EveryToolIsComplete) {
  for (const auto& t : tool_catalog()) {
    SCOPED_TRACE(t.name);
    EXPECT_FALSE(t.title.empty());
    EXPECT_FALSE(t.description.empty());
    auto in = parse(t.input_schema_text.c_str());
    auto out = parse(t.output_schema_text.c_str());
    EXPECT_STREQ(in["type"].GetString(), "object");
    EXPECT_STREQ(out["type"].GetString(), "object");
    EXPECT_EQ(t.read_only, t.kind != ToolKind::Write);
  }
  auto list = parse(tools_list_json().c_str());
  ASSERT_TRUE(list.IsArray());
  EXPECT_EQ(list.Size(), tool_catalog().size());
  EXPECT_EQ(find_tool("no_such_tool"), nullptr);
}

TEST(Tools, WhenIsCheckedBeforeQueueing) {
  const takt::test::ProbeDialect any;  // the catalogue's own checks, whatever the backend
  const auto* add = find_tool("add_todo");
  auto bad = parse(R"({"title":"x","when":"next week"})");
  EXPECT_EQ(check_arguments(*add, bad, any).value_or(""),
            "when: must be today, evening, tomorrow, anytime, someday or a date YYYY-MM-DD");
  auto early = parse(R"({"title":"x","reminder":"09:30"})");
  EXPECT_EQ(check_arguments(*add, early, any).value_or(""),
            "reminder: needs 'when' with a day (today, evening, tomorrow or YYYY-MM-DD)");
  auto both = parse(R"({"title":"x","area":"A","heading":"H"})");
  EXPECT_EQ(check_arguments(*add, both, any).value_or(""), "area: cannot go with project or heading");
  auto fine = parse(R"({"title":"x","when":"2026-12-01"})");
  EXPECT_FALSE(check_arguments(*add, fine, any));
}

TEST(Tools, ResultsCarryStructuredContentAndText) {
  EXPECT_EQ(tool_result(R"({"id":"a"})"),
            R"({"content":[{"type":"text","text":"{\"id\":\"a\"}"}],"structuredContent":{"id":"a"},"isError":false})");
  EXPECT_EQ(tool_error("no"), R"({"content":[{"type":"text","text":"no"}],"isError":true})");
}

TEST(AppleScript, StringsAreLiterals) {
  EXPECT_EQ(applescript_string("plain"), "\"plain\"");
  EXPECT_EQ(applescript_string("a\"b"), "\"a\\\"b\"");
  EXPECT_EQ(applescript_string("back\\slash"), "\"back\\\\slash\"");
  EXPECT_EQ(applescript_string("two\nlines"), "\"two\" & linefeed & \"lines\"");
  EXPECT_EQ(applescript_string("cr\rhere"), "\"cr\" & return & \"here\"");
  EXPECT_EQ(applescript_string("\" & (do shell script \"rm -rf ~\") & \""),
            "\"\\\" & (do shell script \\\"rm -rf ~\\\") & \\\"\"");
}


// issue 16: dates from the year 4000 on were confirmed, then vanished (Things' placeholder
// filter hides them).
TEST(Tools, DatesThingsKeepsAsPlaceholdersAreRefused) {
  const takt::test::ProbeDialect any;  // the catalogue's own checks, whatever the backend
  const std::string err_when =
      "when: Things holds days up to 3999-12-31 (from the year 4000 on it keeps placeholders, which no list shows)";
  const std::string err_deadline =
      "deadline: Things holds days up to 3999-12-31 (from the year 4000 on it keeps placeholders, which no list shows)";
  for (const char* tool : {"add_todo", "add_project"}) {
    auto both = parse(R"({"title":"x","when":"4026-12-05","deadline":"4026-12-05"})");
    EXPECT_EQ(check_arguments(*find_tool(tool), both, any).value_or(""), err_when) << tool;
    auto deadline = parse(R"({"title":"x","deadline":"4000-01-01"})");
    EXPECT_EQ(check_arguments(*find_tool(tool), deadline, any).value_or(""), err_deadline) << tool;
    auto last = parse(R"({"title":"x","when":"3999-12-31","deadline":"3999-12-31"})");
    EXPECT_FALSE(check_arguments(*find_tool(tool), last, any)) << tool;
  }
  auto update = parse(R"({"id":"A","deadline":"4001-01-01"})");
  EXPECT_EQ(check_arguments(*find_tool("update_todo"), update, any).value_or(""), err_deadline);
  auto bulk = parse(R"({"ids":["A"],"when":"9999-12-31"})");
  EXPECT_EQ(check_arguments(*find_tool("bulk_update"), bulk, any).value_or(""), err_when);
  auto project = parse(R"({"id":"P","when":"4000-01-01"})");
  EXPECT_EQ(check_arguments(*find_tool("update_project"), project, any).value_or(""), err_when);
}

// issue 16: a title of white space only was accepted (an empty one was refused).
TEST(Tools, BlankTitlesAreRefused) {
  const takt::test::ProbeDialect any;  // the catalogue's own checks, whatever the backend
  const auto check = [&](const char* tool, const char* args) {
    auto a = parse(args);
    return check_arguments(*find_tool(tool), a, any).value_or("");
  };
  EXPECT_EQ(check("add_todo", R"({"title":"   "})"), "title: must not be blank (it holds only white space)");
  EXPECT_EQ(check("add_todo", "{\"title\":\" \\t\\n\"}"), "title: must not be blank (it holds only white space)");
  EXPECT_EQ(check("update_todo", R"({"id":"A","title":"   "})"), "title: must not be blank (it holds only white space)");
  EXPECT_EQ(check("update_project", R"({"id":"P","title":" "})"), "title: must not be blank (it holds only white space)");
  EXPECT_EQ(check("add_project", R"({"title":"p","todos":["a","  "]})"),
            "todos[1]: must not be blank (it holds only white space)");
  EXPECT_EQ(check("add_todo", R"({"title":"t","checklist":[" "]})"),
            "checklist[0]: must not be blank (it holds only white space)");
  EXPECT_EQ(check("add_heading", R"({"project":"P","title":"  "})"),
            "title: must not be blank (it holds only white space)");
  EXPECT_EQ(check("create_tag", R"({"title":" "})"), "title: must not be blank (it holds only white space)");
  EXPECT_EQ(check("create_area", R"({"title":"a","tags":[" "]})"), "tags[0]: must not be blank (it holds only white space)");
  EXPECT_EQ(check("add_tags", R"({"ids":["A"],"tags":["\t"]})"), "tags[0]: must not be blank (it holds only white space)");
  EXPECT_EQ(check("add_todo", R"({"title":"  x  "})"), "");
  EXPECT_EQ(check("add_todo", R"({"title":""})"), "title: must not be empty");
}

// issue 16: a length check ran before the format check and hid what was expected.
TEST(Tools, WrongFormsHearTheExpectedForm) {
  const takt::test::ProbeDialect any;  // the catalogue's own checks, whatever the backend
  const auto check = [&](const char* tool, const char* args) {
    auto a = parse(args);
    return check_arguments(*find_tool(tool), a, any).value_or("");
  };
  EXPECT_EQ(check("add_todo", R"({"title":"x","when":"next monday"})"),
            "when: must be today, evening, tomorrow, anytime, someday or a date YYYY-MM-DD");
  EXPECT_EQ(check("update_todo", R"({"id":"A","when":"next monday"})"),
            "when: must be today, evening, tomorrow, anytime, someday or a date YYYY-MM-DD");
  EXPECT_EQ(check("add_todo", R"({"title":"x","when":"today","reminder":"9:00"})"),
            "reminder: must be a time HH:MM (24 h), like 09:30");
  EXPECT_EQ(check("update_todo", R"({"id":"A","when":"today","reminder":"9:00"})"),
            "reminder: must be a time HH:MM (24 h), like 09:30");
  EXPECT_EQ(check("update_todo", R"({"id":"A","deadline":"next friday"})"),
            "deadline: must be a date YYYY-MM-DD, or empty to remove it");
  EXPECT_EQ(check("add_todo", R"({"title":"x","deadline":"next friday"})"), "deadline: must be a date written YYYY-MM-DD");
}

// issue 16: these were refused only after the call had waited for the lane.
TEST(Tools, TagContradictionsAndShortcutsAreRefusedBeforeQueueing) {
  const takt::test::ProbeDialect any;  // the catalogue's own checks, whatever the backend
  const auto check = [&](const char* tool, const char* args) {
    auto a = parse(args);
    return check_arguments(*find_tool(tool), a, any).value_or("");
  };
  EXPECT_EQ(check("update_todo", R"({"id":"A","add_tags":["Home"],"remove_tags":["home"]})"),
            "add_tags and remove_tags: 'Home' is in both");
  EXPECT_EQ(check("bulk_update", R"({"ids":["A"],"add_tags":["ERRAND"],"remove_tags":["Errand"]})"),
            "add_tags and remove_tags: 'ERRAND' is in both");
  EXPECT_EQ(check("create_tag", R"({"title":"t","shortcut":"ab"})"), "shortcut: must be one character");
  EXPECT_EQ(check("create_tag", R"({"title":"t","shortcut":"é"})"), "");
  EXPECT_EQ(check("create_tag", R"({"title":"t","shortcut":"d"})"), "");
  // create_tag takes titles as long as the tags add_todo creates.
  const std::string long_title(1000, 'x');
  auto a = parse(("{\"title\":\"" + long_title + "\"}").c_str());
  EXPECT_FALSE(check_arguments(*find_tool("create_tag"), a, any));
}

// Found by the script property test: a checklist item with a line break became two in
// Things, whose URL scheme separates checklist items by line breaks.
TEST(Tools, ChecklistItemsAreOneLine) {
  const takt::test::ProbeDialect any;
  const auto check = [&](const char* tool, const char* args) {
    auto a = parse(args);
    return check_arguments(*find_tool(tool), a, any).value_or("");
  };
  const std::string why = ": must be one line (Things separates checklist items by line breaks)";
  EXPECT_EQ(check("add_todo", R"({"title":"t","checklist":["a","b\nc"]})"), "checklist[1]" + why);
  EXPECT_EQ(check("update_todo", R"({"id":"A","append_checklist":["a\r"]})"), "append_checklist[0]" + why);
  EXPECT_EQ(check("update_todo", R"({"id":"A","checklist_items":[{"title":"x\ny"}]})"), "checklist_items[0].title" + why);
  EXPECT_EQ(check("add_todo", R"({"title":"t","checklist":["a b"],"notes":"two\nlines"})"), "");
}
