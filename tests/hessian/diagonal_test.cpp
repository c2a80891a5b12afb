// Diagonal estimators on dense matrices with known entries (the operator-generic code path), and
// the exact diagonal of a curvature operator against its assembled matrix.
#include "sharpscope/hessian/diagonal.h"

#include <Spectra/MatOp/DenseSymMatProd.h>
#include <gtest/gtest.h>

#include <cmath>

#include "sharpscope/core/error.h"
#include "support/matrices.h"

namespace sharpscope {
namespace {

using testing::linear_spectrum;
using testing::symmetric_with_spectrum;

DiagonalOptions with(DiagonalMethod method, int probes = 150, uint64_t seed = 1) {
  DiagonalOptions o;
  o.method = method;
  o.probes = probes;
  o.seed = seed;
  return o;
}

TEST(Diagonal, ExactTakesOneProductPerCoordinate) {
  const Eigen::MatrixXd a = symmetric_with_spectrum(linear_spectrum(30, -1.0, 0.3), 3);
  const Spectra::DenseSymMatProd<double> op(a);
  const DiagonalResult r = estimate_diagonal(op, with(DiagonalMethod::kExact), {0, 10, 30});
  EXPECT_EQ(r.method, DiagonalMethod::kExact);
  EXPECT_LE((r.diagonal - a.diagonal()).cwiseAbs().maxCoeff(), 1e-14);
  EXPECT_EQ(r.standard_error.cwiseAbs().maxCoeff(), 0.0);
  EXPECT_EQ(r.hvps, 30);
  ASSERT_EQ(r.block_sums.size(), 2u);
  EXPECT_NEAR(r.block_sums[0], a.diagonal().head(10).sum(), 1e-13);
  EXPECT_NEAR(r.block_sums[1], a.diagonal().tail(20).sum(), 1e-13);
  EXPECT_NEAR(r.trace, a.trace(), 1e-13);
  // auto is exact up to --exact-max, diag++ beyond.
  DiagonalOptions automatic;
  automatic.exact_max = 30;
  EXPECT_EQ(automatic.resolved(30), DiagonalMethod::kExact);
  EXPECT_EQ(automatic.resolved(31), DiagonalMethod::kDiagPlusPlus);
}

TEST(Diagonal, HutchinsonIsUnbiasedWithItsStandardErrors) {
  const Eigen::MatrixXd a = symmetric_with_spectrum(linear_spectrum(40, -1.0, 0.2), 4);
  const Spectra::DenseSymMatProd<double> op(a);
  const int m = 400;
  const DiagonalResult r = estimate_diagonal(op, with(DiagonalMethod::kHutchinson, m));
  EXPECT_EQ(r.hvps, m);
  EXPECT_EQ(r.probes, m);
  // Each entry is a mean of m independent terms: within 5 SE of the truth (a 5σ miss has
  // probability ~6e-7 per entry, 2e-5 over the 40).
  for (Eigen::Index j = 0; j < 40; ++j) {
    EXPECT_LE(std::abs(r.diagonal[j] - a(j, j)), 5.0 * r.standard_error[j]) << j;
  }
  // The estimated standard errors match the exact ones, √(Σ_{k≠j} a_jk² / m), on average over j
  // (each is a sample estimate from m values: ±10 % typical).
  double ratio = 0.0;
  for (Eigen::Index j = 0; j < 40; ++j) {
    const double exact = std::sqrt((a.row(j).squaredNorm() - a(j, j) * a(j, j)) / m);
    ratio += r.standard_error[j] / exact / 40.0;
  }
  EXPECT_NEAR(ratio, 1.0, 0.1);
  EXPECT_LE(std::abs(r.trace - a.trace()), 5.0 * r.trace_se);
}

TEST(Diagonal, DiagPlusPlusIsExactWhenTheSketchCapturesTheRange) {
  // Rank 6 < k = 10 sketch columns: Q spans the range, (I − QQᵀ)A = 0 and the estimate is exact
  // to round-off (~1e-15·‖A‖).
  Eigen::VectorXd spectrum = Eigen::VectorXd::Zero(40);
  spectrum.head(6) << 9.0, 7.0, 5.0, 3.0, -2.0, 1.0;
  const Eigen::MatrixXd a = symmetric_with_spectrum(spectrum, 5);
  const Spectra::DenseSymMatProd<double> op(a);
  const DiagonalResult r = estimate_diagonal(op, with(DiagonalMethod::kDiagPlusPlus, 30));
  EXPECT_EQ(r.rank, 10);
  EXPECT_EQ(r.probes, 10);
  EXPECT_EQ(r.hvps, 30);
  EXPECT_LE((r.diagonal - a.diagonal()).cwiseAbs().maxCoeff(), 1e-12);
  EXPECT_LE(r.standard_error.maxCoeff(), 1e-12);
}

TEST(Diagonal, DiagPlusPlusBeatsHutchinsonOnADominantTop) {
  // A few large eigenvalues over a small bulk (the shape of network Hessians): with the same
  // budget of 90 products Diag++'s error is several times smaller, and still unbiased within 5 SE.
  Eigen::VectorXd spectrum = linear_spectrum(60, 0.0, 0.01);
  spectrum.tail(4) << 50.0, 30.0, 20.0, 10.0;
  const Eigen::MatrixXd a = symmetric_with_spectrum(spectrum, 6);
  const Spectra::DenseSymMatProd<double> op(a);
  const DiagonalResult plus = estimate_diagonal(op, with(DiagonalMethod::kDiagPlusPlus, 90, 2));
  const DiagonalResult hutch = estimate_diagonal(op, with(DiagonalMethod::kHutchinson, 90, 2));
  const double plus_error = (plus.diagonal - a.diagonal()).norm();
  const double hutch_error = (hutch.diagonal - a.diagonal()).norm();
  EXPECT_LT(plus_error, 0.2 * hutch_error);
  for (Eigen::Index j = 0; j < 60; ++j) {
    EXPECT_LE(std::abs(plus.diagonal[j] - a(j, j)), 5.0 * plus.standard_error[j] + 1e-12) << j;
  }
}

TEST(Diagonal, RejectsBadOptions) {
  EXPECT_THROW(with(DiagonalMethod::kHutchinson, 1).validate(), UsageError);    // no SE
  EXPECT_THROW(with(DiagonalMethod::kDiagPlusPlus, 5).validate(), UsageError);  // m = 1
  EXPECT_NO_THROW(with(DiagonalMethod::kDiagPlusPlus, 6).validate());
  DiagonalOptions o;
  o.exact_max = -1;
  EXPECT_THROW(o.validate(), UsageError);
  o = DiagonalOptions{};
  o.probes = 2;  // auto then falls back to Hutchinson beyond --exact-max
  EXPECT_EQ(o.resolved(o.exact_max + 1), DiagonalMethod::kHutchinson);
}

}  // namespace
}  // namespace sharpscope
