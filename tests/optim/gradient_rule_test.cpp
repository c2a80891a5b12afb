#include "sharpscope/optim/gradient_rule.h"

#include "commands/parse.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/params.h"
#include "sharpscope/optim/base_optimizer.h"
#include "support/testing.h"

namespace sharpscope {
namespace {

using testing::kFloat64Exact;

// A tiny float64 network and one batch of 16 examples: every rule runs in microseconds.
struct Fixture {
  Model model = testing::tiny_model(0);
  Dataset data = testing::tiny_dataset(16, 1);
  TrainingBatch batch{model, data.images.to(torch::kDouble), data.labels, 0.0};
  at::Generator generator = at::detail::createCPUGenerator(5);

  StepGradient step(const RuleOptions& options, int64_t step = 0, int64_t total = 100) {
    return make_rule(options)->compute(model.parameters(), BatchView::whole(batch),
                                       {step, total, &generator});
  }
  LossGradient gradient_at(const ParamList& point) {
    const ParamList saved = clone(model.parameters());
    assign(model.parameters(), point);
    LossGradient lg = batch.gradient(0, batch.size());
    assign(model.parameters(), saved);
    return lg;
  }
};

RuleOptions variant(const std::string& name, double rho = 0.05) {
  RuleOptions o;
  o.ascent.rho = rho;
  cli::apply_optimizer_name(name, o);
  return o;
}

// The passes column of docs/math.md §3.
TEST(OptimPasses, EveryVariantMatchesTheMathTable) {
  struct Case {
    std::string name;
    std::function<void(RuleOptions&)> modify;
    double passes;
  };
  const std::vector<Case> cases = {
      {"sgd", {}, 1},
      {"sam", {}, 2},
      {"sam-3", {}, 4},
      {"msam-3", {}, 4},
      {"rand-sam", {}, 2},
      {"asam", {}, 2},
      {"stablesam", {}, 2},
      {"stableasam", {}, 2},
      {"gsam", {}, 2},
      {"esam", {}, 2},
      {"msam-2",
       [](RuleOptions& o) {
         o.stable = true;
         o.stable_clamp = 0.5;
       },
       3},
      {"sam", [](RuleOptions& o) { o.m = 4; }, 2},
      {"sam-2", [](RuleOptions& o) { o.m = 5; }, 3},  // chunks 5,5,5,1: still whole-batch units
      {"sgd", [](RuleOptions& o) { o.m = 4; }, 1},
  };
  for (const auto& c : cases) {
    Fixture f;
    RuleOptions o = variant(c.name);
    if (c.modify) c.modify(o);
    const StepGradient g = f.step(o);
    EXPECT_NEAR(g.diagnostics.passes, c.passes, kFloat64Exact) << o.describe();
    EXPECT_NEAR(f.batch.passes(), c.passes, kFloat64Exact) << o.describe();
  }
}

TEST(OptimPsam, AveragePassesMatch2MinusNMinus1EOverNT) {
  // 002 Alg. 1: before E, SAM every n-th step; from E on, SAM. With n | E the average is exact.
  const int64_t total = 48, n = 4, threshold = 24;
  Fixture f;
  RuleOptions o = variant("psam");
  o.psam_period = n;
  o.psam_threshold = threshold;
  const auto rule = make_rule(o);
  for (int64_t t = 0; t < total; ++t) {
    const double before = f.batch.passes();
    const StepGradient g =
        rule->compute(f.model.parameters(), BatchView::whole(f.batch), {t, total, &f.generator});
    EXPECT_EQ(g.diagnostics.sharpness, t >= threshold || t % n == 0) << t;
    EXPECT_NEAR(f.batch.passes() - before, g.diagnostics.sharpness ? 2.0 : 1.0, kFloat64Exact);
  }
  const double expected =
      2.0 - static_cast<double>((n - 1) * threshold) / static_cast<double>(n * total);
  EXPECT_NEAR(f.batch.passes() / total, expected, kFloat64Exact);
}

TEST(OptimSwitch, SgdThenSamAndSamThenSgdAtTheFraction) {
  RuleOptions o = variant("sam");
  o.schedule = Schedule::kSgdSam;
  o.switch_at = 0.75;
  EXPECT_FALSE(sharpness_step(o, 74, 100));
  EXPECT_TRUE(sharpness_step(o, 75, 100));
  o.schedule = Schedule::kSamSgd;
  EXPECT_TRUE(sharpness_step(o, 74, 100));
  EXPECT_FALSE(sharpness_step(o, 75, 100));
}

TEST(OptimSam, MatchesAnIndependentTwoPassComputation) {
  Fixture f;
  const ParamList w = clone(f.model.parameters());
  const LossGradient at_w = f.gradient_at(w);
  ParamList perturbed = clone(w);
  axpy(0.05 / norm(at_w.gradient), at_w.gradient, perturbed);
  const LossGradient at_p = f.gradient_at(perturbed);
  Fixture fresh;  // same seeds, so the same w, with an untouched pass counter
  const StepGradient g = fresh.step(variant("sam"));
  EXPECT_TRUE(testing::params_near(g.gradient, at_p.gradient, 1e-12, 1e-15));
  EXPECT_NEAR(g.diagnostics.loss, at_w.loss, kFloat64Exact);
  EXPECT_NEAR(g.diagnostics.perturbed_loss, at_p.loss, kFloat64Exact);
  EXPECT_NEAR(g.diagnostics.gradient_norm, norm(at_w.gradient), kFloat64Exact);
  EXPECT_NEAR(g.diagnostics.norm_ratio, norm(at_p.gradient) / norm(at_w.gradient), kFloat64Exact);
  EXPECT_NEAR(g.diagnostics.alignment,
              dot(at_p.gradient, at_w.gradient) / dot(at_w.gradient, at_w.gradient), kFloat64Exact);
  // 003 Fig. 1's ratio (exact over surrogate) and Fig. 3's y (inner product minus ‖∇L_B(w)‖²).
  EXPECT_NEAR(g.diagnostics.exact_surrogate_norm_ratio, norm(at_w.gradient) / norm(at_p.gradient),
              kFloat64Exact);
  EXPECT_NEAR(g.diagnostics.ascent_inner_excess,
              dot(at_p.gradient, at_w.gradient) - dot(at_w.gradient, at_w.gradient),
              kFloat64Exact * dot(at_w.gradient, at_w.gradient));
  EXPECT_TRUE(testing::params_equal(fresh.model.parameters(), w)) << "weights restored bit-exactly";
}

TEST(OptimEquivalence, Sam1AndMsam1AreSamAndRatioOneToOneIsTheDefault) {
  const auto gradient = [](const RuleOptions& o) { return Fixture().step(o).gradient; };
  const ParamList sam = gradient(variant("sam"));
  EXPECT_TRUE(testing::params_equal(gradient(variant("sam-1")), sam));
  EXPECT_TRUE(testing::params_equal(gradient(variant("msam-1")), sam));
  RuleOptions ratio = variant("sam-2");
  ratio.ascent.ratio = {1.0, 1.0};
  EXPECT_TRUE(testing::params_equal(gradient(ratio), gradient(variant("sam-2"))));
  EXPECT_FALSE(testing::params_equal(gradient(variant("sam-2")), sam));
}

TEST(OptimMsam, IsTheMeanOfTheIntermediateAndFinalGradients) {
  // Kim et al. Eq. 9, N = 2: (∇L(w¹) + ∇L(w^{p2}))/2 with w¹ = w + (ρ/2) g/‖g‖.
  Fixture f;
  const double rho = 0.2;
  const ParamList w = clone(f.model.parameters());
  const LossGradient g0 = f.gradient_at(w);
  ParamList w1 = clone(w);
  axpy(0.5 * rho / norm(g0.gradient), g0.gradient, w1);
  const LossGradient g1 = f.gradient_at(w1);
  ParamList w2 = clone(w1);
  axpy(0.5 * rho / norm(g1.gradient), g1.gradient, w2);
  ParamList v = clone(w2);
  axpy(-1.0, w, v);
  ParamList wp = clone(w);
  axpy(rho / norm(v), v, wp);
  ParamList expected = f.gradient_at(wp).gradient;
  axpy(1.0, g1.gradient, expected);
  scale(expected, 0.5);
  EXPECT_TRUE(
      testing::params_near(f.step(variant("msam-2", rho)).gradient, expected, 1e-12, 1e-15));
}

TEST(OptimStableSam, UpdateNormEqualsTheGradientNormForEveryAscent) {
  for (const std::string name : {"stablesam", "stableasam", "msam-3", "rand-sam", "gsam"}) {
    Fixture f;
    RuleOptions o = variant(name, 0.5);
    o.stable = true;
    const StepGradient g = f.step(o);
    EXPECT_NEAR(norm(g.gradient), g.diagnostics.gradient_norm, 1e-12 * g.diagnostics.gradient_norm)
        << name;
  }
}

TEST(OptimStableSam, ClampKeepsGammaBetweenGamma0AndItsRoot) {
  EXPECT_DOUBLE_EQ(renormalization_factor(1.0, 10.0, 0.25), 0.25);  // γ = 0.1 < γ₀
  EXPECT_DOUBLE_EQ(renormalization_factor(1.0, 1.0, 0.25), 0.5);    // γ = 1 > √γ₀
  EXPECT_DOUBLE_EQ(renormalization_factor(1.0, 2.5, 0.25), 0.4);    // inside
  EXPECT_DOUBLE_EQ(renormalization_factor(3.0, 2.0, std::nullopt), 1.5);
}

TEST(OptimGsam, OrthogonalPartIsOrthogonalToThePerturbedGradient) {
  Fixture f;
  RuleOptions o = variant("sam", 0.3);
  const StepGradient sam = f.step(o);
  const ParamList g = f.gradient_at(f.model.parameters()).gradient;
  const ParamList g_perp = orthogonal_part(g, sam.gradient);
  EXPECT_NEAR(dot(g_perp, sam.gradient) / (norm(g_perp) * norm(sam.gradient)), 0.0, kFloat64Exact);
  o.gsam_alpha = 0.3;
  ParamList expected = clone(sam.gradient);
  axpy(-0.3, g_perp, expected);
  EXPECT_TRUE(testing::params_near(Fixture().step(o).gradient, expected, 1e-12, 1e-15));
}

TEST(OptimMSharpness, SgdOverChunksIsTheWholeBatchGradient) {
  RuleOptions o = variant("sgd");
  const ParamList whole = Fixture().step(o).gradient;
  o.m = 4;
  EXPECT_TRUE(testing::params_near(Fixture().step(o).gradient, whole, 1e-12, 1e-15));
  RuleOptions sam = variant("sam");
  const ParamList sam_whole = Fixture().step(sam).gradient;
  sam.m = 16;
  EXPECT_TRUE(testing::params_equal(Fixture().step(sam).gradient, sam_whole));
}

TEST(OptimRuleOptions, ValidationNamesTheFlag) {
  const auto message = [](RuleOptions o) {
    try {
      o.validate();
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  RuleOptions o = variant("sam");
  o.ascent.rho = -0.1;
  EXPECT_NE(message(o).find("--rho = -0.1"), std::string::npos) << message(o);
  try {  // an unknown name is refused where names are parsed
    variant("adam");
    ADD_FAILURE() << "adam accepted";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--optimizer = 'adam'"), std::string::npos);
  }
  RuleOptions stable_sgd = variant("sgd");
  stable_sgd.stable = true;
  EXPECT_NE(message(stable_sgd).find("--stable"), std::string::npos);
  RuleOptions clamp = variant("stablesam");
  clamp.stable_clamp = 1.5;
  EXPECT_NE(message(clamp).find("--stable-clamp = 1.5"), std::string::npos);
  RuleOptions beta = variant("esam");
  beta.esam_beta = 0.0;
  EXPECT_NE(message(beta).find("--esam-beta = 0"), std::string::npos);
}

// Multinomial logistic regression with weight decay: a strongly convex problem with a unique
// minimum. Every variant must bring the full-batch loss to the minimum; SAM-type variants minimize
// the perturbed loss, whose minimizer sits O(ρ) away, so ρ is small and the tolerance says so.
struct Linear : Network {
  Linear() { fc = register_module("fc", torch::nn::Linear(4, 3)); }
  at::Tensor forward(const at::Tensor& x) override { return fc->forward(x.flatten(1)); }
  torch::nn::Linear fc{nullptr};
};

double train_convex(const RuleOptions& o, int64_t steps) {
  torch::manual_seed(0);
  Model model(std::make_shared<Linear>(), "linear");
  model.to(torch::kCPU, torch::kDouble);
  const Dataset data = testing::tiny_dataset(64, 7);
  const at::Tensor x = data.images.to(torch::kDouble);
  BaseOptimizerOptions base;
  base.lr = 0.5;
  base.momentum = 0.0;
  base.weight_decay = 1e-2;
  BaseOptimizer optimizer(model.parameters(), base);
  const auto rule = make_rule(o);
  at::Generator generator = at::detail::createCPUGenerator(0);
  for (int64_t t = 0; t < steps; ++t) {
    TrainingBatch batch(model, x, data.labels, 0.0);
    optimizer.step(
        rule->compute(model.parameters(), BatchView::whole(batch), {t, steps, &generator}).gradient,
        base.lr);
  }
  TrainingBatch batch(model, x, data.labels, 0.0);
  return batch.gradient(0, 64).loss + 0.5 * 1e-2 * dot(model.parameters(), model.parameters());
}

TEST(OptimConvex, EveryVariantReachesTheRegularizedMinimum) {
  const double minimum = train_convex(variant("sgd"), 2000);
  for (const std::string name : {"sgd", "sam", "sam-3", "msam-3", "rand-sam", "asam", "stablesam",
                                 "stableasam", "gsam", "psam", "esam"}) {
    RuleOptions o = variant(name, 0.01);
    const double reached = train_convex(o, 400);
    // ρ = 0.01 moves the minimizer by O(ρ), the objective by O(ρ²·curvature) ≪ 1e-3.
    EXPECT_LT(reached - minimum, 1e-3) << o.describe();
  }
}

}  // namespace
}  // namespace sharpscope
