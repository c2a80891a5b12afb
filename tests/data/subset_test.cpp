#include <gtest/gtest.h>
#include <torch/torch.h>

#include "commands/parse.h"
#include "sharpscope/core/error.h"
#include "sharpscope/data/loader.h"

namespace sharpscope {
using cli::parse_data_spec;
namespace {

const DataSpec kSpec = parse_data_spec("synthetic:200,1,3,3,5,4");

// Row numbers in `all` of the rows of `part`: synthetic rows are continuous noise, hence distinct,
// so an exact match identifies the row. Compute mode 2 avoids the matrix-product formula, whose
// cancellation would make an exact match nonzero.
at::Tensor rows_in(const Dataset& part, const Dataset& all) {
  const at::Tensor distances =
      torch::cdist(part.images.flatten(1), all.images.flatten(1), 2.0, /*compute_mode=*/2);
  const auto [closest, index] = distances.min(1);
  EXPECT_EQ(closest.max().item<double>(), 0.0);
  return index;
}

TEST(DataSubset, FirstNAreTheFirstRows) {
  const Dataset all = load_dataset(kSpec, Split::kTrain);
  const Dataset first = load_dataset(kSpec, Split::kTrain, {50, std::nullopt});
  ASSERT_EQ(first.size(), 50);
  EXPECT_TRUE(torch::equal(first.images, all.images.narrow(0, 0, 50)));
  EXPECT_TRUE(torch::equal(first.labels, all.labels.narrow(0, 0, 50)));
}

TEST(DataSubset, ZeroMeansAll) {
  EXPECT_EQ(load_dataset(kSpec, Split::kTrain, {0, std::nullopt}).size(), 200);
  EXPECT_EQ(load_dataset(kSpec, Split::kTrain, {0, 3u}).size(), 200);
}

TEST(DataSubset, SeededIsDeterministicSortedAndDistinct) {
  const Dataset all = load_dataset(kSpec, Split::kTrain);
  const Dataset a = load_dataset(kSpec, Split::kTrain, {60, 3u});
  const Dataset b = load_dataset(kSpec, Split::kTrain, {60, 3u});
  ASSERT_EQ(a.size(), 60);
  EXPECT_TRUE(torch::equal(a.images, b.images));
  const at::Tensor rows = rows_in(a, all);
  EXPECT_TRUE(rows.diff().gt(0).all().item<bool>()) << "rows not strictly increasing: " << rows;
  EXPECT_TRUE(torch::equal(a.labels, all.labels.index_select(0, rows)));
  EXPECT_FALSE(torch::equal(rows.narrow(0, 0, 60), torch::arange(60, torch::kLong)));
}

TEST(DataSubset, SeedsGiveDifferentSubsets) {
  const Dataset all = load_dataset(kSpec, Split::kTrain);
  const at::Tensor three = rows_in(load_dataset(kSpec, Split::kTrain, {60, 3u}), all);
  const at::Tensor four = rows_in(load_dataset(kSpec, Split::kTrain, {60, 4u}), all);
  EXPECT_FALSE(torch::equal(three, four));
}

TEST(DataSubset, SeededFullSubsetIsTheWholeSplitInOrder) {
  const Dataset all = load_dataset(kSpec, Split::kTrain);
  const Dataset full = load_dataset(kSpec, Split::kTrain, {200, 11u});
  EXPECT_TRUE(torch::equal(full.images, all.images));
}

TEST(DataSubset, OversizedSubsetIsAUsageError) {
  try {
    load_dataset(kSpec, Split::kTest, {201, std::nullopt});
    FAIL() << "no UsageError";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "--subset = 201: the test split of synthetic has only 200 examples");
  }
  EXPECT_THROW(load_dataset(kSpec, Split::kTrain, {201, 1u}), UsageError);
}

TEST(DataSubset, NegativeSubsetIsAUsageError) {
  EXPECT_THROW(load_dataset(kSpec, Split::kTrain, {-1, std::nullopt}), UsageError);
}

TEST(DataSubset, SliceReturnsViews) {
  const Dataset all = load_dataset(kSpec, Split::kTrain);
  const Dataset part = all.slice(10, 20);
  EXPECT_EQ(part.size(), 20);
  EXPECT_EQ(part.channels(), 1);
  EXPECT_EQ(part.height(), 3);
  EXPECT_EQ(part.width(), 3);
  EXPECT_EQ(part.num_classes, all.num_classes);
  EXPECT_EQ(part.images.data_ptr<float>(), all.images.data_ptr<float>() + 10 * 9);
  EXPECT_EQ(part.labels.data_ptr<int64_t>(), all.labels.data_ptr<int64_t>() + 10);
  EXPECT_EQ(all.slice(200, 0).size(), 0);
  EXPECT_THROW(all.slice(190, 11), std::out_of_range);
  EXPECT_THROW(all.slice(-1, 5), std::out_of_range);
}

TEST(DataSpec, SubsetDescriptions) {
  EXPECT_EQ(Subset{}.describe(), "all");
  EXPECT_EQ((Subset{2048, std::nullopt}).describe(), "first 2048");
  EXPECT_EQ((Subset{2048, 3u}).describe(), "2048 random (seed 3)");
}

}  // namespace
}  // namespace sharpscope
