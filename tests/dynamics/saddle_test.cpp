#include "sharpscope/dynamics/saddle.h"

#include <cmath>

#include "sharpscope/ascent/ascent.h"
#include "sharpscope/optim/base_optimizer.h"
#include "sharpscope/optim/gradient_rule.h"
#include "sharpscope/optim/perturbation.h"
#include "support/testing.h"

namespace sharpscope {
namespace {

TEST(Saddle, GradientMatchesCentralDifferences) {
  const double h = 1e-5;
  for (const Point2& x : {Point2{0.3, -1.2}, Point2{1.7, 0.4}, Point2{-0.9, -0.2}}) {
    const Point2 g = saddle_gradient(x);
    for (int i = 0; i < 2; ++i) {
      Point2 up = x, down = x;
      up[i] += h;
      down[i] -= h;
      EXPECT_NEAR(g[i], (saddle_loss(up) - saddle_loss(down)) / (2 * h),
                  testing::kFiniteDifference);
    }
  }
  // The stationary points of docs/math.md §9: saddle (0,0), minima ±(1,1) with f = −1/4.
  for (const Point2& x : {Point2{0, 0}, Point2{1, 1}, Point2{-1, -1}}) {
    EXPECT_EQ(saddle_gradient(x)[0], 0.0);
    EXPECT_EQ(saddle_gradient(x)[1], 0.0);
  }
  EXPECT_DOUBLE_EQ(saddle_loss({1, 1}), -0.25);
}

// The toy's SAM and StableSAM updates are the trainer's: ascent by the trainer's SAM-1 rule,
// descent by the trainer's renormalization factor and base optimizer (plain SGD). Along 200 steps
// of the trainer's path from three starts, the toy's update from each point agrees to float64
// round-off (compared step by step: SAM's orbit amplifies last-bit differences over many steps).
TEST(Saddle, UpdatesAreTheTrainersRuleStepForStep) {
  for (const SaddleMethod name : {SaddleMethod::kSam, SaddleMethod::kStableSam}) {
    for (const Point2& start : {Point2{1.8, -0.7}, Point2{-0.3, 0.9}, Point2{0.05, 0.02}}) {
      const SaddleOptimizer toy{name, 0.2, std::nullopt};
      const double lr = 0.05;
      ParamList w{torch::tensor({start[0], start[1]}, torch::kDouble)};
      const auto oracle = [&w] {
        const auto a = w[0].accessor<double, 1>();
        const Point2 g = saddle_gradient({a[0], a[1]});
        return LossGradient{saddle_loss({a[0], a[1]}),
                            {torch::tensor({g[0], g[1]}, torch::kDouble)}};
      };
      const auto ascent = multi_step_ascent(AscentOptions{0.2, 1, {}});
      BaseOptimizerOptions base;
      base.lr = lr;
      base.momentum = 0.0;
      BaseOptimizer sgd(w, base);
      auto generator = at::detail::createCPUGenerator(0);
      for (int t = 0; t < 200; ++t) {
        const auto before = w[0].accessor<double, 1>();
        const Point2 x = saddle_step(toy, {before[0], before[1]}, lr);
        const Perturbation p = ascent->perturb(w, oracle, generator);
        ParamList perturbed{w[0] + p.epsilon()[0]};
        ParamList saved{w[0].clone()};
        w[0].copy_(perturbed[0]);
        LossGradient at_perturbed = oracle();
        w[0].copy_(saved[0]);
        if (name == SaddleMethod::kStableSam) {
          const double gamma =
              renormalization_factor(p.at_weights.gradient[0].norm().item<double>(),
                                     at_perturbed.gradient[0].norm().item<double>(), std::nullopt);
          at_perturbed.gradient[0].mul_(gamma);
        }
        sgd.step(at_perturbed.gradient, lr);
        const auto a = w[0].accessor<double, 1>();
        ASSERT_NEAR(x[0], a[0], 1e-14 * (1 + std::abs(a[0]))) << to_string(name) << " step " << t;
        ASSERT_NEAR(x[1], a[1], 1e-14 * (1 + std::abs(a[1]))) << to_string(name) << " step " << t;
      }
    }
  }
}

// An independent iterative check of GD: x ← x − η(x₁³ − x₂, x₂ − x₁) written out here, run from a
// handful of starts, classified by hand against the sweep's counts.
TEST(Saddle, GdSuccessMatchesAnIndependentIteration) {
  const std::vector<Point2> starts = saddle_starts(12, 7);
  for (double lr : {0.003, 0.05, 0.2}) {
    int64_t reached = 0;
    for (Point2 x : starts) {
      for (int t = 0; t < 1500; ++t) {
        const double g1 = x[0] * x[0] * x[0] - x[1], g2 = x[1] - x[0];
        x = {x[0] - lr * g1, x[1] - lr * g2};
      }
      const double to_plus = std::hypot(x[0] - 1, x[1] - 1),
                   to_minus = std::hypot(x[0] + 1, x[1] + 1);
      reached += std::min(to_plus, to_minus) <= 1e-2 ? 1 : 0;
    }
    const SaddleSweep sweep = saddle_sweep({{SaddleMethod::kGd, 0.0, std::nullopt}}, {lr}, starts,
                                           1500, {SaddleCriterion::Kind::kDistance, 1e-2, 2.0});
    EXPECT_EQ(sweep.count(0, 0, SaddleOutcome::kMinimum), reached) << "lr " << lr;
    EXPECT_DOUBLE_EQ(sweep.success_rate(0, 0), static_cast<double>(reached) / 12.0);
  }
}

TEST(Saddle, KnownOutcomes) {
  const SaddleOptimizer gd{SaddleMethod::kGd, 0.0, std::nullopt};
  const SaddleCriterion distance{SaddleCriterion::Kind::kDistance, 1e-6, 2.0};
  // The saddle is a fixed point of every optimizer (zero gradient: SAM's ascent stays put).
  EXPECT_EQ(classify(saddle_run(gd, {0, 0}, 0.1, 100), distance), SaddleOutcome::kSaddle);
  EXPECT_EQ(
      classify(saddle_run({SaddleMethod::kSam, 0.2, std::nullopt}, {0, 0}, 0.1, 100), distance),
      SaddleOutcome::kSaddle);
  // GD at lr 0.1 from (2, 2) converges to (1, 1); at lr 10 it blows up.
  EXPECT_EQ(classify(saddle_run(gd, {2, 2}, 0.1, 2000), distance), SaddleOutcome::kMinimum);
  EXPECT_EQ(classify(saddle_run(gd, {2, 2}, 10.0, 2000), distance), SaddleOutcome::kDiverged);
  // docs/math.md §9: SAM with a fixed ρ orbits the minimum at O(ρ) — the tight distance criterion
  // calls it a failure, the basin criterion a success.
  const Point2 end = saddle_run({SaddleMethod::kSam, 0.2, std::nullopt}, {1.5, 0.5}, 0.05, 2000);
  EXPECT_GT(std::hypot(end[0] - 1, end[1] - 1), 1e-3);
  EXPECT_LT(std::hypot(end[0] - 1, end[1] - 1), 0.5);
  EXPECT_EQ(classify(end, {SaddleCriterion::Kind::kDistance, 1e-3, 2.0}), SaddleOutcome::kOther);
  EXPECT_EQ(classify(end, {SaddleCriterion::Kind::kBasin, 1e-3, 2.0}), SaddleOutcome::kMinimum);
}

TEST(Saddle, StartsAreUniformInTheSquareAndSeeded) {
  const std::vector<Point2> a = saddle_starts(20000, 3), b = saddle_starts(20000, 3),
                            c = saddle_starts(20000, 4);
  double sum = 0.0, squares = 0.0;
  for (const Point2& x : a) {
    for (double v : x) {
      ASSERT_GE(v, -2.0);
      ASSERT_LT(v, 2.0);
      sum += v;
      squares += v * v;
    }
  }
  // Uniform on [−2, 2): mean 0, variance 4/3; 40000 draws give standard errors 0.006 and 0.0054.
  EXPECT_NEAR(sum / 40000, 0.0, 0.03);
  EXPECT_NEAR(squares / 40000, 4.0 / 3.0, 0.03);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(Saddle, SweepIsDeterministicAcrossThreadCounts) {
  const std::vector<Point2> starts = saddle_starts(300, 1);
  const std::vector<SaddleOptimizer> optimizers{{SaddleMethod::kGd, 0, std::nullopt},
                                                {SaddleMethod::kSam, 0.5, std::nullopt},
                                                {SaddleMethod::kStableSam, 0.5, std::nullopt}};
  const std::vector<double> lrs{0.01, 0.1, 0.3};
  const SaddleSweep one = saddle_sweep(optimizers, lrs, starts, 500, {}, 1);
  const SaddleSweep two = saddle_sweep(optimizers, lrs, starts, 500, {}, 2);
  EXPECT_EQ(one.counts, two.counts);
  for (size_t o = 0; o < optimizers.size(); ++o) {
    for (size_t l = 0; l < lrs.size(); ++l) {
      int64_t total = 0;
      for (int k = 0; k < kSaddleOutcomes; ++k)
        total += one.count(o, l, static_cast<SaddleOutcome>(k));
      EXPECT_EQ(total, 300);
    }
  }
}

}  // namespace
}  // namespace sharpscope
