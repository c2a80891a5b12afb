// Stochastic Lanczos quadrature on dense matrices with known spectra.
#include "sharpscope/hessian/density.h"

#include <Spectra/MatOp/DenseSymMatProd.h>
#include <gtest/gtest.h>

#include <cmath>

#include "commands/parse.h"
#include "sharpscope/core/error.h"
#include "support/dense_solvers.h"
#include "support/matrices.h"

namespace sharpscope {
using cli::parse_probe_kind;
namespace {

using testing::linear_spectrum;
using testing::symmetric_with_spectrum;

TEST(HessianDensity, FullLanczosRecoversKnownSpectrumExactly) {
  const Eigen::VectorXd spectrum = linear_spectrum(40, -2.0, 0.3);
  const Eigen::MatrixXd a = symmetric_with_spectrum(spectrum, 21);
  const Spectra::DenseSymMatProd<double> op(a);
  DensityOptions o;  // 100 steps, capped at d = 40: T is similar to A
  const DensityResult r = slq_density(op, o);
  ASSERT_EQ(r.steps, 40);
  EXPECT_EQ(r.hvps, 40);
  for (int j = 0; j < 40; ++j) EXPECT_NEAR(r.ritz_values(0, j), spectrum[j], 1e-9) << j;
  EXPECT_NEAR(r.ritz_weights.row(0).sum(), 1.0, 1e-12);
  EXPECT_GE(r.ritz_weights.minCoeff(), 0.0);
}

TEST(HessianDensity, IntegratesToOneOnItsGrid) {
  const Eigen::MatrixXd a = symmetric_with_spectrum(linear_spectrum(80, -1.0, 0.1), 22);
  const Spectra::DenseSymMatProd<double> op(a);
  DensityOptions o;
  o.runs = 3;
  o.lanczos_steps = 30;
  const DensityResult r = slq_density(op, o);
  ASSERT_EQ(r.grid.size(), 10000u);
  const double step = r.grid[1] - r.grid[0];
  // Before normalizing, the Gaussians' total mass Σ w = 1 lies on the grid (tails padded by 5σ).
  EXPECT_NEAR(r.mass_on_grid, 1.0, 1e-3);
  double integral = 0.0;
  for (double value : r.density) integral += value * step;
  EXPECT_NEAR(integral, 1.0, 1e-12);
  EXPECT_LT(r.grid.front(), r.ritz_values.minCoeff());
  EXPECT_GT(r.grid.back(), r.ritz_values.maxCoeff());
  // PyHessian's variance scaling: σ² · max(1, range of the run-averaged extremes + 2·overhead).
  EXPECT_GT(r.variance, 1e-5);
}

TEST(HessianDensity, QuadratureMomentsMatchTraceMomentsWithinSamplingError) {
  const Eigen::MatrixXd a = symmetric_with_spectrum(linear_spectrum(80, -1.0, 0.1), 23);
  const Spectra::DenseSymMatProd<double> op(a);
  DensityOptions o;
  o.runs = 20;
  o.lanczos_steps = 10;
  const DensityResult r = slq_density(op, o);
  // With m ≥ 2 steps the Gauss rule is exact for θ and θ², so each run's moments are exactly
  // zᵀAz/d and zᵀA²z/d for its Rademacher z: unbiased for tr(A)/d and tr(A²)/d with variance
  // 2 Σ_{i≠j} B_ij² / d² (B = A or A²). Averaged over runs, 4 standard errors bound the deviation.
  const double d = 80.0;
  auto bound = [&](const Eigen::MatrixXd& b) {
    return 4.0 * std::sqrt(2.0 * (b.squaredNorm() - b.diagonal().squaredNorm()) / (d * d) / o.runs);
  };
  const Eigen::MatrixXd a2 = a * a;
  const double first = (r.ritz_weights.array() * r.ritz_values.array()).rowwise().sum().mean();
  const double second =
      (r.ritz_weights.array() * r.ritz_values.array().square()).rowwise().sum().mean();
  EXPECT_NEAR(first, a.trace() / d, bound(a));
  EXPECT_NEAR(second, a2.trace() / d, bound(a2));
}

TEST(HessianDensity, MomentsExactForDiagonalMatrix) {
  const Eigen::VectorXd diagonal = linear_spectrum(30, -1.0, 0.25);
  const Eigen::MatrixXd a = diagonal.asDiagonal();
  const Spectra::DenseSymMatProd<double> op(a);
  DensityOptions o;
  o.lanczos_steps = 5;
  const DensityResult r = slq_density(op, o);
  // zᵀDz/d = tr(D)/d for every Rademacher z: no sampling error at all.
  EXPECT_NEAR((r.ritz_weights.array() * r.ritz_values.array()).sum(), diagonal.mean(), 1e-12);
  EXPECT_NEAR((r.ritz_weights.array() * r.ritz_values.array().square()).sum(),
              diagonal.squaredNorm() / 30.0, 1e-12);
}

TEST(HessianDensity, ExhaustedKrylovSpaceKeepsWeightsOnTheSpectrum) {
  Eigen::VectorXd spectrum(20);
  spectrum << Eigen::VectorXd::Constant(10, -1.0), Eigen::VectorXd::Constant(5, 2.0),
      Eigen::VectorXd::Constant(5, 7.0);  // three distinct eigenvalues: Krylov dimension 3
  const Eigen::MatrixXd a = symmetric_with_spectrum(spectrum, 24);
  const Spectra::DenseSymMatProd<double> op(a);
  DensityOptions o;
  o.lanczos_steps = 8;
  const DensityResult r = slq_density(op, o);
  EXPECT_GE(r.breakdowns, 1);
  EXPECT_NEAR(r.ritz_weights.sum(), 1.0, 1e-12);
  for (int j = 0; j < r.steps; ++j) {
    if (r.ritz_weights(0, j) < 1e-12) continue;
    const double theta = r.ritz_values(0, j);
    const double distance =
        std::min({std::abs(theta + 1.0), std::abs(theta - 2.0), std::abs(theta - 7.0)});
    EXPECT_LT(distance, 1e-9) << theta;
  }
}

TEST(HessianDensity, RejectsBadOptions) {
  DensityOptions o;
  o.runs = 0;
  EXPECT_THROW(o.validate(), UsageError);
  o = DensityOptions{};
  o.variance = 0.0;
  EXPECT_THROW(o.validate(), UsageError);
  o = DensityOptions{};
  o.bins = 1;
  EXPECT_THROW(o.validate(), UsageError);
  EXPECT_THROW(parse_probe_kind("uniform"), UsageError);
}

}  // namespace
}  // namespace sharpscope
