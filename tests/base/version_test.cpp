// The base layer: the version generated from CMake's project(), the cost classes' names,
// shared answers and the JSON quoting every reply uses.

#include <gtest/gtest.h>

#include <string>

#include "base/config.hpp"
#include "base/json.hpp"
#include "base/shared_text.hpp"
#include "base/version.hpp"

using namespace takt;

TEST(Version, IsTheProjectVersionOfCMakeLists) {
  EXPECT_STREQ(kName, "takt");
  EXPECT_STREQ(kVersion, TAKT_TEST_PROJECT_VERSION);
}

TEST(CostClass, NamesReadBackAndUnknownNamesAreRefused) {
  for (CostClass c : {CostClass::Fast, CostClass::Medium, CostClass::Slow}) {
    const auto back = parse_cost_class(cost_class_name(c));
    ASSERT_TRUE(back.has_value());
    EXPECT_EQ(*back, c);
  }
  EXPECT_FALSE(parse_cost_class("Fast").has_value());
  EXPECT_FALSE(parse_cost_class("").has_value());
}

TEST(SharedText, OneAnswerSharedWithoutCopies) {
  SharedText a = std::string(R"({"items":[]})");
  SharedText b = a;
  EXPECT_EQ(&*a, &*b);
  EXPECT_TRUE(a == R"({"items":[]})");
  b.reset();
  EXPECT_FALSE(b.has_value());
  EXPECT_TRUE(a.has_value());
}

TEST(Json, QuoteEscapesWhatJsonRequires) {
  EXPECT_EQ(json::quote("a\"b\\c\n\x01"), R"("a\"b\\c\n\u0001")");
}
