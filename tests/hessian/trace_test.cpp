// The trace estimator on dense matrices with known trace. Hutchinson: exact for diagonal
// matrices (every Rademacher probe gives zᵀDz = tr D), within a few standard errors otherwise.
// Hutch++: exact when the sketch spans the range, unbiased with a calibrated standard error, and
// cheaper than Hutchinson at the same standard error when the spectrum decays.
#include "sharpscope/hessian/trace.h"

#include <Spectra/MatOp/DenseSymMatProd.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "commands/parse.h"
#include "sharpscope/core/error.h"
#include "support/dense_solvers.h"
#include "support/matrices.h"

namespace sharpscope {
namespace {

using testing::linear_spectrum;
using testing::symmetric_with_spectrum;

TEST(HessianTrace, ExactForDiagonalMatrix) {
  const Eigen::MatrixXd d = linear_spectrum(25, -2.0, 0.5).asDiagonal();
  const Spectra::DenseSymMatProd<double> op(d);
  const TraceResult r = estimate_trace(op, TraceOptions{});
  EXPECT_NEAR(r.trace, d.trace(), 1e-12);
  EXPECT_EQ(r.standard_error, 0.0);
  EXPECT_EQ(r.stop_reason, "tol");  // the running mean stops moving at probe 2
  EXPECT_EQ(r.probes.size(), 2u);
  EXPECT_EQ(r.hvps, 2);
}

TEST(HessianTrace, WithinFourStandardErrorsOfExactTrace) {
  const Eigen::MatrixXd a = symmetric_with_spectrum(linear_spectrum(50, -1.0, 0.2), 11);
  const Spectra::DenseSymMatProd<double> op(a);
  TraceOptions o;
  o.max_probes = 300;
  o.tol = 0.0;
  o.seed = 5;
  const TraceResult r = estimate_trace(op, o);
  EXPECT_EQ(r.stop_reason, "max-probes");
  ASSERT_EQ(r.probes.size(), 300u);
  EXPECT_LE(std::abs(r.trace - a.trace()), 4.0 * r.standard_error);
  // The sample standard error estimates the exact one, sqrt(2 Σ_{i≠j} a_ij² / n).
  const double exact_se = std::sqrt(2.0 * (a.squaredNorm() - a.diagonal().squaredNorm()) / 300.0);
  EXPECT_NEAR(r.standard_error, exact_se, 0.25 * exact_se);
  EXPECT_DOUBLE_EQ(r.running_mean.back(), r.trace);
  EXPECT_TRUE(std::isnan(r.running_se.front()));
}

TEST(HessianTrace, StopsEarlyAtRelativeStandardError) {
  const Eigen::MatrixXd a = symmetric_with_spectrum(linear_spectrum(50, 1.0, 0.2), 12);
  const Spectra::DenseSymMatProd<double> op(a);
  TraceOptions o;
  o.tol = 0.0;
  o.rel_se = 0.05;
  const TraceResult r = estimate_trace(op, o);
  EXPECT_EQ(r.stop_reason, "rel-se");
  EXPECT_GE(r.probes.size(), static_cast<size_t>(TraceOptions::kMinProbesForSe));
  EXPECT_LT(r.standard_error, 0.05 * std::abs(r.trace));
}

TraceOptions hutch_plus_plus(int max_probes, double rel_se, int sketch, uint64_t seed) {
  TraceOptions o;
  o.method = TraceMethod::kHutchPlusPlus;
  o.max_probes = max_probes;
  o.tol = 0.0;
  o.rel_se = rel_se;
  o.sketch = sketch;
  o.seed = seed;
  return o;
}

// Eigenvalues 1/i, i = 1..d: tr ≈ ln d + 0.577, ‖A‖_F² → π²/6, so Hutchinson's relative standard
// error per probe is large (≈ 0.26 for d = 400) while a rank-k deflation leaves ‖PAP‖_F² ≈ 1/k.
Eigen::VectorXd decaying_spectrum(Eigen::Index d) {
  Eigen::VectorXd v(d);
  for (Eigen::Index i = 0; i < d; ++i) v[i] = 1.0 / static_cast<double>(i + 1);
  return v;
}

TEST(HessianTrace, HutchPlusPlusIsExactWhenTheSketchSpansTheRange) {
  Eigen::VectorXd spectrum = Eigen::VectorXd::Zero(60);
  spectrum.head(6) << 9.0, -4.0, 3.0, 2.0, 1.0, 0.5;  // rank 6, indefinite
  const Eigen::MatrixXd a = symmetric_with_spectrum(spectrum, 13);
  const Spectra::DenseSymMatProd<double> op(a);
  const TraceResult r = estimate_trace(op, hutch_plus_plus(60, 0.0, 10, 1));
  // The range of A·S is the range of A: tr(QᵀAQ) = tr A and PAP = 0, so every probe gives 0.
  EXPECT_EQ(r.sketch_rank, 6);  // the 4 directions inside the span are dropped
  EXPECT_NEAR(r.sketch_trace, a.trace(), 1e-12);
  EXPECT_NEAR(r.trace, a.trace(), 1e-12);
  EXPECT_NEAR(r.standard_error, 0.0, 1e-12);
  EXPECT_EQ(r.sketch_hvps, 16);  // 10 for A·S, 6 for A·Q
  EXPECT_EQ(r.hvps, 60);
  EXPECT_EQ(r.probes.size(), 44u);
}

TEST(HessianTrace, HutchPlusPlusStandardErrorIsCalibrated) {
  const Eigen::MatrixXd a = symmetric_with_spectrum(decaying_spectrum(100), 14);
  const Spectra::DenseSymMatProd<double> op(a);
  // Given the sketch the estimate is the mean of i.i.d. probes plus a constant, so
  // |T − tr A| ≤ 2·SE should hold in ~95% of runs (t with 29 degrees of freedom: 94.5%).
  // 400 runs: the binomial standard deviation of the fraction is 1.1%, so [0.89, 0.99] fails
  // only for a wrong standard error (the sketch's variance counted or the probes' not).
  int covered = 0;
  double mean_error = 0.0;
  constexpr int kRuns = 400;
  for (int seed = 0; seed < kRuns; ++seed) {
    const TraceResult r = estimate_trace(op, hutch_plus_plus(50, 0.0, 10, seed));
    ASSERT_EQ(r.probes.size(), 30u);
    covered += std::abs(r.trace - a.trace()) <= 2.0 * r.standard_error ? 1 : 0;
    mean_error += (r.trace - a.trace()) / kRuns;
  }
  EXPECT_GE(covered, 0.89 * kRuns);
  EXPECT_LE(covered, 0.99 * kRuns);
  // Unbiased: the mean over runs is within 4 of its own standard errors (≈ SE/√400) of tr A.
  const TraceResult one = estimate_trace(op, hutch_plus_plus(50, 0.0, 10, 0));
  EXPECT_LE(std::abs(mean_error), 4.0 * one.standard_error / std::sqrt(kRuns));
}

TEST(HessianTrace, HutchPlusPlusReachesOnePercentInAtMostHalfTheHvps) {
  const Eigen::VectorXd spectrum = decaying_spectrum(400);
  const Eigen::MatrixXd a = symmetric_with_spectrum(spectrum, 15);
  const Spectra::DenseSymMatProd<double> op(a);
  TraceOptions hutchinson;
  hutchinson.tol = 0.0;
  hutchinson.rel_se = 0.01;
  hutchinson.max_probes = 100000;
  for (uint64_t seed = 0; seed < 3; ++seed) {
    hutchinson.seed = seed;
    const TraceResult plain = estimate_trace(op, hutchinson);
    const TraceResult plus = estimate_trace(op, hutch_plus_plus(100000, 0.01, 0, seed));
    ASSERT_EQ(plain.stop_reason, "rel-se");
    ASSERT_EQ(plus.stop_reason, "rel-se");
    EXPECT_LE(2 * plus.hvps, plain.hvps) << seed;
    // The counts, for docs/hessian.md (deterministic for a seed).
    std::printf("[   INFO   ] seed %d: Hutchinson %lld HVPs, Hutch++ %lld (sketch rank %lld)\n",
                static_cast<int>(seed), static_cast<long long>(plain.hvps),
                static_cast<long long>(plus.hvps), static_cast<long long>(plus.sketch_rank));
    EXPECT_GT(plus.sketch_rank, 0);
    // Both within 4 standard errors of the truth.
    EXPECT_LE(std::abs(plus.trace - spectrum.sum()), 4.0 * plus.standard_error) << seed;
    EXPECT_LE(std::abs(plain.trace - spectrum.sum()), 4.0 * plain.standard_error) << seed;
    EXPECT_LT(plus.standard_error, 0.01 * std::abs(plus.trace));
  }
}

TEST(HessianTrace, HutchinsonIsHutchPlusPlusWithoutASketch) {
  const Eigen::MatrixXd a = symmetric_with_spectrum(linear_spectrum(30, -1.0, 0.2), 16);
  const Spectra::DenseSymMatProd<double> op(a);
  TraceOptions o;
  o.tol = 0.0;
  o.max_probes = 40;
  o.seed = 9;
  const TraceResult plain = estimate_trace(op, o);
  // Hand-rolled Hutchinson with the same probe stream.
  std::mt19937_64 rng(9);
  RunningMoments m;
  for (int i = 0; i < 40; ++i) {
    const Eigen::VectorXd z = rademacher_vector(30, rng);
    m.add(z.dot(a * z));
  }
  EXPECT_DOUBLE_EQ(plain.trace, m.mean());
  EXPECT_DOUBLE_EQ(plain.standard_error, m.standard_error());
  EXPECT_EQ(plain.sketch_rank, 0);
  EXPECT_EQ(plain.hvps, 40);
}

TEST(HessianTrace, RejectsBadOptions) {
  TraceOptions o;
  o.max_probes = 0;
  EXPECT_THROW(o.validate(), UsageError);
  o = TraceOptions{};
  o.rel_se = -1.0;
  EXPECT_THROW(o.validate(), UsageError);
  o = TraceOptions{};
  o.sketch = 5;  // Hutchinson has no sketch
  EXPECT_THROW(o.validate(), UsageError);
  o.method = TraceMethod::kHutchPlusPlus;
  o.sketch = 50;  // 2·50 + 10 > 100 probes
  try {
    o.validate();
    FAIL() << "--sketch 50 with --probes 100 accepted";
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(),
                 "--sketch = 50: needs --probes >= 110 (2 HVPs per sketch column and at least 10 "
                 "probes)");
  }
  EXPECT_THROW(cli::parse_trace_method("xtrace"), UsageError);
}

}  // namespace
}  // namespace sharpscope
