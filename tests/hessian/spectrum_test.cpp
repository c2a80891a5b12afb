// Extreme-eigenvalue solvers on dense symmetric matrices with a known spectrum (the analytic
// oracle): the routines are templated over the operator, so Spectra's DenseSymMatProd stands in
// for the HVP operator.
#include "sharpscope/hessian/spectrum.h"

#include <Spectra/MatOp/DenseSymMatProd.h>
#include <gtest/gtest.h>

#include <cstdio>

#include "commands/parse.h"
#include "sharpscope/core/error.h"
#include "support/dense_solvers.h"
#include "support/matrices.h"

namespace sharpscope {
using cli::parse_eigen_method;
using cli::parse_spectrum_end;
namespace {

using testing::linear_spectrum;
using testing::symmetric_with_spectrum;

/// The contract for eigenvalues against the dense oracle.
constexpr double kEigenRelative = 1e-6;

SpectrumOptions tight(EigenMethod method, SpectrumEnd which, int k) {
  SpectrumOptions o;
  o.method = method;
  o.which = which;
  o.k = k;
  // Lanczos: residual ≤ 1e-10·|λ| makes the eigenvalue error ≤ residual²/gap ≈ 1e-20.
  // Power: consecutive Rayleigh quotients differing by < 1e-10 relative leave an error of about
  // tol·r²/(1 − r²), r the ratio of the next to the current eigenvalue (≤ 0.9 below): ~5e-10.
  o.tol = 1e-10;
  o.max_iter = 5000;
  o.seed = 3;
  return o;
}

TEST(HessianLanczos, TopAndBottomOfIndefiniteMatrixMatchKnownSpectrum) {
  const Eigen::VectorXd spectrum = linear_spectrum(60, -3.0, 0.25);  // -3 .. 11.75, ascending
  const Eigen::MatrixXd a = symmetric_with_spectrum(spectrum, 1);
  const Spectra::DenseSymMatProd<double> op(a);
  const SpectrumResult r =
      compute_spectrum(op, tight(EigenMethod::kLanczos, SpectrumEnd::kBoth, 4));
  ASSERT_EQ(r.info, Spectra::CompInfo::Successful);
  ASSERT_EQ(r.pairs.size(), 8u);
  for (int j = 0; j < 4; ++j) {
    const Eigenpair& top = r.pairs[j];
    const Eigenpair& bottom = r.pairs[4 + j];
    EXPECT_EQ(top.end, SpectrumEnd::kLargest);
    EXPECT_EQ(bottom.end, SpectrumEnd::kSmallest);
    EXPECT_NEAR(top.value, spectrum[59 - j], kEigenRelative * std::abs(spectrum[59 - j])) << j;
    EXPECT_NEAR(bottom.value, spectrum[j], kEigenRelative * std::abs(spectrum[j])) << j;
    // Residuals are measured, not estimated: recompute one independently.
    EXPECT_NEAR(top.residual, (a * top.vector - top.value * top.vector).norm(), 1e-12);
    EXPECT_LE(top.residual, 1e-8 * spectrum.cwiseAbs().maxCoeff());
    EXPECT_LE(bottom.residual, 1e-8 * spectrum.cwiseAbs().maxCoeff());
    EXPECT_NEAR(top.vector.norm(), 1.0, 1e-12);
  }
  EXPECT_GT(r.hvps, 0);
}

TEST(HessianPower, TopKWithDeflationMatchesKnownSpectrum) {
  Eigen::VectorXd spectrum = linear_spectrum(40, -1.0, 0.05);  // bulk in [-1, 0.95]
  spectrum.tail(3) << 6.0, 8.0, 10.0;
  const Eigen::MatrixXd a = symmetric_with_spectrum(spectrum, 2);
  const Spectra::DenseSymMatProd<double> op(a);
  const SpectrumResult r =
      compute_spectrum(op, tight(EigenMethod::kPower, SpectrumEnd::kLargest, 3));
  ASSERT_EQ(r.info, Spectra::CompInfo::Successful);
  ASSERT_EQ(r.pairs.size(), 3u);
  const double expected[] = {10.0, 8.0, 6.0};
  for (int j = 0; j < 3; ++j) {
    EXPECT_NEAR(r.pairs[j].value, expected[j], kEigenRelative * expected[j]) << j;
    EXPECT_LE(r.pairs[j].residual, 1e-3 * expected[j]) << j;  // vector error ~ sqrt(λ error)
    EXPECT_TRUE(r.pairs[j].converged);
    EXPECT_EQ(r.pairs[j].hvps, r.pairs[j].iterations);
  }
  int64_t spent = 0;
  for (const Eigenpair& p : r.pairs) spent += p.hvps + 1;  // + the residual HVP
  EXPECT_EQ(r.hvps, spent);
}

TEST(HessianPower, SmallestEndUsesShiftedOperator) {
  Eigen::VectorXd spectrum = linear_spectrum(30, 0.0, 0.1);  // bulk in [0, 2.9]
  spectrum.head(2) << -4.0, -3.0;
  spectrum[29] = 10.0;
  const Eigen::MatrixXd a = symmetric_with_spectrum(spectrum, 4);
  const Spectra::DenseSymMatProd<double> op(a);
  const SpectrumResult r =
      compute_spectrum(op, tight(EigenMethod::kPower, SpectrumEnd::kSmallest, 2));
  ASSERT_EQ(r.pairs.size(), 2u);
  // Errors of the shifted iteration scale with the shift σ = 10, so they are measured against ‖A‖.
  EXPECT_NEAR(r.pairs[0].value, -4.0, kEigenRelative * 10.0);
  EXPECT_NEAR(r.pairs[1].value, -3.0, kEigenRelative * 10.0);
  EXPECT_EQ(r.pairs[0].end, SpectrumEnd::kSmallest);
  EXPECT_EQ(r.info, Spectra::CompInfo::Successful);
}

TEST(HessianPower, FollowsPyHessianStoppingRuleAtDefaultTolerance) {
  Eigen::VectorXd spectrum = linear_spectrum(20, 0.0, 0.1);
  spectrum[19] = 5.0;
  const Eigen::MatrixXd a = symmetric_with_spectrum(spectrum, 5);
  const Spectra::DenseSymMatProd<double> op(a);
  SpectrumOptions o;  // PyHessian defaults: tol 1e-3, 100 iterations
  o.method = EigenMethod::kPower;
  o.k = 1;
  const SpectrumResult r = compute_spectrum(op, o);
  ASSERT_EQ(r.pairs.size(), 1u);
  EXPECT_TRUE(r.pairs[0].converged);
  EXPECT_LT(r.pairs[0].iterations, 100);
  // With ratio r = 1.9/5 the reported estimate is within ~tol·r²/(1 − r²) of the truth.
  EXPECT_NEAR(r.pairs[0].value, 5.0, 5.0 * 1e-3);
}

TEST(HessianLanczos, ReachesTopFiveWithFewerHvpsThanPowerIteration) {
  const Eigen::VectorXd spectrum = linear_spectrum(300, 0.0, 0.01).array().pow(3.0);
  const Eigen::MatrixXd a = symmetric_with_spectrum(spectrum, 6);
  const Spectra::DenseSymMatProd<double> op(a);
  SpectrumOptions o;
  o.k = 5;
  o.tol = 1e-6;
  o.max_iter = 10000;
  const SpectrumResult lanczos = compute_spectrum(op, o);
  o.method = EigenMethod::kPower;
  const SpectrumResult power = compute_spectrum(op, o);
  ASSERT_EQ(lanczos.info, Spectra::CompInfo::Successful);
  EXPECT_LT(lanczos.hvps, power.hvps);
  for (int j = 0; j < 5; ++j) {
    EXPECT_NEAR(lanczos.pairs[j].value, spectrum[299 - j], kEigenRelative * spectrum[299 - j]);
  }
}

TEST(HessianSpectrum, NonConvergenceIsReportedAsData) {
  const Eigen::VectorXd spectrum = linear_spectrum(200, 1.0, 0.001);  // tightly clustered
  const Eigen::MatrixXd a = symmetric_with_spectrum(spectrum, 7);
  const Spectra::DenseSymMatProd<double> op(a);
  SpectrumOptions o;
  o.k = 5;
  o.tol = 1e-14;
  o.max_iter = 1;
  const SpectrumResult lanczos = compute_spectrum(op, o);
  EXPECT_EQ(lanczos.info, Spectra::CompInfo::NotConverging);
  // Every requested pair is returned, each with its own flag and its residual.
  ASSERT_EQ(lanczos.pairs.size(), 5u);
  EXPECT_FALSE(lanczos.pairs[0].converged);
  EXPECT_GT(lanczos.pairs[0].residual, 1e-14 * std::abs(lanczos.pairs[0].value));
  // One basis of B = 20 vectors, one restart keeping 5 + 15/2 = 12: 20 + 8 applications.
  EXPECT_EQ(lanczos.hvps, 28);
  o.method = EigenMethod::kPower;
  o.max_iter = 3;
  const SpectrumResult power = compute_spectrum(op, o);
  EXPECT_EQ(power.info, Spectra::CompInfo::NotConverging);
  ASSERT_EQ(power.pairs.size(), 5u);
  EXPECT_FALSE(power.pairs[0].converged);
  EXPECT_EQ(power.pairs[0].iterations, 3);
}

TEST(HessianLanczos, StopsAsSoonAsTheTopPairConverges) {
  // A spectrum that decays like a Hessian's: one outlier, a few more, then a bulk near zero.
  Eigen::VectorXd spectrum = linear_spectrum(400, 0.0, 0.0025);  // bulk in [0, 1]
  spectrum.tail(4) << 3.0, 4.0, 6.0, 10.0;
  const Eigen::MatrixXd a = symmetric_with_spectrum(spectrum, 31);
  const Spectra::DenseSymMatProd<double> op(a);
  SpectrumOptions o;  // defaults: --tol 1e-3, as PyHessian
  o.k = 1;
  int64_t lanczos_total = 0, power_total = 0;
  for (uint64_t seed = 0; seed < 5; ++seed) {
    o.seed = seed;
    o.method = EigenMethod::kLanczos;
    const SpectrumResult lanczos = compute_spectrum(op, o);
    o.method = EigenMethod::kPower;
    const SpectrumResult power = compute_spectrum(op, o);
    ASSERT_EQ(lanczos.info, Spectra::CompInfo::Successful) << seed;
    const Eigenpair& p = lanczos.pairs[0];
    // Accepted at residual ≤ 1e-3·θ: the eigenvalue error is then ≤ residual²/gap (gap 4 here).
    EXPECT_LE(p.residual, 1e-3 * p.value);
    EXPECT_NEAR(p.value, 10.0, 1e-4 * 10.0) << seed;
    EXPECT_NEAR(p.residual, (a * p.vector - p.value * p.vector).norm(), 1e-12);
    // It checks after every step, so it spends about as many HVPs as PyHessian's power
    // iteration (whose count here includes one for its measured residual) and far fewer than a
    // fixed basis of 20…
    EXPECT_LE(lanczos.hvps, power.hvps) << seed;
    EXPECT_LT(lanczos.hvps, 20) << seed;
    std::printf("[   INFO   ] top-1 seed %d: Lanczos %lld HVPs, power %lld iterations\n",
                static_cast<int>(seed), static_cast<long long>(lanczos.hvps),
                static_cast<long long>(power.pairs[0].hvps));
    lanczos_total += lanczos.hvps;
    power_total += power.pairs[0].hvps;  // PyHessian's own count: iterations only
    // …while its accepted residual makes it far more accurate: power iteration's relative change
    // of 1e-3 leaves an error of about tol·r²/(1 − r²)·λ = 5.6e-3 for r = 0.6, Lanczos about
    // residual²/gap ≤ (1e-2)²/4 = 2.5e-5.
    EXPECT_LT(10.0 * std::abs(p.value - 10.0), std::abs(power.pairs[0].value - 10.0)) << seed;
  }
  EXPECT_LE(lanczos_total, power_total);
}

TEST(HessianLanczos, TopKInAtMostHalfThePowerIterationHvps) {
  Eigen::VectorXd spectrum = linear_spectrum(400, 0.0, 0.0025);
  spectrum.tail(6) << 2.5, 3.0, 3.2, 4.0, 6.0, 10.0;
  const Eigen::MatrixXd a = symmetric_with_spectrum(spectrum, 32);
  const Spectra::DenseSymMatProd<double> op(a);
  SpectrumOptions o;
  o.k = 5;
  const SpectrumResult lanczos = compute_spectrum(op, o);
  o.method = EigenMethod::kPower;
  const SpectrumResult power = compute_spectrum(op, o);
  ASSERT_EQ(lanczos.info, Spectra::CompInfo::Successful);
  EXPECT_LE(2 * lanczos.hvps, power.hvps);
  std::printf("[   INFO   ] top-5: Lanczos %lld HVPs, power %lld\n",
              static_cast<long long>(lanczos.hvps), static_cast<long long>(power.hvps));
  const double expected[] = {10.0, 6.0, 4.0, 3.2, 3.0};
  for (int j = 0; j < 5; ++j) {
    EXPECT_NEAR(lanczos.pairs[j].value, expected[j], 1e-4 * expected[j]) << j;
    EXPECT_TRUE(lanczos.pairs[j].converged) << j;
  }
}

TEST(HessianLanczos, ResidualsStayExactAcrossThickRestarts) {
  // Clustered top end: the basis of 20 fills and restarts many times before 3 pairs converge.
  const Eigen::VectorXd spectrum = linear_spectrum(300, 0.0, 0.01).array().pow(3.0);
  const Eigen::MatrixXd a = symmetric_with_spectrum(spectrum, 33);
  const Spectra::DenseSymMatProd<double> op(a);
  SpectrumOptions o;
  o.k = 3;
  o.tol = 1e-8;
  o.max_iter = 10000;
  const SpectrumResult r = compute_spectrum(op, o);
  ASSERT_EQ(r.info, Spectra::CompInfo::Successful);
  ASSERT_GT(r.pairs[0].iterations, 0);  // restarted
  for (int j = 0; j < 3; ++j) {
    const Eigenpair& p = r.pairs[j];
    const double measured = (a * p.vector - p.value * p.vector).norm();
    // The reported residual is the exact one from the recorded products plus a bound on what
    // the restarts discarded: products of a float64 dense matrix are symmetric to ~1e-15·‖A‖.
    EXPECT_NEAR(p.residual, measured, 1e-11) << j;
    EXPECT_NEAR(p.value, spectrum[299 - j], kEigenRelative * spectrum[299 - j]) << j;
  }
}

TEST(HessianSpectrum, RejectsBadOptionsNamingTheFlag) {
  const Eigen::MatrixXd a = symmetric_with_spectrum(linear_spectrum(10, 1, 1), 8);
  const Spectra::DenseSymMatProd<double> op(a);
  SpectrumOptions o;
  o.k = 0;
  try {
    compute_spectrum(op, o);
    FAIL() << "k = 0 accepted";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "--top = 0: must be >= 1");
  }
  o.k = 10;  // Lanczos needs k < d
  EXPECT_THROW(compute_spectrum(op, o), UsageError);
  o.k = 1;
  o.tol = -1;
  EXPECT_THROW(compute_spectrum(op, o), UsageError);
  EXPECT_THROW(parse_eigen_method("arnoldi"), UsageError);
  EXPECT_THROW(parse_spectrum_end("middle"), UsageError);
}

}  // namespace
}  // namespace sharpscope
