// PCA of a training path, against an SVD of the explicitly assembled difference matrix (torch's,
// an independent route from the Gram-matrix eigendecomposition the code uses).
#include "sharpscope/landscape/trajectory.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>

#include "sharpscope/core/error.h"
#include "sharpscope/core/params.h"

namespace sharpscope {
namespace {

// Checkpoints shaped like a two-tensor model ([3, 4] and [5]): w_final plus a curved path in a
// plane, plus a little noise off it.
std::vector<ParamList> path(int n, double noise, uint64_t seed) {
  at::Generator gen = at::detail::createCPUGenerator(seed);
  const auto randn = [&](std::vector<int64_t> shape) {
    return at::randn(shape, gen, at::TensorOptions().dtype(at::kDouble));
  };
  const ParamList final_w = {randn({3, 4}), randn({5})};
  const ParamList a = {randn({3, 4}), randn({5})}, b = {randn({3, 4}), randn({5})};
  std::vector<ParamList> out;
  for (int i = 0; i < n; ++i) {
    const double t = 1.0 - static_cast<double>(i) / (n - 1);  // 1 → 0: ends at w_final
    ParamList w;
    for (size_t k = 0; k < 2; ++k) {
      w.push_back(final_w[k] + 2.0 * t * a[k] + t * t * b[k] +
                  (i + 1 < n ? noise * randn(final_w[k].sizes().vec()) : 0.0 * a[k]));
    }
    out.push_back(w);
  }
  return out;
}

// Rows wᵢ − w_final of the flattened checkpoints.
at::Tensor difference_matrix(const std::vector<ParamList>& weights) {
  std::vector<at::Tensor> rows;
  const at::Tensor last = flatten(weights.back());
  for (const ParamList& w : weights) rows.push_back(flatten(w) - last);
  return torch::stack(rows);
}

TEST(Trajectory, MatchesTheSvdOfTheCenteredDifferences) {
  const std::vector<ParamList> weights = path(8, 0.05, 1);
  const at::Tensor x = difference_matrix(weights);
  const at::Tensor centered = x - x.mean(0, /*keepdim=*/true);
  const auto [u, s, v] = torch::svd(centered);
  const Trajectory t = pca_trajectory(weights);
  const double total = s.pow(2).sum().item<double>();
  // Both routes are float64 eigen/singular decompositions of the same 8 × 17 problem: agreement
  // to ~1e-13; 1e-9 relative leaves room for the Gram route's squaring of the condition number.
  for (int k = 0; k < 2; ++k) {
    const double sk = s[k].item<double>();
    EXPECT_NEAR(t.singular_values[k], sk, 1e-9 * sk);
    EXPECT_NEAR(t.explained_variance[k], sk * sk / 7.0, 1e-9 * sk * sk);
    EXPECT_NEAR(t.explained_variance_ratio[k], sk * sk / total, 1e-9);
    const at::Tensor pc = flatten(t.directions[k]);
    EXPECT_NEAR(std::abs(pc.dot(v.select(1, k)).item<double>()), 1.0, 1e-9) << k;
    EXPECT_NEAR(pc.norm().item<double>(), 1.0, 1e-12);
    // Coordinates are the uncentered projections; the first checkpoint's are ≤ 0.
    for (int i = 0; i < 8; ++i) {
      EXPECT_NEAR(t.coordinates[2 * i + k], x[i].dot(pc).item<double>(), 1e-12);
    }
    EXPECT_LE(t.coordinates[k], 0.0);
  }
  EXPECT_NEAR(t.cosine_pc1_pc2, 0.0, 1e-12);
  EXPECT_EQ(t.coordinates[14], 0.0);  // w_final sits at the origin
  EXPECT_EQ(t.coordinates[15], 0.0);
  // The path is nearly planar: the two components explain almost everything and the distance
  // of each checkpoint from the plane is what the noise leaves.
  EXPECT_GT(t.explained_variance_ratio[0] + t.explained_variance_ratio[1], 0.99);
  for (int i = 0; i < 8; ++i) {
    const double length = x[i].norm().item<double>();
    EXPECT_NEAR(t.distance[i], length, 1e-12 * std::max(1.0, length));
    EXPECT_NEAR(t.off_plane[i] * t.off_plane[i] + t.coordinates[2 * i] * t.coordinates[2 * i] +
                    t.coordinates[2 * i + 1] * t.coordinates[2 * i + 1],
                length * length, 1e-9 * length * length + 1e-15);
  }
}

TEST(Trajectory, UncenteredAndSelectedTensors) {
  const std::vector<ParamList> weights = path(5, 0.1, 2);
  TrajectoryOptions o;
  o.center = false;
  o.tensors = {0};  // the [3, 4] tensor only
  const Trajectory t = pca_trajectory(weights, o);
  std::vector<ParamList> first_only;
  for (const ParamList& w : weights) first_only.push_back({w[0]});
  const auto [u, s, v] = torch::svd(difference_matrix(first_only));
  EXPECT_NEAR(t.singular_values[0], s[0].item<double>(), 1e-9 * s[0].item<double>());
  EXPECT_NEAR(t.explained_variance[0], s[0].item<double>() * s[0].item<double>() / 5.0,
              1e-9 * s[0].item<double>() * s[0].item<double>());
  EXPECT_EQ(t.directions[0][1].abs().max().item<double>(), 0.0);  // outside the selection
  EXPECT_NEAR(std::abs(flatten({t.directions[0][0]}).dot(v.select(1, 0)).item<double>()), 1.0,
              1e-9);
}

TEST(Trajectory, RejectsTooFewOrIdenticalCheckpoints) {
  EXPECT_THROW(pca_trajectory(path(2, 0.0, 3)), UsageError);
  std::vector<ParamList> same(4, path(2, 0.0, 3).front());
  EXPECT_THROW(pca_trajectory(same), UsageError);
  // Collinear checkpoints span one direction only.
  std::vector<ParamList> line;
  for (int i = 0; i < 4; ++i)
    line.push_back({torch::full({3}, static_cast<double>(i), torch::kDouble)});
  EXPECT_THROW(pca_trajectory(line), UsageError);
}

}  // namespace
}  // namespace sharpscope
