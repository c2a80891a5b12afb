#include "sharpscope/optim/perturbation.h"

#include "sharpscope/core/params.h"
#include "support/testing.h"

namespace sharpscope {
namespace {

using testing::kFloat64Exact;

GradientOracle constant_gradient(const ParamList& g) {
  return [g] { return LossGradient{1.0, clone(g)}; };
}

// ASAM (Kwon et al. Eq. 7): w = (1, −2, 0.5), g = (0.3, 0.4, −1.2), η = 0.01, ρ = 0.1.
// T = (1.01, 2.01, 0.51); Tg = (0.303, 0.804, −0.612), ‖Tg‖ = √1.112769 = 1.0548786...;
// T²g = (0.30603, 1.61604, −0.31212); ε = ρ T²g/‖Tg‖ = (0.0290109, 0.1531968, −0.0295882).
TEST(OptimAsam, PerturbationMatchesHandComputedCase) {
  ParamList w{torch::tensor({1.0, -2.0, 0.5}, torch::kDouble)};
  const ParamList g{torch::tensor({0.3, 0.4, -1.2}, torch::kDouble)};
  auto generator = at::detail::createCPUGenerator(0);
  const Perturbation p = adaptive_ascent(0.1, 0.01)->perturb(w, constant_gradient(g), generator);
  const double norm_tg = std::sqrt(0.303 * 0.303 + 0.804 * 0.804 + 0.612 * 0.612);
  const at::Tensor expected =
      torch::tensor({0.30603, 1.61604, -0.31212}, torch::kDouble) * (0.1 / norm_tg);
  EXPECT_TRUE(testing::tensors_near(p.epsilon()[0], expected, kFloat64Exact));
  EXPECT_TRUE(testing::tensors_near(
      p.epsilon()[0], torch::tensor({0.02901092, 0.15319677, -0.02958824}, torch::kDouble),
      1e-6));  // 8 printed digits
}

TEST(OptimRandSam, PerturbationHasNormRhoAndIsFreshEachStep) {
  ParamList w{torch::randn({7, 3}, torch::kDouble), torch::randn({5}, torch::kDouble)};
  const ParamList g = zeros_like(w);
  auto first = at::detail::createCPUGenerator(1);
  auto second = at::detail::createCPUGenerator(2);
  const auto rule = random_ascent(0.05);
  const Perturbation a = rule->perturb(w, constant_gradient(g), first);
  const Perturbation b = rule->perturb(w, constant_gradient(g), second);
  EXPECT_NEAR(norm(a.epsilon()), 0.05, kFloat64Exact);
  EXPECT_NEAR(norm(b.epsilon()), 0.05, kFloat64Exact);
  EXPECT_LT(std::abs(cosine(a.epsilon(), b.epsilon())), 0.9);
}

TEST(OptimEsam, KeepsAboutBetaOfTheCoordinatesRescaledByOneOverBeta) {
  ParamList w{torch::zeros({100, 100}, torch::kDouble)};
  const ParamList g{torch::ones({100, 100}, torch::kDouble)};
  auto generator = at::detail::createCPUGenerator(3);
  const auto rule = stochastic_weight_perturbation(multi_step_ascent({1.0, 1}), 0.25);
  const Perturbation p = rule->perturb(w, constant_gradient(g), generator);
  const at::Tensor kept = p.epsilon()[0].ne(0);
  EXPECT_NEAR(kept.to(torch::kDouble).mean().item<double>(), 0.25,
              0.02);  // 10⁴ Bernoulli draws: σ = 0.004
  // Each kept coordinate is ρ/√d divided by β.
  EXPECT_NEAR(p.epsilon()[0].masked_select(kept).mean().item<double>(), (1.0 / 100.0) / 0.25,
              kFloat64Exact);
}

TEST(OptimSamN, RestoresTheWeightsBitExactly) {
  ParamList w{torch::randn({4, 4}, torch::kDouble)};
  const ParamList before = clone(w);
  auto generator = at::detail::createCPUGenerator(0);
  const ParamList g{torch::randn({4, 4}, torch::kDouble)};
  multi_step_ascent({0.3, 3})->perturb(w, constant_gradient(g), generator);
  EXPECT_TRUE(testing::params_equal(w, before));
}

}  // namespace
}  // namespace sharpscope
