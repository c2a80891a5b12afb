#include "sharpscope/landscape/surface.h"

#include <limits>

#include "sharpscope/core/saved_weights.h"
#include "sharpscope/io/partial_grid.h"
#include "sharpscope/landscape/checkpoint_line.h"
#include "sharpscope/landscape/directions.h"
#include "support/scratch_dir.h"
#include "support/tiny_problem.h"

namespace sharpscope {
namespace {

using testing::kSameMath;
using testing::TinyProblem;

struct Grid {
  SurfaceOptions options{{-0.5, 0.0, 0.25, 1.0}, {-1.0, 0.5, 2.0}};  // non-square: 4 × 3
  ParamList d1, d2;
  explicit Grid(const TinyProblem& p)
      : d1(filter_normalized_random(p.w0, 1, true)), d2(filter_normalized_random(p.w0, 2, true)) {}
};

Surface run(TinyProblem& p, const Grid& g, const std::string& out, bool resume = false) {
  PartialGrid rows(out, "test", g.options.points(), kSurfaceRowWidth, resume);
  return evaluate_surface(p.objective, g.d1, &g.d2, g.options, rows);
}

TEST(LandscapeSurface, ValuesEqualDirectEvaluationWithXOnTheFirstAxis) {
  TinyProblem p;
  const Grid g(p);
  const testing::ScratchDir scratch("surface");
  const Surface s = run(p, g, scratch.file("s.h5"));
  ASSERT_EQ(s.loss.size(), 12u);
  for (size_t i = 0; i < 4; ++i) {
    for (size_t j = 0; j < 3; ++j) {
      const Evaluation e =
          p.evaluate_at(p.point({{g.options.x[i], &g.d1}, {g.options.y[j], &g.d2}}));
      EXPECT_NEAR(s.loss[i * 3 + j], e.loss, kSameMath) << i << "," << j;
      EXPECT_DOUBLE_EQ(s.accuracy[i * 3 + j], e.accuracy);
    }
  }
  EXPECT_NEAR(s.loss[1 * 3 + 0], p.evaluate_at(p.point({{-1.0, &g.d2}})).loss, kSameMath);
  EXPECT_TRUE(p.weights_restored());
}

TEST(LandscapeSurface, IndependentOfBatchSizeAndTraversalOrder) {
  TinyProblem whole(48, 1024), batched(48, 7);
  const Grid g(whole);
  const testing::ScratchDir scratch("surface");
  const std::string dir = scratch.str();
  const Surface a = run(whole, g, dir + "/a.h5");
  const Surface b = run(batched, g, dir + "/b.h5");
  for (size_t i = 0; i < a.loss.size(); ++i) EXPECT_NEAR(a.loss[i], b.loss[i], kSameMath);
  {
    SavedWeights saved(whole.model.parameters());
    for (int i = 11; i >= 0; --i) {  // reverse order, one point at a time
      const auto row = surface_point(whole.objective, saved, g.d1, &g.d2, g.options.x[i / 3],
                                     g.options.y[i % 3]);
      EXPECT_EQ(row[0], a.loss[i]) << "each point is set from the saved w: order cannot matter";
    }
  }
  EXPECT_TRUE(whole.weights_restored());
}

TEST(LandscapeSurface, ResumeGivesTheValuesOfAnUninterruptedRun) {
  TinyProblem p;
  const Grid g(p);
  const testing::ScratchDir scratch("surface");
  const std::string dir = scratch.str();
  const Surface full = run(p, g, dir + "/full.h5");
  {
    // An "interrupted" run: the first half of the points done and flushed.
    PartialGrid half(dir + "/resumed.h5", "test", 12, kSurfaceRowWidth, false);
    SavedWeights saved(p.model.parameters());
    for (int i = 0; i < 6; ++i) {
      half.record(i, surface_point(p.objective, saved, g.d1, &g.d2, g.options.x[i / 3],
                                   g.options.y[i % 3]));
    }
    half.flush();
  }
  const Surface resumed = run(p, g, dir + "/resumed.h5", /*resume=*/true);
  for (size_t i = 0; i < 12; ++i) EXPECT_EQ(resumed.loss[i], full.loss[i]) << i;
  EXPECT_TRUE(p.weights_restored());
}

TEST(LandscapeSurface, ResumeSkipsRecordedPoints) {
  TinyProblem p;
  const Grid g(p);
  const testing::ScratchDir scratch("surface");
  const std::string out = scratch.file("s.h5");
  {
    PartialGrid marked(out, "test", 12, kSurfaceRowWidth, false);
    marked.record(5, {1234.0, 0.5});
    marked.flush();
  }
  const Surface s = run(p, g, out, true);
  EXPECT_EQ(s.loss[5], 1234.0);
  EXPECT_NE(s.loss[4], 1234.0);
}

TEST(LandscapeSurface, OneDirectionGivesALineAndNonFiniteLossesAreData) {
  TinyProblem p;
  const ParamList d = filter_normalized_random(p.w0, 1, true);
  // tanh saturates, so only an infinite step (inf·d, and 0·inf = NaN) is sure to break the loss.
  SurfaceOptions o{{0.0, std::numeric_limits<double>::infinity()}, {}};
  const testing::ScratchDir scratch("surface");
  PartialGrid rows(scratch.file("l.h5"), "test", o.points(), kSurfaceRowWidth, false);
  const Surface s = evaluate_surface(p.objective, d, nullptr, o, rows);
  ASSERT_EQ(s.loss.size(), 2u);
  EXPECT_NEAR(s.loss[0], p.objective.evaluate().loss, kSameMath);
  EXPECT_FALSE(std::isfinite(s.loss[1]));
  EXPECT_EQ(s.non_finite, 1);
  EXPECT_TRUE(p.weights_restored());
}

TEST(LandscapeLine, TrainAndTestCurvesEqualDirectEvaluation) {
  TinyProblem a(32, 1024, 0), b(32, 1024, 5);
  const Dataset test_data = testing::tiny_dataset(24, 9);
  const Objective test(a.model, test_data);
  const std::vector<double> alpha{-0.5, 0.0, 0.5, 1.0, 1.5};
  const testing::ScratchDir scratch("line");
  PartialGrid rows(scratch.file("l.h5"), "test", 5, kLineRowWidth, false);
  const CheckpointLine r = evaluate_checkpoint_line(a.objective, &test, b.w0, alpha, rows);
  ParamList diff;
  for (size_t i = 0; i < a.w0.size(); ++i) diff.push_back(b.w0[i] - a.w0[i]);
  EXPECT_NEAR(r.distance, norm(diff), 1e-14);
  for (size_t k = 0; k < alpha.size(); ++k) {
    const ParamList point = a.point({{alpha[k], &diff}});
    EXPECT_NEAR(r.train_loss[k], a.evaluate_at(point).loss, kSameMath);
    EXPECT_NEAR(r.test_error[k], 1.0 - a.evaluate_at(point, &test).accuracy, kSameMath);
  }
  EXPECT_NEAR(r.train_loss[3], a.evaluate_at(b.w0).loss, kSameMath) << "alpha = 1 is w_B";
  EXPECT_TRUE(a.weights_restored());
}

}  // namespace
}  // namespace sharpscope
