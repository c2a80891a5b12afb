#include "sharpscope/landscape/ascent_curves.h"

#include "sharpscope/core/error.h"
#include "support/tiny_problem.h"

namespace sharpscope {
namespace {

using testing::kSameMath;
using testing::TinyProblem;

AscentCurveOptions curve_options(Scope scope) {
  AscentCurveOptions o;
  o.rho = 0.2;
  o.steps = {1, 3};
  o.k = {0.0, 0.1, 0.2, 0.4};
  o.scope = scope;
  return o;
}

TEST(LandscapeAscent, CurvesMatchDirectEvaluationAndKEqualsRhoIsThePerturbedLoss) {
  TinyProblem p;
  const AscentCurveOptions o = curve_options(Scope::kFull);
  const AscentCurves r = ascent_curves(p.objective, o);
  const double loss_w = p.objective.evaluate().loss;
  for (size_t i = 0; i < o.steps.size(); ++i) {
    const ParamList v = p.ascent_direction(o.steps[i], o.rho);
    for (size_t j = 0; j < o.k.size(); ++j) {
      EXPECT_NEAR(r.loss[i * 4 + j], p.evaluate_at(p.point({{o.k[j], &v}})).loss, kSameMath);
    }
    const double perturbed = p.evaluate_at(p.point({{o.rho, &v}})).loss;
    EXPECT_NEAR(r.perturbed_loss[i], perturbed, kSameMath);
    EXPECT_NEAR(r.loss[i * 4 + 2], perturbed, kSameMath) << "k = rho is w^pN";
    EXPECT_DOUBLE_EQ(r.loss[i * 4 + 0], loss_w);
    EXPECT_LE(r.displacement[i], o.rho + 1e-15);
    EXPECT_DOUBLE_EQ(r.iterate_loss[i * 4 + 0], loss_w) << "iterate 0 is w";
  }
  EXPECT_NEAR(r.displacement[0], o.rho, 1e-14) << "one step reaches the sphere";
  EXPECT_TRUE(std::isnan(r.iterate_loss[0 * 4 + 2])) << "N = 1 has iterates 0 and 1 only";
  EXPECT_TRUE(p.weights_restored());
}

TEST(LandscapeAscent, FullAndBatchScopesAgreeWhenTheBatchIsTheWholeSubset) {
  TinyProblem p(40, /*batch_size=*/40);
  const AscentCurves full = ascent_curves(p.objective, curve_options(Scope::kFull));
  const AscentCurves batch = ascent_curves(p.objective, curve_options(Scope::kBatch));
  for (size_t i = 0; i < full.loss.size(); ++i) EXPECT_NEAR(batch.loss[i], full.loss[i], kSameMath);
  for (size_t i = 0; i < full.displacement.size(); ++i)
    EXPECT_NEAR(batch.displacement[i], full.displacement[i], kSameMath);
  EXPECT_TRUE(p.weights_restored());
}

TEST(LandscapeAscent, BatchScopeAveragesEachBatchAtItsOwnPoint) {
  TinyProblem p(40, /*batch_size=*/16);  // batches of 16, 16, 8
  AscentCurveOptions o = curve_options(Scope::kBatch);
  o.steps = {2};
  const AscentCurves r = ascent_curves(p.objective, o);
  double expected = 0.0;
  for (int64_t b = 0; b < p.objective.num_batches(); ++b) {
    const Objective batch = p.objective.batch(b);
    const ParamList v = p.ascent_direction(2, o.rho, &batch);
    expected += batch.data().size() / 40.0 * p.evaluate_at(p.point({{0.4, &v}}), &batch).loss;
  }
  EXPECT_NEAR(r.loss[3], expected, kSameMath);
  EXPECT_TRUE(p.weights_restored());
}

TEST(LandscapeAscent, RejectsNZero) {
  TinyProblem p;
  AscentCurveOptions o = curve_options(Scope::kFull);
  o.steps = {0, 1};
  EXPECT_THROW(ascent_curves(p.objective, o), UsageError);
}

}  // namespace
}  // namespace sharpscope
