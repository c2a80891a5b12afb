#include "sharpscope/core/objective.h"

#include "sharpscope/core/error.h"
#include "sharpscope/core/params.h"
#include "support/testing.h"

namespace sharpscope {
namespace {

using testing::kFiniteDifference;
using testing::kFloat64Exact;
using testing::params_equal;
using testing::params_near;

using testing::dense_hessian;
using testing::direct_loss;

TEST(CoreObjective, LossIsIndependentOfBatchSize) {
  Model model = testing::tiny_model();
  const Dataset data = testing::tiny_dataset(103);
  const double reference = direct_loss(model, data).item<double>();
  for (int64_t batch : {1, 7, 50, 103, 1000}) {
    const Evaluation e = Objective(model, data, {batch}).evaluate();
    EXPECT_NEAR(e.loss, reference, kFloat64Exact * std::abs(reference)) << "batch " << batch;
    EXPECT_EQ(e.examples, 103);
  }
}

TEST(CoreObjective, AccuracyCountsArgmaxMatches) {
  Model model = testing::tiny_model();
  const Dataset data = testing::tiny_dataset(64);
  const at::Tensor logits = model.forward(data.images.to(torch::kDouble));
  const double expected = logits.argmax(1).eq(data.labels).to(torch::kDouble).mean().item<double>();
  EXPECT_DOUBLE_EQ(Objective(model, data, {10}).evaluate().accuracy, expected);
}

TEST(CoreObjective, GradientMatchesCentralFiniteDifferences) {
  Model model = testing::tiny_model();
  const Dataset data = testing::tiny_dataset(40);
  const Objective objective(model, data, {16});
  const LossGradient lg = objective.gradient();
  ParamList& w = model.parameters();
  const ParamList saved = clone(w);
  const at::Tensor flat_grad = flatten(lg.gradient);
  const double h = 1e-5;
  for (int64_t i = 0; i < numel(w); ++i) {
    at::Tensor e = torch::zeros({numel(w)}, torch::kDouble);
    e[i] = 1.0;
    const ParamList ei = unflatten(e, w);
    set_combination(w, saved, {{h, &ei}});
    const double plus = objective.evaluate().loss;
    set_combination(w, saved, {{-h, &ei}});
    const double minus = objective.evaluate().loss;
    EXPECT_NEAR(flat_grad[i].item<double>(), (plus - minus) / (2 * h), kFiniteDifference) << i;
  }
  assign(w, saved);
}

TEST(CoreObjective, HvpMatchesExplicitHessianAndIsSymmetric) {
  Model model = testing::tiny_model(5);
  const Dataset data = testing::tiny_dataset(50);
  const at::Tensor h = dense_hessian(model, data);
  const Objective objective(model, data, {8});
  auto gen = at::detail::createCPUGenerator(11);
  const ParamList& w = model.parameters();
  const ParamList u = unflatten(torch::randn({numel(w)}, gen, torch::kDouble), w);
  const ParamList v = unflatten(torch::randn({numel(w)}, gen, torch::kDouble), w);
  const ParamList hv = objective.hvp(v);
  EXPECT_TRUE(testing::tensors_near(flatten(hv), h.matmul(flatten(v)), kFloat64Exact, 1e-12));
  EXPECT_NEAR(dot(u, hv), dot(v, objective.hvp(u)), 1e-12);
}

TEST(CoreObjective, HvpMatchesFiniteDifferencesOfGradients) {
  Model model = testing::tiny_model(7, /*batch_norm=*/true);
  const Dataset data = testing::tiny_dataset(60);
  const Objective objective(model, data, {25});
  ParamList& w = model.parameters();
  const ParamList saved = clone(w);
  auto gen = at::detail::createCPUGenerator(3);
  const ParamList v = unflatten(torch::randn({numel(w)}, gen, torch::kDouble), w);
  const ParamList hv = objective.hvp(v);
  const double h = 1e-5;
  set_combination(w, saved, {{h, &v}});
  ParamList g_plus = objective.gradient().gradient;
  set_combination(w, saved, {{-h, &v}});
  const ParamList g_minus = objective.gradient().gradient;
  assign(w, saved);
  axpy(-1.0, g_minus, g_plus);
  scale(g_plus, 1.0 / (2 * h));
  EXPECT_TRUE(params_near(hv, g_plus, kFiniteDifference, kFiniteDifference));
}

TEST(CoreObjective, HvpIsIndependentOfBatchSize) {
  Model model = testing::tiny_model(2);
  const Dataset data = testing::tiny_dataset(77);
  const ParamList v = normalized(clone(model.parameters()));
  const ParamList reference = Objective(model, data, {77}).hvp(v);
  for (int64_t batch : {1, 10, 30}) {
    EXPECT_TRUE(
        params_near(Objective(model, data, {batch}).hvp(v), reference, kFloat64Exact, 1e-14))
        << "batch " << batch;
  }
}

TEST(CoreObjective, TrainModeBatchNormLeavesModelUnchanged) {
  Model model = testing::tiny_model(1, /*batch_norm=*/true);
  const Dataset data = testing::tiny_dataset(30);
  const ParamList buffers_before = clone(model.buffers());
  const bool was_training = model.training();
  ObjectiveOptions options{10};
  options.bn = BatchNormMode::kTrain;
  const Objective objective(model, data, options);
  objective.evaluate();
  objective.gradient();
  objective.hvp(clone(model.parameters()));
  EXPECT_TRUE(params_equal(model.buffers(), buffers_before));
  EXPECT_EQ(model.training(), was_training);
}

TEST(CoreObjective, RejectsWrongClassCountAndInputShape) {
  Model model = testing::tiny_model();  // 3 classes, 4 inputs
  EXPECT_THROW(Objective(model, testing::tiny_dataset(10, 1, /*classes=*/10)), InputError);
  Dataset wide = testing::tiny_dataset(10);
  wide.images = torch::randn({10, 1, 3, 3});
  EXPECT_THROW(Objective(model, wide), InputError);
  EXPECT_THROW(Objective(model, testing::tiny_dataset(10), {0}), UsageError);
}

TEST(CoreObjective, NonFiniteLossIsReportedNotThrown) {
  Model model = testing::tiny_model();
  const Dataset data = testing::tiny_dataset(10);
  ParamList& w = model.parameters();
  for (auto& t : w) {
    torch::NoGradGuard no_grad;
    t.fill_(std::numeric_limits<double>::infinity());
  }
  const Evaluation e = Objective(model, data).evaluate();
  EXPECT_FALSE(e.finite());
}

}  // namespace
}  // namespace sharpscope
