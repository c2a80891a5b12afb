#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "commands/parse.h"
#include "sharpscope/core/error.h"

namespace sharpscope::cli {
namespace {

TEST(DataSpec, FashionMnistDefaultsToTheDebianDirectory) {
  const DataSpec spec = parse_data_spec("fmnist");
  EXPECT_EQ(to_string(spec.kind), "fmnist");
  EXPECT_EQ(spec.directory, "/usr/share/datasets/fashion-mnist");
  EXPECT_EQ(spec.text, "fmnist");
  EXPECT_TRUE(spec.synthetic.empty());
}

TEST(DataSpec, KindsWithDirectories) {
  for (const std::string kind : {"fmnist", "mnist", "cifar10", "cifar100"}) {
    const DataSpec spec = parse_data_spec(kind + ":/data/x:y");
    EXPECT_EQ(to_string(spec.kind), kind);
    EXPECT_EQ(spec.directory, "/data/x:y");  // only the first colon separates
  }
}

TEST(DataSpec, SyntheticDefaultsAndOverrides) {
  EXPECT_EQ(parse_data_spec("synthetic").synthetic, (std::vector<int64_t>{512, 1, 8, 8, 4, 0}));
  EXPECT_EQ(parse_data_spec("synthetic:64,3,4,5,2,7").synthetic,
            (std::vector<int64_t>{64, 3, 4, 5, 2, 7}));
  EXPECT_EQ(parse_data_spec("synthetic:100").synthetic, (std::vector<int64_t>{100, 1, 8, 8, 4, 0}));
  EXPECT_TRUE(parse_data_spec("synthetic").directory.empty());
}

TEST(DataSpec, MalformedSpecsAreUsageErrors) {
  for (const std::string text :
       {"xyz", "", "mnist", "cifar10", "cifar100", "fmnist:", "synthetic:", "synthetic:0",
        "synthetic:8,x", "synthetic:8,1,8,8,4,-1", "synthetic:1,2,3,4,5,6,7", "synthetic:8,,8",
        "synthetic:8x", "FMNIST"}) {
    EXPECT_THROW(parse_data_spec(text), UsageError) << text;
  }
}

TEST(DataSpec, MessageNamesTheFlagValueAndTheForms) {
  try {
    parse_data_spec("xyz");
    FAIL() << "no exception";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(),
                 "--data = 'xyz': expected fmnist[:DIR] | mnist:DIR | cifar10:DIR | cifar100:DIR "
                 "| synthetic[:N,C,H,W,K,SEED]");
  }
}

TEST(DataSpec, Split) {
  EXPECT_EQ(parse_split("train"), Split::kTrain);
  EXPECT_EQ(parse_split("test"), Split::kTest);
  EXPECT_EQ(to_string(Split::kTrain), "train");
  EXPECT_EQ(to_string(Split::kTest), "test");
  for (const std::string text : {"Train", "val", ""}) {
    try {
      parse_split(text);
      FAIL() << "no exception for '" << text << "'";
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("--split"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace sharpscope::cli
