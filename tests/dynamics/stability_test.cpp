#include "sharpscope/dynamics/stability.h"

#include <filesystem>

#include "sharpscope/core/error.h"
#include "sharpscope/data/dataset.h"
#include "support/testing.h"

namespace sharpscope {
namespace {

int64_t rows_differing(const Dataset& a, const Dataset& b) {
  const at::Tensor image_rows = (a.images != b.images).flatten(1).any(1);
  return (image_rows | (a.labels != b.labels)).sum().item<int64_t>();
}

TEST(Stability, NeighbouringSetsDifferInExactlyOneExample) {
  const Dataset data = testing::tiny_dataset(50, 2);
  const ExamplePair pair = draw_example_pair(data.size(), 9);
  ASSERT_GE(pair.removed, 0);
  ASSERT_LT(pair.removed, 50);
  ASSERT_LT(pair.replaced, 49);
  const Dataset s = neighbouring_set(data, pair.removed, -1);
  const Dataset s_prime = neighbouring_set(data, pair.removed, pair.replaced);
  ASSERT_EQ(s.size(), 49);
  ASSERT_EQ(s_prime.size(), 49);
  EXPECT_EQ(rows_differing(s, s_prime), 1);
  EXPECT_TRUE(torch::equal(s_prime.images[pair.replaced], data.images[pair.removed]));
  EXPECT_EQ(s_prime.labels[pair.replaced].item<int64_t>(),
            data.labels[pair.removed].item<int64_t>());
  // S is the data without the removed example, in order.
  EXPECT_TRUE(
      torch::equal(s.images.narrow(0, 0, pair.removed), data.images.narrow(0, 0, pair.removed)));
  EXPECT_TRUE(torch::equal(s.images.narrow(0, pair.removed, 49 - pair.removed),
                           data.images.narrow(0, pair.removed + 1, 49 - pair.removed)));
  EXPECT_THROW(neighbouring_set(data, 50, -1), UsageError);
  EXPECT_THROW(neighbouring_set(data, 3, 49), UsageError);
  EXPECT_EQ(draw_example_pair(50, 9).removed, pair.removed);  // seeded
}

TEST(Stability, NormalizedDistanceOfKnownVectors) {
  const ParamList a{torch::tensor({3.0, 0.0}, torch::kDouble)},
      b{torch::tensor({0.0, 4.0}, torch::kDouble)};
  double raw = 0.0;
  EXPECT_DOUBLE_EQ(normalized_distance(a, b, &raw), 5.0 / 7.0);
  EXPECT_DOUBLE_EQ(raw, 5.0);
  EXPECT_DOUBLE_EQ(normalized_distance(a, a), 0.0);
}

// End to end on a synthetic set: two epochs per optimizer on S and S′, curves per epoch, and a
// rerun that reuses the finished runs (same numbers, no retraining).
TEST(Stability, RunsTrainBothSetsAndAreReused) {
  StabilityOptions o;
  o.train.arch = "mlp:16";
  o.train.data = "synthetic:128,1,8,8,3,0";
  o.train.test_subset = 64;
  o.train.eval_train_subset = 0;
  o.train.batch_size = 16;
  o.train.epochs = 2;
  o.train.base.lr = 0.1;
  o.train.base.momentum = 0.0;
  o.train.rule.ascent.rho = 0.05;
  o.train.threads = 1;
  o.train.quiet = true;
  o.train.dtype = "float64";
  o.train.out = testing::temp_directory("stability") + "/runs";
  o.optimizers = {"sgd", "sam"};
  const StabilityResult first = run_stability(o);
  EXPECT_EQ(first.train_examples, 127);
  ASSERT_EQ(first.curves.size(), 2u);
  for (const StabilityCurve& c : first.curves) {
    ASSERT_EQ(c.epoch.size(), 2u);
    for (size_t e = 0; e < 2; ++e) {
      EXPECT_GT(c.distance[e], 0.0);  // one example apart → different models
      EXPECT_LT(c.normalized_distance[e], 0.5);
      EXPECT_DOUBLE_EQ(c.loss_gap[0][e], c.test_loss[0][e] - c.train_loss[0][e]);
    }
  }
  const auto stamp = std::filesystem::last_write_time(o.train.out + "/sam-S.pt");
  const StabilityResult second = run_stability(o);
  EXPECT_EQ(std::filesystem::last_write_time(o.train.out + "/sam-S.pt"), stamp);
  EXPECT_EQ(second.curves[1].distance, first.curves[1].distance);
}

}  // namespace
}  // namespace sharpscope
