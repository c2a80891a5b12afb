// The HVP operator on a 43-parameter float64 network, against the Hessian assembled by autograd
// (the oracle) and its dense eigendecomposition.
#include "sharpscope/hessian/hvp_operator.h"

#include <Eigen/Eigenvalues>
#include <algorithm>

#include "sharpscope/core/error.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/params.h"
#include "sharpscope/hessian/density.h"
#include "sharpscope/hessian/spectrum.h"
#include "sharpscope/hessian/trace.h"
#include "support/testing.h"
#include "support/tiny_problem.h"

namespace sharpscope {
namespace {

using testing::kFloat64Exact;

/// The contract for eigenvalues against the dense oracle.
constexpr double kEigenRelative = 1e-6;
/// Central differences with the default step ε^{1/3}·max(1, ‖w‖) in float64: truncation
/// O(h²) ≈ 4e-11·‖w‖² and round-off O(ε/h) ≈ 4e-11 per unit of gradient; 1e-5 relative to ‖Hv‖
/// leaves a wide margin.
constexpr double kFiniteDifferenceHvp = 1e-5;

Eigen::MatrixXd to_eigen(const at::Tensor& h) {
  const at::Tensor c = h.contiguous();
  // Symmetric, so row- and column-major storage coincide.
  return Eigen::Map<const Eigen::MatrixXd>(c.data_ptr<double>(), c.size(0), c.size(1));
}

// The tiny problem with its Hessian assembled densely: the oracle of these tests.
struct DenseProblem : testing::TinyProblem {
  DenseProblem() : TinyProblem(50, 1024, 5, 1) {}
  Eigen::MatrixXd hessian = to_eigen(testing::dense_hessian(model, data));
  Eigen::VectorXd eigenvalues =  // ascending
      Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(hessian, Eigen::EigenvaluesOnly).eigenvalues();
};

TEST(HessianOperator, AppliesTheAssembledHessianAndCountsHvps) {
  DenseProblem p;
  const Objective objective(p.model, p.data, {16});
  HvpOperator op(objective);
  ASSERT_EQ(op.rows(), 43);
  std::mt19937_64 rng(1);
  const Eigen::VectorXd v = gaussian_vector(43, rng);
  const Eigen::VectorXd hv = op.apply(v);
  EXPECT_LE((hv - p.hessian * v).norm(), kFloat64Exact * (p.hessian * v).norm());
  EXPECT_EQ(op.hvp_count(), 1);
  const at::Tensor v_tensor = torch::from_blob(const_cast<double*>(v.data()), {43}, torch::kDouble);
  EXPECT_TRUE(testing::tensors_near(flatten(op.to_params(v)), v_tensor, 0.0));
  EXPECT_EQ((op.from_params(op.to_params(v)) - v).norm(), 0.0);
}

TEST(HessianOperator, KeptGraphsGiveTheSameProductsAndFollowTheWeights) {
  DenseProblem p;
  const Objective objective(p.model, p.data, {16});  // 50 examples: 4 batches, the last partial
  HvpOperatorOptions keep, fresh;
  fresh.keep_graph = false;
  const HvpOperator kept(objective, keep), recomputed(objective, fresh);
  std::mt19937_64 rng(2);
  for (int i = 0; i < 3; ++i) {
    const Eigen::VectorXd v = gaussian_vector(43, rng);
    // The same operations on the same tensors, graph kept or not: bit for bit.
    EXPECT_EQ((kept.apply(v) - recomputed.apply(v)).norm(), 0.0) << i;
  }
  // Moving the weights invalidates the graphs: the product is the Hessian at the new point.
  const Eigen::VectorXd v = gaussian_vector(43, rng);
  const Eigen::VectorXd before = kept.apply(v);
  {
    torch::NoGradGuard no_grad;
    p.model.parameters()[0].add_(0.3);
  }
  const Eigen::VectorXd after = kept.apply(v);
  const Eigen::MatrixXd moved = to_eigen(testing::dense_hessian(p.model, p.data));
  EXPECT_LE((after - moved * v).norm(), kFloat64Exact * (moved * v).norm());
  EXPECT_GT((after - before).norm(), 1e-6 * before.norm());
  // A budget below the process's size falls back to recomputing, with the same numbers.
  HvpOperatorOptions tight;
  tight.graph_memory = 1;
  const HvpOperator fallback(objective, tight);
  EXPECT_EQ((fallback.apply(v) - after).norm(), 0.0);
  p.set(p.w0);
}

TEST(HessianOperator, LanczosTopAndBottomMatchDenseEigensolver) {
  DenseProblem p;
  const Objective objective(p.model, p.data, {16});
  const HvpOperator op(objective);
  SpectrumOptions o;
  o.which = SpectrumEnd::kBoth;
  o.k = 3;
  o.tol = 1e-10;
  const SpectrumResult r = compute_spectrum(op, o);
  ASSERT_EQ(r.info, Spectra::CompInfo::Successful);
  const double scale = p.eigenvalues.cwiseAbs().maxCoeff();
  for (int j = 0; j < 3; ++j) {
    const double top = p.eigenvalues[42 - j], bottom = p.eigenvalues[j];
    EXPECT_NEAR(r.pairs[j].value, top, kEigenRelative * std::abs(top)) << j;
    // Bottom eigenvalues may be ~0 (softmax shift invariance gives an exact null space), where a
    // relative error is meaningless; eigenvalue errors are measured against ‖H‖ (Weyl's bound).
    EXPECT_NEAR(r.pairs[3 + j].value, bottom, kEigenRelative * scale) << j;
    EXPECT_LE(r.pairs[j].residual, 1e-8 * scale);
  }
  EXPECT_EQ(op.hvp_count(), r.hvps);
}

TEST(HessianOperator, PowerIterationTopMatchesDenseEigensolver) {
  DenseProblem p;
  const Objective objective(p.model, p.data, {50});
  const HvpOperator op(objective);
  SpectrumOptions o;
  o.method = EigenMethod::kPower;
  o.k = 2;
  // Rayleigh quotients changing by < 1e-10 relative leave an error ≈ tol·r²/(1 − r²), r the
  // ratio of consecutive eigenvalue magnitudes; far below 1e-6 unless r > 0.99995.
  o.tol = 1e-10;
  o.max_iter = 20000;
  const SpectrumResult r = compute_spectrum(op, o);
  ASSERT_EQ(r.info, Spectra::CompInfo::Successful);
  // Power iteration finds the eigenvalues of largest magnitude.
  std::vector<double> by_magnitude(p.eigenvalues.data(), p.eigenvalues.data() + 43);
  std::sort(by_magnitude.begin(), by_magnitude.end(),
            [](double a, double b) { return std::abs(a) > std::abs(b); });
  for (int j = 0; j < 2; ++j) {
    EXPECT_NEAR(r.pairs[j].value, by_magnitude[j], kEigenRelative * std::abs(by_magnitude[j])) << j;
  }
}

TEST(HessianOperator, PowerIterationBottomMatchesDenseEigensolver) {
  DenseProblem p;
  const Objective objective(p.model, p.data, {50});
  const HvpOperator op(objective);
  SpectrumOptions o;
  o.method = EigenMethod::kPower;
  o.which = SpectrumEnd::kSmallest;
  o.k = 1;
  o.tol = 1e-12;
  o.max_iter = 20000;
  const SpectrumResult r = compute_spectrum(op, o);
  ASSERT_EQ(r.pairs.size(), 1u);
  const double scale = p.eigenvalues.cwiseAbs().maxCoeff();
  EXPECT_NEAR(r.pairs[0].value, p.eigenvalues[0], kEigenRelative * scale);
}

TEST(HessianOperator, TraceWithinFourStandardErrorsOfExactTrace) {
  DenseProblem p;
  const Objective objective(p.model, p.data, {50});
  const HvpOperator op(objective);
  TraceOptions o;
  o.tol = 0.0;
  o.max_probes = 200;
  const TraceResult r = estimate_trace(op, o);
  EXPECT_LE(std::abs(r.trace - p.hessian.trace()), 4.0 * r.standard_error);
  EXPECT_EQ(op.hvp_count(), 200);
}

TEST(HessianOperator, DensityMomentsMatchTraceMoments) {
  DenseProblem p;
  const Objective objective(p.model, p.data, {50});
  const HvpOperator op(objective);
  DensityOptions o;
  o.runs = 10;
  o.lanczos_steps = 20;
  const DensityResult r = slq_density(op, o);
  EXPECT_NEAR(r.mass_on_grid, 1.0, 1e-3);
  const Eigen::MatrixXd& h = p.hessian;
  const Eigen::MatrixXd h2 = h * h;
  // Each run's moments are exactly zᵀHz/d and zᵀH²z/d (Gauss rule exact to degree 2m − 1), so
  // the run average deviates from tr/d by sampling error only: 4 standard errors of the mean.
  auto bound = [&](const Eigen::MatrixXd& b) {
    return 4.0 *
           std::sqrt(2.0 * (b.squaredNorm() - b.diagonal().squaredNorm()) / (43.0 * 43.0) / o.runs);
  };
  const double first = (r.ritz_weights.array() * r.ritz_values.array()).rowwise().sum().mean();
  const double second =
      (r.ritz_weights.array() * r.ritz_values.array().square()).rowwise().sum().mean();
  EXPECT_NEAR(first, h.trace() / 43.0, bound(h));
  EXPECT_NEAR(second, h2.trace() / 43.0, bound(h2));
}

TEST(HessianOperator, FiniteDifferenceAgreesWithExactAndRestoresWeights) {
  Model model = testing::tiny_model(7, /*batch_norm=*/true);
  const Dataset data = testing::tiny_dataset(60);
  const Objective objective(model, data, {25});
  const ParamList before = clone(model.parameters());
  const HvpOperator exact(objective);
  HvpOperatorOptions fd_options;
  fd_options.mode = HvpMode::kFiniteDifference;
  const HvpOperator fd(objective, fd_options);
  std::mt19937_64 rng(2);
  const Eigen::VectorXd v = gaussian_vector(exact.rows(), rng);
  const Eigen::VectorXd reference = exact.apply(v);
  EXPECT_LE((fd.apply(v) - reference).norm(), kFiniteDifferenceHvp * reference.norm());
  EXPECT_TRUE(testing::params_equal(model.parameters(), before));
}

TEST(HessianOperator, ParamsRegexSelectsPrincipalSubBlock) {
  DenseProblem p;
  const Objective objective(p.model, p.data, {50});
  HvpOperatorOptions options;
  options.params_regex = "^fc2\\.";  // fc2.weight [3,5] and fc2.bias [3]: rows 25..42
  const HvpOperator op(objective, options);
  ASSERT_EQ(op.rows(), 18);
  EXPECT_EQ(op.selected_names(), (std::vector<std::string>{"fc2.weight", "fc2.bias"}));
  std::mt19937_64 rng(3);
  const Eigen::VectorXd v = gaussian_vector(18, rng);
  const Eigen::VectorXd expected = p.hessian.block(25, 25, 18, 18) * v;
  EXPECT_LE((op.apply(v) - expected).norm(), kFloat64Exact * expected.norm());
  // Tensors outside the selection are zero in the full-parameter view of a vector.
  const ParamList full = op.to_params(v);
  EXPECT_EQ(full[0].abs().max().item<double>(), 0.0);

  options.params_regex = "^conv";
  EXPECT_THROW(HvpOperator(objective, options), UsageError);
  options.params_regex = "([";
  EXPECT_THROW(HvpOperator(objective, options), UsageError);
}

TEST(HessianOperator, EigenvaluesIndependentOfBatchSize) {
  DenseProblem p;
  SpectrumOptions o;
  o.k = 3;
  o.tol = 1e-10;
  const SpectrumResult reference =
      compute_spectrum(HvpOperator(Objective(p.model, p.data, {50})), o);
  for (int64_t batch : {3, 16}) {  // 50 = 16·3 + 2: a partial last batch
    const Objective objective(p.model, p.data, {batch});
    const SpectrumResult r = compute_spectrum(HvpOperator(objective), o);
    ASSERT_EQ(r.pairs.size(), 3u);
    for (int j = 0; j < 3; ++j) {
      EXPECT_NEAR(r.pairs[j].value, reference.pairs[j].value,
                  kFloat64Exact * std::abs(reference.pairs[j].value))
          << "batch " << batch << " eigenvalue " << j;
    }
  }
}

}  // namespace
}  // namespace sharpscope
