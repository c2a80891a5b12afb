// Hutchinson trace on dense matrices: exact for diagonal matrices (every Rademacher probe gives
// zᵀDz = tr D), within a few standard errors otherwise.
#include "sharpscope/hessian/trace.h"

#include <Spectra/MatOp/DenseSymMatProd.h>
#include <gtest/gtest.h>

#include <cmath>

#include "sharpscope/core/error.h"
#include "support/matrices.h"

namespace sharpscope {
namespace {

using testing::linear_spectrum;
using testing::symmetric_with_spectrum;

TEST(HessianTrace, ExactForDiagonalMatrix) {
  const Eigen::MatrixXd d = linear_spectrum(25, -2.0, 0.5).asDiagonal();
  const Spectra::DenseSymMatProd<double> op(d);
  const TraceResult r = hutchinson_trace(op, TraceOptions{});
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
  const TraceResult r = hutchinson_trace(op, o);
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
  const TraceResult r = hutchinson_trace(op, o);
  EXPECT_EQ(r.stop_reason, "rel-se");
  EXPECT_GE(r.probes.size(), static_cast<size_t>(TraceOptions::kMinProbesForSe));
  EXPECT_LT(r.standard_error, 0.05 * std::abs(r.trace));
}

TEST(HessianTrace, RejectsBadOptions) {
  TraceOptions o;
  o.max_probes = 0;
  EXPECT_THROW(o.validate(), UsageError);
  o = TraceOptions{};
  o.rel_se = -1.0;
  EXPECT_THROW(o.validate(), UsageError);
}

}  // namespace
}  // namespace sharpscope
