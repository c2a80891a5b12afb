#include "sharpscope/core/shifted_weights.h"

#include "sharpscope/core/model.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/params.h"
#include "support/testing.h"

namespace sharpscope {
namespace {

TEST(CoreShiftedWeights, HoldsTheShiftedValuesThenTheOriginalStorageUntouched) {
  ParamList w{torch::randn({3, 4}), torch::randn({5})};
  const ParamList before = clone(w);
  const void* storage = w[0].data_ptr();
  const ParamList d{torch::randn({3, 4}, torch::kDouble), torch::randn({5}, torch::kDouble)};
  {
    const ShiftedWeights shifted(w, 0.25, d);
    EXPECT_EQ(w[0].scalar_type(), torch::kFloat)
        << "float64 direction, float32 weights stay float32";
    EXPECT_TRUE(torch::equal(w[0], before[0] + 0.25 * d[0].to(torch::kFloat)));
    EXPECT_TRUE(torch::equal(w[1], before[1] + 0.25 * d[1].to(torch::kFloat)));
  }
  EXPECT_EQ(w[0].data_ptr(), storage);
  EXPECT_TRUE(testing::params_equal(w, before));
}

TEST(CoreShiftedWeights, ModelGradientAtTheShiftEqualsGradientAfterMovingTheWeights) {
  Model model = testing::tiny_model(2);
  const Dataset data = testing::tiny_dataset(20);
  const Objective objective(model, data, {7});
  ParamList d = zeros_like(model.parameters());
  for (at::Tensor& t : d) t.normal_();
  LossGradient shifted;
  {
    const ShiftedWeights at_shift(model.parameters(), 0.1, d);
    shifted = objective.gradient();
  }
  const ParamList w = clone(model.parameters());
  axpy(0.1, d, model.parameters());
  const LossGradient moved = objective.gradient();
  assign(model.parameters(), w);
  EXPECT_EQ(shifted.loss, moved.loss);
  EXPECT_TRUE(testing::params_equal(shifted.gradient, moved.gradient));
}

}  // namespace
}  // namespace sharpscope
