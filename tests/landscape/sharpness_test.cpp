#include "sharpscope/landscape/sharpness.h"

#include "commands/parse.h"
#include "sharpscope/core/error.h"
#include "support/tiny_problem.h"

namespace sharpscope {
using cli::parse_sharpness_kinds;
namespace {

using testing::kSameMath;
using testing::TinyProblem;

TEST(SharpnessKinds, AscIsTheOneStepPerturbedLossWhateverTheMaxSteps) {
  TinyProblem p;
  const Dataset test_data = testing::tiny_dataset(20, 11);
  const Objective test(p.model, test_data);
  SharpnessOptions o;
  o.rho = 0.1;
  o.avg = false;
  o.max_steps = 3;
  o.perturbed_steps = {1, 3, 5};
  const Sharpness a = sharpness(p.objective, &test, o);
  const ParamList v1 = p.ascent_direction(1, 0.1);
  EXPECT_NEAR(a.asc, p.evaluate_at(p.point({{0.1, &v1}})).loss, kSameMath);
  ASSERT_EQ(a.max_per_step.size(), 3u);
  for (int n = 1; n <= 3; ++n) {
    const ParamList v = p.ascent_direction(n, 0.1);
    EXPECT_NEAR(a.max_per_step[n - 1], p.evaluate_at(p.point({{0.1, &v}})).loss, kSameMath);
  }
  EXPECT_EQ(a.max, *std::max_element(a.max_per_step.begin(), a.max_per_step.end()));
  EXPECT_EQ(a.perturbed_loss[0], a.asc);
  EXPECT_EQ(a.perturbed_loss[1], a.max_per_step[2]);
  o.max_steps = 7;
  EXPECT_EQ(sharpness(p.objective, &test, o).asc, a.asc) << "L^Asc does not depend on N";
  EXPECT_NEAR(a.gap_loss, test.evaluate().loss - p.objective.evaluate().loss, kSameMath);
  EXPECT_TRUE(p.weights_restored());
}

TEST(SharpnessKinds, AvgHasTheSampleStandardError) {
  TinyProblem p;
  SharpnessOptions o;
  o.rho = 0.5;
  o.asc = o.max = false;
  o.avg_samples = 9;
  o.seed = 4;
  const Sharpness r = sharpness(p.objective, nullptr, o);
  ASSERT_EQ(r.avg_samples.size(), 9u);
  double mean = 0.0;
  for (double x : r.avg_samples) mean += x / 9.0;
  double var = 0.0;
  for (double x : r.avg_samples) var += (x - mean) * (x - mean) / 8.0;
  EXPECT_NEAR(r.avg, mean, 1e-14);
  EXPECT_NEAR(r.avg_standard_error, std::sqrt(var / 9.0), 1e-14);
  EXPECT_GT(r.avg_standard_error, 0.0);
  EXPECT_TRUE(std::isnan(r.asc));
  EXPECT_TRUE(std::isnan(r.gap_loss));
  EXPECT_EQ(sharpness(p.objective, nullptr, o).avg, r.avg) << "seeded";
  EXPECT_TRUE(p.weights_restored());
}

TEST(SharpnessKinds, BatchScopeEqualsFullScopeForOneBatch) {
  TinyProblem p(30, 30);
  SharpnessOptions o;
  o.avg = false;
  const Sharpness full = sharpness(p.objective, nullptr, o);
  o.scope = Scope::kBatch;
  const Sharpness batch = sharpness(p.objective, nullptr, o);
  EXPECT_NEAR(batch.asc, full.asc, kSameMath);
  EXPECT_NEAR(batch.max, full.max, kSameMath);
}

TEST(SharpnessGroups, MeanAndSampleStdPerGroupInOrderOfAppearance) {
  std::vector<Sharpness> results(3);
  results[0].loss = 1.0;
  results[1].loss = 2.0;
  results[2].loss = 4.0;
  const auto groups = group_statistics({"sam", "sgd", "sam"}, results);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].group, "sam");
  EXPECT_EQ(groups[0].members, 2);
  EXPECT_EQ(groups[0].names[0], "loss");
  EXPECT_DOUBLE_EQ(groups[0].mean[0], 2.5);
  EXPECT_DOUBLE_EQ(groups[0].std[0], std::sqrt(4.5));
  EXPECT_EQ(groups[1].std[0], 0.0);
}

TEST(SharpnessKinds, ValidatesItsFlags) {
  SharpnessOptions o;
  EXPECT_THROW(parse_sharpness_kinds("asc,foo", o), UsageError);
  o = SharpnessOptions{};
  o.avg = true;
  o.avg_samples = 1;
  EXPECT_THROW(o.validate(), UsageError);
}

}  // namespace
}  // namespace sharpscope
