// The pure parts of the read tools: periods and local days, case folding for search, and
// repeat rules decoded from the property lists Things writes.

#include <gtest/gtest.h>

#include "support/in_zone.hpp"

#include <cstdlib>
#include <ctime>

#include "things/data/dates.hpp"
#include "things/data/recurrence.hpp"
#include "things/data/folding.hpp"

using namespace takt::things;

namespace {

using takt::test::InZone;

std::string rule(const std::string& body) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" "
         "\"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n<plist version=\"1.0\">\n<dict>\n" +
         body + "</dict>\n</plist>\n";
}

std::string said(const std::string& body) {
  auto r = parse_repeat_rule(rule(body));
  return r ? describe(*r) : "(not a rule)";
}

std::string wd(int d) { return "<dict><key>wd</key><integer>" + std::to_string(d) + "</integer></dict>"; }

}  // namespace

TEST(Periods, ParseNumberAndUnit) {
  EXPECT_EQ(parse_period("7d"), (Period{7, 'd'}));
  EXPECT_EQ(parse_period("2w"), (Period{2, 'w'}));
  EXPECT_EQ(parse_period("1m"), (Period{1, 'm'}));
  EXPECT_EQ(parse_period("10y"), (Period{10, 'y'}));
  EXPECT_EQ(parse_period("0d"), (Period{0, 'd'}));
  for (const char* bad : {"", "d", "7", "7x", "-1d", "1.5d", "7 d", "7D", "123456d", "week"})
    EXPECT_FALSE(parse_period(bad)) << bad;
}

TEST(Periods, StartCountsBackByCalendar) {
  const Date today{2024, 6, 20};
  EXPECT_EQ(period_start(today, {7, 'd'}), (Date{2024, 6, 13}));
  EXPECT_EQ(period_start(today, {0, 'd'}), today);
  EXPECT_EQ(period_start(today, {2, 'w'}), (Date{2024, 6, 6}));
  EXPECT_EQ(period_start(today, {1, 'm'}), (Date{2024, 5, 20}));
  EXPECT_EQ(period_start(today, {1, 'y'}), (Date{2023, 6, 20}));
  EXPECT_EQ(period_start({2024, 3, 31}, {1, 'm'}), (Date{2024, 2, 29}));  // clamped to the month's end
  EXPECT_EQ(period_start({2024, 2, 29}, {1, 'y'}), (Date{2023, 2, 28}));
  EXPECT_EQ(period_start({2024, 1, 15}, {13, 'm'}), (Date{2022, 12, 15}));
  EXPECT_EQ(period_start(today, {99999, 'y'}), (Date{1, 1, 1}));  // "since ever"
  EXPECT_EQ(period_start(today, {99999, 'w'}), (Date{107, 12, 15}));
  EXPECT_EQ(period_start({10, 1, 1}, {99999, 'd'}), (Date{1, 1, 1}));
}

TEST(Dates, DayArithmetic) {
  EXPECT_EQ(add_days({2024, 2, 28}, 1), (Date{2024, 2, 29}));
  EXPECT_EQ(add_days({2024, 12, 31}, 1), (Date{2025, 1, 1}));
  EXPECT_EQ(add_days({2024, 3, 1}, -1), (Date{2024, 2, 29}));
  EXPECT_EQ(days_between({2024, 6, 20}, {2040, 11, 4}), 5981);
  EXPECT_EQ(days_between({2024, 6, 20}, {2021, 5, 21}), -1126);
}

TEST(Dates, LocalDaysFollowTheTimeZone) {
  // 2024-06-18T00:00:00Z and one millisecond before it (two to-dos of the fixture).
  const double after = 1718668800.0, before = 1718668799.999;
  {
    InZone utc("UTC");
    EXPECT_EQ(local_date(after), (Date{2024, 6, 18}));
    EXPECT_EQ(local_date(before), (Date{2024, 6, 17}));
    EXPECT_EQ(local_midnight({2024, 6, 18}), after);
  }
  {
    InZone pakistan("UTC-5");  // POSIX sign: five hours east of UTC
    EXPECT_EQ(local_date(before), (Date{2024, 6, 18}));
    EXPECT_EQ(local_midnight({2024, 6, 18}), after - 5 * 3600);
  }
  {
    InZone new_york("UTC+5");
    EXPECT_EQ(local_date(after), (Date{2024, 6, 17}));
  }
}

TEST(Text, FoldsCaseBeyondAscii) {
  EXPECT_EQ(fold_case("Hello WORLD"), "hello world");
  EXPECT_EQ(fold_case("ÄPFEL Über ÉTÉ"), "äpfel über été");
  EXPECT_EQ(fold_case("ŁÓDŹ ŒUVRE"), "łódź œuvre");
  EXPECT_EQ(fold_case("ΣΟΦΙΑ σοφίας"), "σοφια σοφίασ");  // final sigma matches sigma
  EXPECT_EQ(fold_case("МОСКВА Ёлка"), "москва ёлка");
  EXPECT_EQ(fold_case("ＴＡＫＴ"), "ｔａｋｔ");
  EXPECT_EQ(fold_case("日本語 ✓ 123"), "日本語 ✓ 123");
  EXPECT_EQ(fold_case(std::string("bad \xff byte")), std::string("bad \xff byte"));
}

TEST(Text, SearchWordsSplitAtWhiteSpace) {
  EXPECT_EQ(search_words("  To-Do\tin  HEADING \n"), (std::vector<std::string>{"to-do", "in", "heading"}));
  EXPECT_TRUE(search_words(" \t\n").empty());
  EXPECT_EQ(search_words("50%"), (std::vector<std::string>{"50%"}));
}

TEST(Repeat, TheFixturesRule) {
  // The rule of "Repeating To-Do" in things.py's test database, as Things wrote it.
  const auto r = parse_repeat_rule(rule(
      "\t<key>ed</key>\n\t<real>64092211200</real>\n\t<key>fa</key>\n\t<integer>1</integer>\n"
      "\t<key>fu</key>\n\t<integer>256</integer>\n\t<key>ia</key>\n\t<real>1616889600</real>\n"
      "\t<key>of</key>\n\t<array>\n\t\t<dict>\n\t\t\t<key>wd</key>\n\t\t\t<integer>0</integer>\n\t\t</dict>\n"
      "\t</array>\n\t<key>rc</key>\n\t<integer>0</integer>\n\t<key>rrv</key>\n\t<integer>4</integer>\n"
      "\t<key>sr</key>\n\t<real>1608336000</real>\n\t<key>tp</key>\n\t<integer>1</integer>\n"
      "\t<key>ts</key>\n\t<integer>-99</integer>\n"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->unit, 256);
  EXPECT_EQ(r->interval, 1);
  EXPECT_TRUE(r->after_completion);
  ASSERT_EQ(r->offsets.size(), 1u);
  EXPECT_EQ(r->offsets[0].weekday, 0);
  EXPECT_EQ(r->count, 0);
  EXPECT_FALSE(r->ends);  // 4001-01-01 means never
  EXPECT_EQ(describe(*r), "every week after completion");
}

TEST(Repeat, RulesInWords) {
  const std::string daily = "<key>fu</key><integer>16</integer><key>of</key><array><dict><key>dy</key><integer>0</integer></dict></array>";
  EXPECT_EQ(said(daily + "<key>fa</key><integer>1</integer>"), "every day");
  EXPECT_EQ(said(daily + "<key>fa</key><integer>2</integer>"), "every 2 days");
  EXPECT_EQ(said("<key>fu</key><integer>256</integer><key>fa</key><integer>1</integer><key>of</key><array>" + wd(1) +
                 "</array>"),
            "every week on Monday");
  EXPECT_EQ(said("<key>fu</key><integer>256</integer><key>fa</key><integer>2</integer><key>of</key><array>" + wd(5) +
                 wd(0) + wd(1) + wd(3) + "</array>"),
            "every 2 weeks on Monday, Wednesday, Friday and Sunday");
  EXPECT_EQ(said("<key>fu</key><integer>256</integer><key>fa</key><integer>1</integer>"), "every week");
  EXPECT_EQ(said("<key>fu</key><integer>8</integer><key>fa</key><integer>1</integer><key>of</key><array><dict>"
                 "<key>dy</key><integer>15</integer></dict></array>"),
            "monthly on day 15");
  EXPECT_EQ(said("<key>fu</key><integer>8</integer><key>fa</key><integer>3</integer><key>of</key><array><dict>"
                 "<key>dy</key><integer>1</integer></dict><dict><key>dy</key><integer>15</integer></dict></array>"),
            "every 3 months on days 1 and 15");
  EXPECT_EQ(said("<key>fu</key><integer>8</integer><key>of</key><array><dict><key>dy</key><integer>-1</integer>"
                 "</dict></array>"),
            "monthly on the last day");
  EXPECT_EQ(said("<key>fu</key><integer>8</integer><key>of</key><array><dict><key>wd</key><integer>2</integer>"
                 "<key>wdo</key><integer>2</integer></dict></array>"),
            "monthly on the second Tuesday");
  EXPECT_EQ(said("<key>fu</key><integer>8</integer><key>of</key><array><dict><key>wd</key><integer>5</integer>"
                 "<key>wdo</key><integer>-1</integer></dict></array>"),
            "monthly on the last Friday");
  EXPECT_EQ(said("<key>fu</key><integer>4</integer><key>fa</key><integer>1</integer>"), "every year");
  EXPECT_EQ(said("<key>fu</key><integer>4</integer><key>of</key><array><dict><key>dy</key><integer>8</integer>"
                 "<key>mo</key><integer>10</integer></dict></array>"),
            "every year on October 8");
  EXPECT_EQ(said("<key>fu</key><integer>4</integer><key>fa</key><integer>2</integer><key>of</key><array><dict>"
                 "<key>wd</key><integer>1</integer><key>wdo</key><integer>1</integer><key>mo</key><integer>9</integer>"
                 "</dict></array>"),
            "every 2 years on the first Monday of September");
  EXPECT_EQ(said("<key>fu</key><integer>16</integer><key>fa</key><integer>3</integer><key>tp</key><integer>1</integer>"),
            "every 3 days after completion");
}

TEST(Repeat, EndsAndCounts) {
  EXPECT_EQ(said("<key>fu</key><integer>16</integer><key>rc</key><integer>5</integer>"), "every day, 5 times");
  // 2027-01-01T00:00:00Z
  EXPECT_EQ(said("<key>fu</key><integer>256</integer><key>ed</key><real>1798761600</real>"),
            "every week, until 2027-01-01");
}

TEST(Repeat, WhatIsNotARule) {
  EXPECT_FALSE(parse_repeat_rule(""));
  EXPECT_FALSE(parse_repeat_rule("bplist00\x01\x02"));
  EXPECT_FALSE(parse_repeat_rule(rule("<key>fu</key><integer>256")));  // cut short
  EXPECT_FALSE(parse_repeat_rule(std::string(200, '<') + "dict>"));
  auto unknown = parse_repeat_rule(rule("<key>fu</key><integer>32</integer>"));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(describe(*unknown), "repeats (by a rule takt cannot read)");
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "<array>";
  EXPECT_FALSE(parse_repeat_rule(rule("<key>of</key>" + deep)));
}
