#include "sharpscope/landscape/trajectory.h"

#include <torch/torch.h>

#include <Eigen/Eigenvalues>
#include <cmath>

#include "sharpscope/core/error.h"
#include "sharpscope/core/params.h"

namespace sharpscope {

Trajectory pca_trajectory(std::vector<ParamList> weights, const TrajectoryOptions& options) {
  const int64_t n = static_cast<int64_t>(weights.size());
  // x_n = w_final − w_final = 0, so n checkpoints span at most n − 1 directions, centered or
  // not: a plane needs three.
  if (n < 3) {
    throw UsageError("landscape trajectory: " + std::to_string(n) +
                     " checkpoint(s) given; the PCA plane needs at least 3 (the last, w_final, "
                     "is the origin)");
  }
  // xᵢ = wᵢ − w_final in place (the last becomes exactly zero), tensors outside the selection
  // zeroed.
  const ParamList final_weights = clone(weights.back());
  std::vector<bool> kept(final_weights.size(), options.tensors.empty());
  for (size_t i : options.tensors) kept.at(i) = true;
  {
    torch::NoGradGuard no_grad;
    for (ParamList& w : weights) {
      axpy(-1.0, final_weights, w);
      for (size_t t = 0; t < w.size(); ++t) {
        if (!kept[t]) w[t].zero_();
      }
    }
  }
  // Gram matrix K = X Xᵀ in float64, then the centered one (I − 11ᵀ/n) K (I − 11ᵀ/n).
  Eigen::MatrixXd gram(n, n);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j <= i; ++j) gram(i, j) = gram(j, i) = dot(weights[i], weights[j]);
  }
  Eigen::MatrixXd k = gram;
  if (options.center) {
    const Eigen::MatrixXd c = Eigen::MatrixXd::Identity(n, n) -
                              Eigen::MatrixXd::Constant(n, n, 1.0 / static_cast<double>(n));
    k = c * gram * c;
  }
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(0.5 * (k + k.transpose()));
  const double total = std::max(0.0, solver.eigenvalues().sum());
  Trajectory out;
  for (int component = 0; component < 2; ++component) {
    const Eigen::Index at = n - 1 - component;  // eigenvalues ascending
    const double s2 = solver.eigenvalues()[at];
    if (!(s2 > 1e-12 * std::max(total, 1e-300))) {
      throw UsageError(
          "landscape trajectory: the checkpoints' differences span fewer than two "
          "directions (identical checkpoints?)");
    }
    // pc = Xcᵀu/σ = Σᵢ (uᵢ/σ) xᵢ: u ⟂ 1 for a nonzero eigenvalue of the centered Gram matrix,
    // so the mean needs no subtracting.
    const Eigen::VectorXd u = solver.eigenvectors().col(at);
    ParamList pc = zeros_like(weights.front());
    for (int64_t i = 0; i < n; ++i) axpy(u[i] / std::sqrt(s2), weights[i], pc);
    out.singular_values.push_back(std::sqrt(s2));
    out.explained_variance.push_back(s2 / static_cast<double>(options.center ? n - 1 : n));
    out.explained_variance_ratio.push_back(total > 0.0 ? s2 / total : 0.0);
    out.directions.push_back(std::move(pc));
  }
  // The accumulated directions are unit and orthogonal up to the model dtype's rounding: make
  // them so in float64 terms (Gram–Schmidt), so that grid coordinates are lengths.
  ParamList& pc1 = out.directions[0];
  ParamList& pc2 = out.directions[1];
  scale(pc1, 1.0 / norm(pc1));
  axpy(-dot(pc2, pc1), pc1, pc2);
  scale(pc2, 1.0 / norm(pc2));
  out.cosine_pc1_pc2 = dot(pc1, pc2);
  for (int component = 0; component < 2; ++component) {
    if (dot(weights.front(), out.directions[component]) > 0.0)
      scale(out.directions[component], -1.0);
  }
  for (int64_t i = 0; i < n; ++i) {
    const double a = dot(weights[i], pc1), b = dot(weights[i], pc2);
    const double length2 = gram(i, i);
    out.coordinates.push_back(a);
    out.coordinates.push_back(b);
    out.distance.push_back(std::sqrt(length2));
    // Measured on the residual: sqrt(|x|^2 - a^2 - b^2) would lose half the digits (a path on
    // the plane would show ~1e-8 |x| off it).
    ParamList residual = clone(weights[i]);
    axpy(-a, pc1, residual);
    axpy(-b, pc2, residual);
    out.off_plane.push_back(norm(residual));
  }
  return out;
}

}  // namespace sharpscope
