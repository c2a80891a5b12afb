#include "sharpscope/hessian/density.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "sharpscope/core/error.h"

namespace sharpscope {

std::string to_string(ProbeKind kind) {
  return kind == ProbeKind::kRademacher ? "rademacher" : "gaussian";
}

void DensityOptions::validate() const {
  if (runs < 1) throw UsageError("--runs = " + std::to_string(runs) + ": must be >= 1");
  if (lanczos_steps < 1) {
    throw UsageError("--lanczos-steps = " + std::to_string(lanczos_steps) + ": must be >= 1");
  }
  if (!(variance > 0.0) || !std::isfinite(variance)) {
    std::ostringstream text;
    text << "--sigma = " << variance << ": must be > 0 (a variance)";
    throw UsageError(text.str());
  }
  if (bins < 2) throw UsageError("--grid = " + std::to_string(bins) + ": must be >= 2");
  if (!(overhead >= 0.0) || !std::isfinite(overhead)) {
    std::ostringstream text;
    text << "--overhead = " << overhead << ": must be >= 0";
    throw UsageError(text.str());
  }
}

void gauss_quadrature(const Eigen::VectorXd& alpha, const Eigen::VectorXd& beta,
                      Eigen::Ref<Eigen::RowVectorXd> nodes,
                      Eigen::Ref<Eigen::RowVectorXd> weights) {
  // Golub & Welsch (1969): the nodes are the eigenvalues of T, the weights the squared first
  // components of its unit eigenvectors.
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver;
  solver.computeFromTridiagonal(alpha, beta, Eigen::ComputeEigenvectors);
  nodes = solver.eigenvalues().transpose();
  weights = solver.eigenvectors().row(0).array().square();
}

void broaden(DensityResult& result, const DensityOptions& options) {
  const RowMajorMatrix& theta = result.ritz_values;
  const double mean_max = theta.rowwise().maxCoeff().mean() + options.overhead;
  const double mean_min = theta.rowwise().minCoeff().mean() - options.overhead;
  result.variance = options.variance * std::max(1.0, mean_max - mean_min);  // PyHessian's scaling
  const double pad = options.overhead + 5.0 * std::sqrt(result.variance);
  const double lo = theta.minCoeff() - pad;
  const double hi = theta.maxCoeff() + pad;
  const double step = (hi - lo) / (options.bins - 1);
  result.grid.resize(options.bins);
  result.density.assign(options.bins, 0.0);
  for (int b = 0; b < options.bins; ++b) result.grid[b] = lo + step * b;

  const double norm = 1.0 / (std::sqrt(2.0 * M_PI * result.variance) * theta.rows());
  for (Eigen::Index r = 0; r < theta.rows(); ++r) {
    for (Eigen::Index j = 0; j < theta.cols(); ++j) {
      const double w = result.ritz_weights(r, j);
      if (w == 0.0) continue;
      for (int b = 0; b < options.bins; ++b) {
        const double x = result.grid[b] - theta(r, j);
        result.density[b] += w * norm * std::exp(-x * x / (2.0 * result.variance));
      }
    }
  }
  // Exact mass of the broadened density inside [lo, hi], from the Gaussians' CDFs: unlike a
  // Riemann sum it does not depend on whether the grid resolves the peaks (Δt < σ).
  const double sigma = std::sqrt(result.variance);
  double exact = 0.0;
  for (Eigen::Index r = 0; r < theta.rows(); ++r) {
    for (Eigen::Index j = 0; j < theta.cols(); ++j) {
      const double a = (lo - theta(r, j)) / (sigma * M_SQRT2),
                   b = (hi - theta(r, j)) / (sigma * M_SQRT2);
      exact += result.ritz_weights(r, j) * 0.5 * (std::erf(b) - std::erf(a));
    }
  }
  result.mass_on_grid = exact / theta.rows();
  double riemann = 0.0;
  for (double value : result.density) riemann += value * step;  // PyHessian's normalization
  for (double& value : result.density) value /= riemann;
}

std::string DensityResult::brief_report() const {
  char text[256];
  std::snprintf(text, sizeof text,
                "SLQ %lld run(s) x %d steps: Ritz values in [%.6g, %.6g], mass on grid %.4f, "
                "%lld HVPs, %.2f s",
                static_cast<long long>(ritz_values.rows()), steps, ritz_values.minCoeff(),
                ritz_values.maxCoeff(), mass_on_grid, static_cast<long long>(hvps), seconds);
  return text;
}

}  // namespace sharpscope
