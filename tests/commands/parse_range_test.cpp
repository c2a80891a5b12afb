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
  // 3:3:2222222222222222210:log asked Range::values for 16 EB (fuzz finding,
  // tests/fuzz/regressions/flags/huge_count).
  for (const char* bad : {"1:0:5", "0:1:0", "0:1", "a:1:3", "0:1:2.5", "0:1:1", "0:inf:3", "",
                          "0:1:1000001", "3:3:2222222222222222210:log"}) {
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

// Log grids whose ends are equal or a few ulps apart never decrease (fuzz finding: 0.1:.1:4:log
// had interior values exp(log 0.1) above its last value 0.1; tests/fuzz/regressions/flags).
TEST(LandscapeRange, LogGridsWithCloseEndsNeverDecrease) {
  for (const char* text : {"0.1:.1:4:log", "0.1:0.10000000000000002:50:log", "3:3:7:log",
                           "1e-300:1.0000000000000002e-300:9:log"}) {
    const std::vector<double> v = parse_range(text, "--x").values();
    for (size_t i = 1; i < v.size(); ++i) EXPECT_LE(v[i - 1], v[i]) << text << " at " << i;
    EXPECT_EQ(v.front(), parse_range(text, "--x").start) << text;
    EXPECT_EQ(v.back(), parse_range(text, "--x").stop) << text;
  }
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
