#include "sharpscope/landscape/loss_decrease.h"

#include "sharpscope/core/error.h"
#include "support/tiny_problem.h"

namespace sharpscope {
namespace {

using testing::kSameMath;
using testing::TinyProblem;

TEST(LossDecreaseMatrix, EntriesEqualDirectComputation) {
  TinyProblem p;
  LossDecreaseOptions o;
  o.rho = 0.3;
  o.steps = {0, 1, 3};
  o.lr = 0.2;
  o.segment = std::make_pair(1, 3);
  o.points = 5;
  const LossDecrease r = loss_decrease(p.objective, o);
  std::vector<ParamList> weights, gradients;
  for (int n : o.steps) {
    const ParamList v = n == 0 ? zeros_like(p.w0) : p.ascent_direction(n, o.rho);
    weights.push_back(p.point({{o.rho, &v}}));
    gradients.push_back(p.gradient_at(weights.back()));
  }
  const auto stepped = [&](const ParamList& u, const ParamList& g) {
    ParamList out;
    for (size_t i = 0; i < u.size(); ++i) out.push_back(u[i] - o.lr * g[i]);
    return out;
  };
  for (size_t i = 0; i < 3; ++i) {
    for (size_t j = 0; j < 3; ++j) {
      const double expected =
          p.evaluate_at(weights[j]).loss - p.evaluate_at(stepped(weights[j], gradients[i])).loss;
      EXPECT_NEAR(r.delta[i * 3 + j], expected, kSameMath) << i << "," << j;
    }
  }
  // The segment's ends are w^p1 and w^p3: its end columns repeat the matrix's columns.
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(r.segment_delta[i * 5 + 0], r.delta[i * 3 + 1], kSameMath);
    EXPECT_NEAR(r.segment_delta[i * 5 + 4], r.delta[i * 3 + 2], kSameMath);
  }
  ParamList middle;
  for (size_t k = 0; k < p.w0.size(); ++k)
    middle.push_back(0.5 * weights[1][k] + 0.5 * weights[2][k]);
  EXPECT_NEAR(r.segment_loss[2], p.evaluate_at(middle).loss, kSameMath);
  EXPECT_TRUE(p.weights_restored());
}

TEST(LossDecreaseMatrix, ValidatesItsFlags) {
  TinyProblem p;
  LossDecreaseOptions o;
  o.lr = 0.0;
  EXPECT_THROW(loss_decrease(p.objective, o), UsageError);
  o.lr = 0.1;
  o.segment = std::make_pair(1, 1);
  EXPECT_THROW(loss_decrease(p.objective, o), UsageError);
}

}  // namespace
}  // namespace sharpscope
