#include <gtest/gtest.h>

#include "commands/parse.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/printable_text.h"

namespace sharpscope::cli {
namespace {

TEST(LandscapeRange, EvenlySpacedWithExactEnds) {
  const std::vector<double> v = parse_range("-0.2:0.2:21", "--x").values();
  ASSERT_EQ(v.size(), 21u);
  EXPECT_EQ(v.front(), -0.2);
  EXPECT_EQ(v.back(), 0.2);
  EXPECT_NEAR(v[10], 0.0, 1e-17);
  EXPECT_EQ(parse_range("0.5:0.5:1", "--k").values(), std::vector<double>{0.5});
}

TEST(LandscapeRange, RejectsEmptyOrMalformedGridsNamingTheFlag) {
  for (const char* bad : {"1:0:5", "0:1:0", "0:1", "a:1:3", "0:1:2.5", "0:1:1", "0:inf:3", ""}) {
    try {
      parse_range(bad, "--x");
      ADD_FAILURE() << bad;
    } catch (const UsageError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("--x = '", 0), 0u) << e.what();
    }
  }
  try {
    parse_range("1:0:5", "--x");
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("empty grid"), std::string::npos);
  }
}

// Control characters of a flag's value are escaped in the message, which stays one line (fuzz
// finding: --schedule = 'li<newline>d...' split the message; tests/fuzz/regressions/flags).
TEST(LandscapeRange, MessagesEscapeControlCharactersOfTheValue) {
  try {
    parse_range("0:1:\n3\x1b[2J", "--x");
    ADD_FAILURE() << "accepted";
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("--x = '0:1:\\n3\\x1b[2J': ", 0), 0u) << e.what();
  }
  EXPECT_EQ(printable_text("caf\xc3\xa9\ttab"), "caf\xc3\xa9\\ttab");  // UTF-8 stays
}

TEST(LandscapeRange, IntegerListsIncreaseAndRespectTheMinimum) {
  EXPECT_EQ(parse_int_list("0,1,2,5", "--steps", 0), (std::vector<int>{0, 1, 2, 5}));
  EXPECT_THROW(parse_int_list("0,1", "--steps", 1), UsageError);
  EXPECT_THROW(parse_int_list("2,1", "--steps", 0), UsageError);
  EXPECT_THROW(parse_int_list("1,,2", "--steps", 0), UsageError);
  EXPECT_THROW(parse_name_list("v1,", "--dirs"), UsageError);
}

}  // namespace
}  // namespace sharpscope::cli
