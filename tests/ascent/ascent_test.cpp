#include "sharpscope/ascent/ascent.h"

#include <Eigen/Dense>

#include "commands/parse.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/params.h"
#include "support/testing.h"

namespace sharpscope {
using cli::parse_ratio;
namespace {

// L(w) = ½ wᵀAw + bᵀw on a single parameter tensor: the gradient Aw + b is known exactly, so the
// ascent iterates can be recomputed independently in Eigen.
struct Quadratic {
  Eigen::MatrixXd a;
  Eigen::VectorXd b;
  static Quadratic random(int d, unsigned seed) {
    std::srand(seed);
    Eigen::MatrixXd m = Eigen::MatrixXd::Random(d, d);
    return {m * m.transpose() + Eigen::MatrixXd::Identity(d, d), Eigen::VectorXd::Random(d)};
  }
  Eigen::VectorXd gradient(const Eigen::VectorXd& w) const { return a * w + b; }
  double loss(const Eigen::VectorXd& w) const { return 0.5 * w.dot(a * w) + b.dot(w); }
};

Eigen::VectorXd to_eigen(const at::Tensor& t) {
  const at::Tensor c = t.to(at::kDouble).contiguous();
  return Eigen::Map<const Eigen::VectorXd>(c.data_ptr<double>(), c.numel());
}

at::Tensor to_tensor(const Eigen::VectorXd& v) {
  return torch::from_blob(const_cast<double*>(v.data()), {v.size()}, torch::kDouble).clone();
}

GradientOracle oracle(const Quadratic& q, ParamList& w) {
  return [&q, &w] {
    const Eigen::VectorXd x = to_eigen(w[0]);
    return LossGradient{q.loss(x), {to_tensor(q.gradient(x))}};
  };
}

TEST(AscentQuadratic, MatchesIndependentIterationForEveryN) {
  const Quadratic q = Quadratic::random(6, 1);
  const Eigen::VectorXd w0 = Eigen::VectorXd::Random(6);
  ParamList w{to_tensor(w0)};
  const double rho = 0.3;
  for (int n_steps : {1, 2, 3, 5}) {
    Eigen::VectorXd x = w0;
    std::vector<double> losses;
    for (int n = 0; n < n_steps; ++n) {
      losses.push_back(q.loss(x));
      const Eigen::VectorXd g = q.gradient(x);
      x += (rho / n_steps) * g / g.norm();
    }
    const Eigen::VectorXd v = (x - w0) / (x - w0).norm();
    const AscentTrace trace = ascend(w, oracle(q, w), {rho, n_steps});
    EXPECT_TRUE(testing::tensors_near(trace.direction[0], to_tensor(v), 1e-12, 1e-14)) << n_steps;
    EXPECT_NEAR(trace.displacement, (x - w0).norm(), 1e-14);
    EXPECT_LE(trace.displacement, rho + 1e-15);
    ASSERT_EQ(trace.losses.size(), static_cast<size_t>(n_steps));
    for (int n = 0; n < n_steps; ++n) EXPECT_NEAR(trace.losses[n], losses[n], 1e-12);
    EXPECT_EQ(trace.gradient_evaluations, n_steps);
    EXPECT_TRUE(torch::equal(w[0], to_tensor(w0))) << "weights restored bit-exactly";
  }
}

TEST(AscentQuadratic, FirstDirectionIsTheNormalizedGradient) {
  const Quadratic q = Quadratic::random(5, 2);
  const Eigen::VectorXd w0 = Eigen::VectorXd::Random(5);
  ParamList w{to_tensor(w0)};
  const AscentTrace trace = ascend(w, oracle(q, w), {0.1, 1});
  const Eigen::VectorXd g = q.gradient(w0);
  EXPECT_TRUE(testing::tensors_near(trace.direction[0], to_tensor(g / g.norm()), 1e-13, 1e-15));
  EXPECT_NEAR(trace.displacement, 0.1, 1e-15);
}

TEST(AscentQuadratic, Float32DirectionCarriesFloat32PrecisionNotTheWeightsUlp) {
  // O(1) float32 weights, steps of ~1e-4 per coordinate: reading wᴺ − w back from the rounded
  // weights would err by ~ulp(1)/2 / 1e-4 ≈ 6e-4 per coordinate. The ascent sums δ on its own, so
  // v₂ agrees with the float64 ascent (from the same float32 start) to float32's precision, bounded
  // here by 1e-5 (2 steps, gradients evaluated at rounded iterates: a few ulp of δ each).
  const Quadratic q = Quadratic::random(64, 5);
  const Eigen::VectorXd w0 = Eigen::VectorXd::Random(64).cast<float>().cast<double>();
  ParamList w32{to_tensor(w0).to(torch::kFloat)};
  const auto oracle32 = [&] {
    const Eigen::VectorXd at = to_eigen(w32[0]);
    return LossGradient{q.loss(at), {to_tensor(q.gradient(at)).to(torch::kFloat)}};
  };
  ParamList w64{to_tensor(w0)};
  const AscentOptions options{1e-3, 2};
  const ParamList reference = ascend(w64, oracle(q, w64), options).direction;
  const ParamList direction = ascend(w32, oracle32, options).direction;
  EXPECT_LT((direction[0].to(torch::kDouble) - reference[0]).abs().max().item<double>(), 1e-5);
  EXPECT_TRUE(torch::equal(w32[0], to_tensor(w0).to(torch::kFloat)))
      << "weights restored bit-exactly";
}

TEST(AscentQuadratic, EqualRatioIsTheDefaultAndRatiosRescaleToRho) {
  const Quadratic q = Quadratic::random(4, 3);
  ParamList w{to_tensor(Eigen::VectorXd::Random(4))};
  AscentOptions with_ratio{0.2, 2, {1.0, 1.0}};
  EXPECT_TRUE(testing::params_equal(ascend(w, oracle(q, w), with_ratio).direction,
                                    ascend(w, oracle(q, w), {0.2, 2}).direction));
  const auto sizes = AscentOptions{0.3, 2, {1.0, 2.0}}.step_sizes();
  EXPECT_DOUBLE_EQ(sizes[0], 0.1);
  EXPECT_DOUBLE_EQ(sizes[1], 0.2);
}

TEST(AscentQuadratic, KeepsGradientsAtEveryIterate) {
  const Quadratic q = Quadratic::random(3, 4);
  const Eigen::VectorXd w0 = Eigen::VectorXd::Random(3);
  ParamList w{to_tensor(w0)};
  const AscentTrace trace = ascend(w, oracle(q, w), {0.5, 3}, /*keep_gradients=*/true);
  ASSERT_EQ(trace.gradients.size(), 3u);
  EXPECT_TRUE(testing::tensors_near(trace.gradients[0][0], to_tensor(q.gradient(w0)), 1e-14));
  EXPECT_NEAR(trace.gradient_norms[0], q.gradient(w0).norm(), 1e-13);
}

TEST(AscentOptionsTest, ValidationNamesTheFlag) {
  EXPECT_THROW((AscentOptions{-0.1, 1}.validate()), UsageError);
  EXPECT_THROW((AscentOptions{0.1, 0}.validate()), UsageError);
  EXPECT_THROW((AscentOptions{0.1, 2, {1.0}}.validate()), UsageError);
  EXPECT_THROW(parse_ratio("1:x", "--ratio"), UsageError);
  EXPECT_THROW(parse_ratio("1:-2", "--ratio"), UsageError);
  EXPECT_EQ(parse_ratio("1:2:3", "--ratio"), (std::vector<double>{1, 2, 3}));
  try {
    AscentOptions{-0.1, 1}.validate();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--rho"), std::string::npos);
  }
}

TEST(AscentNetwork, FullScopeFirstDirectionIsNormalizedSubsetGradient) {
  Model model = testing::tiny_model(4);
  const Dataset data = testing::tiny_dataset(33);
  const Objective objective(model, data, {10});
  const ParamList g = objective.gradient().gradient;
  const AscentTrace trace = ascend(model.parameters(), full_gradient(objective), {0.05, 1});
  EXPECT_TRUE(testing::params_near(trace.direction, normalized(g), 1e-12, 1e-15));
}

}  // namespace
}  // namespace sharpscope
