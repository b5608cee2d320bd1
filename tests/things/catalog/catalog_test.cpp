#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "things/script/applescript.hpp"
#include "things/catalog/catalog.hpp"
#include "things/data/dates.hpp"
#include "things/script/ops.hpp"
#include "things/catalog/schema.hpp"
#include "things/catalog/tools.hpp"

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
  SimDialect sim;
  const auto* add = find_tool("add_todo");
  auto bad = parse(R"({"title":"x","when":"next week"})");
  EXPECT_EQ(check_arguments(*add, bad, sim).value_or(""),
            "when: must be today, evening, tomorrow, anytime, someday or a date YYYY-MM-DD");
  auto early = parse(R"({"title":"x","reminder":"09:30"})");
  EXPECT_EQ(check_arguments(*add, early, sim).value_or(""),
            "reminder: needs 'when' with a day (today, evening, tomorrow or YYYY-MM-DD)");
  auto both = parse(R"({"title":"x","area":"A","heading":"H"})");
  EXPECT_EQ(check_arguments(*add, both, sim).value_or(""), "area: cannot go with project or heading");
  auto fine = parse(R"({"title":"x","when":"2026-12-01"})");
  EXPECT_FALSE(check_arguments(*add, fine, sim));
}

TEST(Tools, ResultsCarryStructuredContentAndText) {
  EXPECT_EQ(tool_result(R"({"id":"a"})"),
            R"({"content":[{"type":"text","text":"{\"id\":\"a\"}"}],"structuredContent":{"id":"a"},"isError":false})");
  EXPECT_EQ(tool_error("no"), R"({"content":[{"type":"text","text":"no"}],"isError":true})");
}

TEST(SimDialect, RendersJsonAndReadsResults) {
  SimDialect sim;
  AddTodo a;
  a.title = "Say \"hi\"\n";
  a.tags = {"Home"};
  EXPECT_EQ(sim.render({a}), R"({"ops":[{"op":"add_todo","title":"Say \"hi\"\n","tags":["Home"]}]})");
  auto ok = sim.parse({0, false, false, true, R"({"results":[{"ok":true,"id":"abc"}]})", ""}, 1);
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_TRUE(ok[0].ok);
  EXPECT_EQ(ok[0].id, "abc");
  auto failed = sim.parse({1, false, false, true, "", "things-sim: Things3 got an error: AppleEvent timed out. (-1712)\n"}, 1);
  EXPECT_FALSE(failed[0].ok);
  EXPECT_EQ(failed[0].error, "things-sim: Things3 got an error: AppleEvent timed out. (-1712)");
  auto garbled = sim.parse({0, false, false, true, "not json", ""}, 1);
  EXPECT_FALSE(garbled[0].ok);
  auto timeout = sim.parse({-1, true, false, true, "", ""}, 1);
  EXPECT_EQ(timeout[0].error, "Things did not answer in time; the script was stopped");
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

