#include "sharpscope/core/params.h"

#include <cmath>

#include "support/testing.h"

namespace sharpscope {
namespace {

using testing::params_equal;
using testing::params_near;

ParamList make_list(std::initializer_list<std::vector<double>> values) {
  ParamList out;
  for (const auto& v : values) out.push_back(torch::tensor(v, torch::kDouble));
  return out;
}

TEST(CoreParams, DotNormAndCosineMatchHandComputation) {
  const ParamList x = make_list({{1, 2}, {3}});
  const ParamList y = make_list({{4, -1}, {2}});
  EXPECT_DOUBLE_EQ(dot(x, y), 4 - 2 + 6);
  EXPECT_DOUBLE_EQ(norm(x), std::sqrt(14.0));
  EXPECT_DOUBLE_EQ(cosine(x, y), 8.0 / (std::sqrt(14.0) * std::sqrt(21.0)));
  EXPECT_TRUE(std::isnan(cosine(x, zeros_like(x))));
  EXPECT_EQ(numel(x), 3);
}

TEST(CoreParams, DotAccumulatesFloat32InFloat64) {
  // 1e6 copies of 1e-4 + 1: a float32 running sum would lose the small parts entirely.
  ParamList x{torch::full({1000000}, 1.0f + 1e-4f)};
  ParamList ones{torch::ones({1000000})};
  EXPECT_NEAR(dot(x, ones), 1e6 * static_cast<double>(1.0f + 1e-4f), 1e-6);
}

TEST(CoreParams, ReductionsMatchAFloat64CopyWhateverTheThreadCount) {
  // Sizes straddle the kernel's 16 Ki blocks and its 8 lanes; the half tensor takes the
  // converting path. Only the summation order differs from summing a float64 copy: 1e-13 relative
  // to Σ|xᵢyᵢ| bounds that rounding for a few hundred thousand terms.
  torch::manual_seed(3);
  const ParamList x{torch::randn({300001}), torch::randn({17}), torch::randn({70, 1001}),
                    torch::randn({9}).to(torch::kHalf)};
  const ParamList y{torch::randn({300001}), torch::randn({17}), torch::randn({70, 1001}),
                    torch::randn({9}).to(torch::kHalf)};
  const at::Tensor fx = flatten(x), fy = flatten(y);
  const double scale_xy = (fx.abs() * fy.abs()).sum().item<double>();
  EXPECT_NEAR(dot(x, y), (fx * fy).sum().item<double>(), 1e-13 * scale_xy);
  EXPECT_NEAR(norm(x), std::sqrt((fx * fx).sum().item<double>()), 1e-13 * norm(x));
  const Gram g = gram(x, y);
  EXPECT_NEAR(g.yy, (fy * fy).sum().item<double>(), 1e-13 * g.yy);
  EXPECT_EQ(g.xy, dot(x, y));

  const int threads = at::get_num_threads();
  at::set_num_threads(1);
  const double one_thread = dot(x, y);
  at::set_num_threads(2);
  const double two_threads = dot(x, y);
  at::set_num_threads(threads);
  EXPECT_EQ(one_thread, two_threads);  // fixed blocks, summed in order
}

TEST(CoreParams, AxpyScaleNormalized) {
  ParamList y = make_list({{1, 1}, {1}});
  axpy(2.0, make_list({{1, 2}, {3}}), y);
  EXPECT_TRUE(params_equal(y, make_list({{3, 5}, {7}})));
  scale(y, 0.5);
  EXPECT_TRUE(params_equal(y, make_list({{1.5, 2.5}, {3.5}})));
  EXPECT_NEAR(norm(normalized(y)), 1.0, 1e-15);
  EXPECT_TRUE(params_equal(scaled(y, 2.0), make_list({{3, 5}, {7}})));
  EXPECT_TRUE(params_equal(combination(y, -2.0, make_list({{1, 1}, {1}})),
                           make_list({{-0.5, 0.5}, {1.5}})));
  EXPECT_TRUE(params_equal(y, make_list({{1.5, 2.5}, {3.5}}))) << "inputs untouched";
}

TEST(CoreParams, SetCombinationStartsFromTheBaseEveryTime) {
  const ParamList base = make_list({{1, 2}, {3}});
  const ParamList d1 = make_list({{1, 0}, {0}});
  const ParamList d2 = make_list({{0, 1}, {1}});
  ParamList target = clone(base);
  set_combination(target, base, {{0.5, &d1}, {-2.0, &d2}});
  EXPECT_TRUE(params_equal(target, make_list({{1.5, 0}, {1}})));
  set_combination(target, base, {{0.5, &d1}, {-2.0, &d2}});  // same point again, no accumulation
  EXPECT_TRUE(params_equal(target, make_list({{1.5, 0}, {1}})));
}

TEST(CoreParams, FlattenUnflattenRoundTrip) {
  ParamList x{torch::randn({3, 4}, torch::kFloat), torch::randn({5}, torch::kFloat)};
  const at::Tensor flat = flatten(x);
  EXPECT_EQ(flat.scalar_type(), torch::kDouble);
  EXPECT_EQ(flat.numel(), 17);
  EXPECT_TRUE(params_equal(unflatten(flat, x), x));
  EXPECT_THROW(unflatten(torch::zeros({16}, torch::kDouble), x), std::invalid_argument);
}

TEST(CoreParams, RestoreIsBitExactAfterAnySequenceOfPerturbations) {
  Model model = testing::tiny_model(3);
  ParamList& w = model.parameters();
  const ParamList saved = clone(w);
  const ParamList d = normalized(clone(w));
  for (int i = 0; i < 10; ++i) {
    axpy(0.1 * i, d, w);
    scale(w, 1.0 + 1e-3 * i);
    set_combination(w, saved, {{1e3, &d}});
  }
  assign(w, saved);
  EXPECT_TRUE(params_equal(w, saved));
}

}  // namespace
}  // namespace sharpscope
