// Per-layer blocks: grouping by tensor and module, exact (dense) blocks and Lanczos/Hutchinson
// blocks, against the diagonal blocks of the assembled Hessian and GGN.
#include "sharpscope/hessian/layers.h"

#include <Eigen/Eigenvalues>
#include <cmath>

#include "sharpscope/core/error.h"
#include "sharpscope/core/objective.h"
#include "support/testing.h"

namespace sharpscope {
namespace {

Eigen::MatrixXd to_eigen(const at::Tensor& h) {
  const at::Tensor c = h.contiguous();
  return Eigen::Map<const Eigen::MatrixXd>(c.data_ptr<double>(), c.size(0), c.size(1));
}

double top_eigenvalue(const Eigen::MatrixXd& m) {
  return Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(m, Eigen::EigenvaluesOnly)
      .eigenvalues()
      .maxCoeff();
}

// tiny_model: fc1.weight [5,4] (0..19), fc1.bias [5] (20..24), fc2.weight [3,5] (25..39),
// fc2.bias [3] (40..42).
const std::vector<std::pair<int, int>> kBlocks = {{0, 20}, {20, 5}, {25, 15}, {40, 3}};

TEST(Layers, GroupsByTensorOrModule) {
  const std::vector<std::string> names = {"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias",
                                          "scale"};
  const std::vector<int64_t> sizes = {20, 5, 15, 3, 1};
  const auto tensors = group_parameters(names, sizes, {0, 1, 2, 3, 4}, GroupBy::kTensor);
  ASSERT_EQ(tensors.size(), 5u);
  EXPECT_EQ(tensors[2].name, "fc2.weight");
  EXPECT_EQ(tensors[2].size, 15);
  const auto modules = group_parameters(names, sizes, {0, 1, 2, 3, 4}, GroupBy::kModule);
  ASSERT_EQ(modules.size(), 3u);
  EXPECT_EQ(modules[0].name, "fc1");
  EXPECT_EQ(modules[0].tensors, (std::vector<size_t>{0, 1}));
  EXPECT_EQ(modules[0].size, 25);
  EXPECT_EQ(modules[2].name, "scale");  // no '.': its own module
  const auto some = group_parameters(names, sizes, {2, 3}, GroupBy::kModule);
  ASSERT_EQ(some.size(), 1u);
  EXPECT_EQ(some[0].size, 18);
}

TEST(Layers, DenseBlocksAreExact) {
  Model model = testing::tiny_model(5);
  const Dataset data = testing::tiny_dataset(40, 1);
  const Objective objective(model, data, {16});
  const Eigen::MatrixXd h = to_eigen(testing::dense_hessian(model, data));
  const Eigen::MatrixXd g = to_eigen(testing::dense_ggn(model, data));
  std::vector<int64_t> sizes = {20, 5, 15, 3};
  const auto groups =
      group_parameters(model.parameter_names(), sizes, {0, 1, 2, 3}, GroupBy::kTensor);
  LayerOptions o;
  o.spectrum.k = 2;
  for (Curvature c : {Curvature::kHessian, Curvature::kGgn}) {
    CurvatureOptions options;
    options.curvature = c;
    int64_t reported = 0;
    const auto layers = analyze_layers(objective, options, groups, o,
                                       [&](size_t, int64_t, int64_t total) { reported = total; });
    const Eigen::MatrixXd& m = c == Curvature::kHessian ? h : g;
    ASSERT_EQ(layers.size(), 4u);
    int64_t hvps = 0;
    for (size_t b = 0; b < 4; ++b) {
      const Eigen::MatrixXd block =
          m.block(kBlocks[b].first, kBlocks[b].first, kBlocks[b].second, kBlocks[b].second);
      const LayerCurvature& l = layers[b];
      EXPECT_TRUE(l.dense);
      EXPECT_EQ(l.hvps, kBlocks[b].second);  // one product per column
      ASSERT_EQ(l.eigenvalues.size(), 2u);
      const double scale = block.cwiseAbs().maxCoeff();
      EXPECT_NEAR(l.eigenvalues[0], top_eigenvalue(block), 1e-10 * scale) << b;
      EXPECT_GE(l.eigenvalues[0], l.eigenvalues[1]);
      EXPECT_NEAR(l.trace, block.trace(), 1e-10 * scale) << b;
      EXPECT_EQ(l.trace_se, 0.0);
      hvps += l.hvps;
    }
    EXPECT_EQ(reported, hvps);
    EXPECT_EQ(max_layer_hvps(groups, o), hvps);
  }
}

TEST(Layers, LargeBlocksUseLanczosAndTheTraceEstimator) {
  Model model = testing::tiny_model(5);
  const Dataset data = testing::tiny_dataset(40, 1);
  const Objective objective(model, data, {40});
  const Eigen::MatrixXd g = to_eigen(testing::dense_ggn(model, data));
  std::vector<int64_t> sizes = {20, 5, 15, 3};
  const auto groups = group_parameters(model.parameter_names(), sizes, {0, 2}, GroupBy::kTensor);
  LayerOptions o;
  o.dense_max = 0;
  o.spectrum.k = 1;
  o.spectrum.tol = 1e-10;
  o.trace.tol = 0.0;
  o.trace.max_probes = 200;
  CurvatureOptions options;
  options.curvature = Curvature::kGgn;
  const auto layers = analyze_layers(objective, options, groups, o);
  ASSERT_EQ(layers.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const auto [start, size] = kBlocks[i == 0 ? 0 : 2];
    const Eigen::MatrixXd block = g.block(start, start, size, size);
    const LayerCurvature& l = layers[i];
    EXPECT_FALSE(l.dense);
    EXPECT_TRUE(l.converged);
    ASSERT_EQ(l.eigenvalues.size(), 1u);
    EXPECT_NEAR(l.eigenvalues[0], top_eigenvalue(block), 1e-6 * top_eigenvalue(block));
    EXPECT_LE(std::abs(l.trace - block.trace()), 4.0 * l.trace_se);
  }
}

TEST(Layers, RejectsBadOptions) {
  LayerOptions o;
  o.dense_max = -1;
  EXPECT_THROW(o.validate(), UsageError);
  o = LayerOptions{};
  o.spectrum.k = 0;
  EXPECT_THROW(o.validate(), UsageError);
}

}  // namespace
}  // namespace sharpscope
