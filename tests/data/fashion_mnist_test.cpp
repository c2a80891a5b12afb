// Checks against the Fashion-MNIST files of the Debian package dataset-fashion-mnist; skipped
// where the package is not installed.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "commands/parse.h"
#include "sharpscope/core/error.h"
#include "sharpscope/data/loader.h"

namespace sharpscope {
using cli::parse_data_spec;
namespace {

class DataFashionMnist : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!std::filesystem::exists(parse_data_spec("fmnist").directory)) return;
    // Reported, not asserted: wall time depends on the machine's load. CPU time includes torch's
    // intra-op threads.
    const auto start = std::chrono::steady_clock::now();
    const std::clock_t cpu_start = std::clock();
    train_ = new Dataset(load_dataset(parse_data_spec("fmnist"), Split::kTrain));
    const std::chrono::duration<double> wall = std::chrono::steady_clock::now() - start;
    std::cout << "Fashion-MNIST train split loaded in " << wall.count() << " s wall, "
              << static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC << " s CPU\n";
    test_ = new Dataset(load_dataset(parse_data_spec("fmnist"), Split::kTest));
  }
  static void TearDownTestSuite() {
    delete train_;
    delete test_;
    train_ = test_ = nullptr;
  }
  void SetUp() override {
    if (!train_) GTEST_SKIP() << "Fashion-MNIST not installed";
  }
  static Dataset* train_;
  static Dataset* test_;
};

Dataset* DataFashionMnist::train_ = nullptr;
Dataset* DataFashionMnist::test_ = nullptr;

TEST_F(DataFashionMnist, Shapes) {
  EXPECT_EQ(train_->images.sizes(), (std::vector<int64_t>{60000, 1, 28, 28}));
  EXPECT_EQ(test_->images.sizes(), (std::vector<int64_t>{10000, 1, 28, 28}));
  EXPECT_EQ(train_->labels.sizes(), (std::vector<int64_t>{60000}));
  EXPECT_EQ(train_->num_classes, 10);
  EXPECT_EQ(train_->name, "fmnist/train");
  EXPECT_EQ(test_->name, "fmnist/test");
  EXPECT_EQ(train_->normalization, "x/255, (x-0.2860)/0.3530");
}

TEST_F(DataFashionMnist, ClassesAreExactlyBalanced) {
  EXPECT_TRUE(torch::equal(train_->labels.bincount(), torch::full({10}, 6000, torch::kLong)));
  EXPECT_TRUE(torch::equal(test_->labels.bincount(), torch::full({10}, 1000, torch::kLong)));
}

// Read independently from the file with Python's gzip module.
TEST_F(DataFashionMnist, FirstTrainLabels) {
  EXPECT_TRUE(torch::equal(train_->labels.narrow(0, 0, 10),
                           torch::tensor({9, 0, 0, 3, 0, 2, 7, 2, 5, 5}, torch::kLong)));
  EXPECT_TRUE(torch::equal(test_->labels.narrow(0, 0, 10),
                           torch::tensor({9, 2, 1, 1, 6, 1, 4, 6, 5, 7}, torch::kLong)));
}

// An exact float64 pass over the train bytes (Python) gives mean 0.000115 and std 1.000069 after
// normalization; float32 storage and reduction add well under 1e-4, so 1e-3 is a safe bound.
TEST_F(DataFashionMnist, NormalizedTrainPixelsAreStandardized) {
  const at::Tensor pixels = train_->images.to(torch::kDouble);
  EXPECT_NEAR(pixels.mean().item<double>(), 0.000115, 1e-3);
  EXPECT_NEAR(pixels.std().item<double>(), 1.000069, 1e-3);
}

TEST_F(DataFashionMnist, OversizedSubsetNamesTheSplit) {
  try {
    load_dataset(parse_data_spec("fmnist"), Split::kTrain, {70000, std::nullopt});
    FAIL() << "no UsageError";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "--subset = 70000: the train split of fmnist has only 60000 examples");
  }
}

TEST_F(DataFashionMnist, SubsetsSelectRowsOfTheFullSplit) {
  const Dataset first = load_dataset(parse_data_spec("fmnist"), Split::kTest, {100, std::nullopt});
  EXPECT_TRUE(torch::equal(first.images, test_->images.narrow(0, 0, 100)));
  const Dataset random = load_dataset(parse_data_spec("fmnist"), Split::kTest, {100, 1u});
  EXPECT_EQ(random.images.sizes(), (std::vector<int64_t>{100, 1, 28, 28}));
}

}  // namespace
}  // namespace sharpscope
