#include <gtest/gtest.h>
#include <torch/torch.h>

#include "commands/parse.h"
#include "sharpscope/data/loader.h"

namespace sharpscope {
using cli::parse_data_spec;
namespace {

Dataset synthetic(const std::string& values, Split split = Split::kTrain) {
  return load_dataset(parse_data_spec("synthetic:" + values), split);
}

TEST(DataSynthetic, ShapeLabelsAndName) {
  const Dataset data = synthetic("60,3,5,7,6,2");
  EXPECT_EQ(data.images.sizes(), (std::vector<int64_t>{60, 3, 5, 7}));
  EXPECT_EQ(data.images.scalar_type(), torch::kFloat);
  EXPECT_EQ(data.num_classes, 6);
  EXPECT_EQ(data.name, "synthetic/train");
  EXPECT_TRUE(torch::equal(data.labels, torch::arange(60, torch::kLong).remainder(6)));
  EXPECT_TRUE(torch::equal(data.labels.bincount(), torch::full({6}, 10, torch::kLong)));
}

TEST(DataSynthetic, DefaultsAre512ExamplesOf1x8x8In4Classes) {
  const Dataset data = load_dataset(parse_data_spec("synthetic"), Split::kTest);
  EXPECT_EQ(data.images.sizes(), (std::vector<int64_t>{512, 1, 8, 8}));
  EXPECT_EQ(data.num_classes, 4);
}

TEST(DataSynthetic, DeterministicForASeed) {
  EXPECT_TRUE(torch::equal(synthetic("32,1,4,4,4,9").images, synthetic("32,1,4,4,4,9").images));
  EXPECT_TRUE(torch::equal(synthetic("32,1,4,4,4,9", Split::kTest).images,
                           synthetic("32,1,4,4,4,9", Split::kTest).images));
}

TEST(DataSynthetic, SeedsAndSplitsDiffer) {
  const at::Tensor train = synthetic("32,1,4,4,4,9").images;
  EXPECT_FALSE(torch::equal(train, synthetic("32,1,4,4,4,10").images));
  EXPECT_FALSE(torch::equal(train, synthetic("32,1,4,4,4,9", Split::kTest).images));
  // Seed 10's train split must not reproduce seed 9's test split (offset seeds would).
  EXPECT_FALSE(torch::equal(synthetic("32,1,4,4,4,9", Split::kTest).images,
                            synthetic("32,1,4,4,4,10").images));
}

TEST(DataSynthetic, DoesNotTouchTheGlobalGenerator) {
  torch::manual_seed(123);
  const at::Tensor expected = torch::rand({4});
  torch::manual_seed(123);
  synthetic("16,1,4,4,2,1");
  EXPECT_TRUE(torch::equal(torch::rand({4}), expected));
}

// Learnable and shared across splits: class means estimated on train classify test. Means are
// 64-dim N(0,1) vectors, so two classes lie ~sqrt(128) ≈ 11 apart against unit noise per pixel;
// the nearest-mean rule errs with probability ~Phi(-5) per example, so >= 99% is a loose bound.
TEST(DataSynthetic, NearestClassMeanOfTrainClassifiesTest) {
  const Dataset train = load_dataset(parse_data_spec("synthetic"), Split::kTrain);
  const Dataset test = load_dataset(parse_data_spec("synthetic"), Split::kTest);
  const at::Tensor x_train = train.images.flatten(1), x_test = test.images.flatten(1);
  at::Tensor means = torch::zeros({train.num_classes, x_train.size(1)});
  means.index_add_(0, train.labels, x_train).div_(train.labels.bincount().unsqueeze(1));
  const at::Tensor predicted = torch::cdist(x_test, means).argmin(1);
  const double accuracy = predicted.eq(test.labels).to(torch::kDouble).mean().item<double>();
  EXPECT_GE(accuracy, 0.99);
}

}  // namespace
}  // namespace sharpscope
