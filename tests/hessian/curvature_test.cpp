// The Gauss–Newton and Fisher operators on tiny float64 networks, against matrices assembled
// explicitly from per-example Jacobians and per-example gradients (tests/support/testing.h), and
// every solver of hessian/*.h run on them unchanged.
#include "sharpscope/hessian/curvature.h"

#include <Eigen/Eigenvalues>
#include <cmath>

#include "sharpscope/core/error.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/params.h"
#include "sharpscope/hessian/density.h"
#include "sharpscope/hessian/diagonal.h"
#include "sharpscope/hessian/spectrum.h"
#include "sharpscope/hessian/trace.h"
#include "support/testing.h"

namespace sharpscope {
namespace {

using testing::kFloat64Exact;

Eigen::MatrixXd to_eigen(const at::Tensor& h) {
  const at::Tensor c = h.contiguous();
  // Symmetric, so row- and column-major storage coincide.
  return Eigen::Map<const Eigen::MatrixXd>(c.data_ptr<double>(), c.size(0), c.size(1));
}

Eigen::VectorXd eigenvalues_of(const Eigen::MatrixXd& m) {  // ascending
  return Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(m, Eigen::EigenvaluesOnly).eigenvalues();
}

CurvatureOptions curvature(Curvature c, int mc_samples = 1, uint64_t seed = 0) {
  CurvatureOptions o;
  o.curvature = c;
  o.mc_samples = mc_samples;
  o.seed = seed;
  return o;
}

// Relative Frobenius distance of two matrices.
double distance(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return (a - b).norm() / b.norm();
}

// A tanh network (43 parameters) on 50 examples in batches of 16: the last batch is partial, so
// every product also checks the batches' weighting (each contributes its sum / n).
struct Problem {
  explicit Problem(double smoothing = 0.0)
      : model(testing::tiny_model(5)),
        data(testing::tiny_dataset(50, 1)),
        objective(model, data, ObjectiveOptions{16, smoothing}) {}
  Model model;
  Dataset data;
  Objective objective;
};

// Float64 products accumulate a few thousand terms in a different order from the dense oracle
// (batched autograd vs. per-example Jacobians): ~1e-14 relative; kFloat64Exact = 1e-10 leaves room.
TEST(Curvature, GgnEqualsExplicitJacobianProduct) {
  Problem p;
  const auto op = make_curvature_operator(p.objective, curvature(Curvature::kGgn));
  ASSERT_EQ(op->rows(), 43);
  EXPECT_EQ(op->curvature(), Curvature::kGgn);
  const Eigen::MatrixXd oracle = to_eigen(testing::dense_ggn(p.model, p.data));
  EXPECT_LE(distance(dense_matrix(*op), oracle), kFloat64Exact);
  EXPECT_EQ(op->hvp_count(), 43);
}

TEST(Curvature, EmpiricalFisherEqualsPerExampleGradientsWithSmoothing) {
  // Smoothing changes the gradients, hence the empirical Fisher: the operator must use the
  // objective's smoothed loss.
  Problem p(0.1);
  const auto op = make_curvature_operator(p.objective, curvature(Curvature::kEmpiricalFisher));
  const Eigen::MatrixXd oracle = to_eigen(testing::dense_empirical_fisher(p.model, p.data, 0.1));
  EXPECT_LE(distance(dense_matrix(*op), oracle), kFloat64Exact);
  const Eigen::MatrixXd unsmoothed = to_eigen(testing::dense_empirical_fisher(p.model, p.data));
  EXPECT_GT(distance(unsmoothed, oracle), 1e-3);  // the smoothing is visible, not a no-op
}

TEST(Curvature, McFisherEqualsPerExampleGradientsOfTheSampledLabels) {
  Problem p;
  const auto op = make_curvature_operator(p.objective, curvature(Curvature::kMcFisher, 3, 7));
  const auto* gn = dynamic_cast<const GaussNewtonOperator*>(op.get());
  ASSERT_NE(gn, nullptr);
  const at::Tensor labels = gn->sampled_labels();
  ASSERT_EQ(labels.sizes(), (std::vector<int64_t>{50, 3}));
  EXPECT_GE(labels.min().item<int64_t>(), 0);
  EXPECT_LT(labels.max().item<int64_t>(), 3);
  const Eigen::MatrixXd oracle = to_eigen(testing::dense_mc_fisher(p.model, p.data, labels));
  EXPECT_LE(distance(dense_matrix(*op), oracle), kFloat64Exact);

  // The same seed draws the same labels whatever the batch size; another seed draws others.
  const Objective one_batch(p.model, p.data, {50});
  const GaussNewtonOperator same(one_batch,
                                 curvature(Curvature::kMcFisher, 3, 7).gauss_newton_options());
  EXPECT_TRUE(torch::equal(same.sampled_labels(), labels));
  const GaussNewtonOperator other(p.objective,
                                  curvature(Curvature::kMcFisher, 3, 8).gauss_newton_options());
  EXPECT_FALSE(torch::equal(other.sampled_labels(), labels));
}

TEST(Curvature, McFisherAveragesToTheGgn) {
  // E[(p − e_ŷ)(p − e_ŷ)ᵀ] = diag(p) − ppᵀ for ŷ ~ p, so the MC Fisher is unbiased for G. Bound:
  // each entry of Λ̂ᵢ − Λᵢ is a mean of M terms bounded by 1 in magnitude (|s_a s_b| ≤ 1), so
  // E‖Λ̂ᵢ − Λᵢ‖_F ≤ K/√M and, by the triangle inequality, E‖F̂ − G‖_F ≤ (K/√M)(1/n) Σ ‖Jᵢ‖²_F.
  // The error is a sum over n·M independent draws and concentrates at its mean, far below that
  // bound (measured: 8 % of it); asserting the bound itself leaves the margin.
  Problem p;
  const int m = 1000;  // the most --mc-samples allows
  const auto op = make_curvature_operator(p.objective, curvature(Curvature::kMcFisher, m, 3));
  const Eigen::MatrixXd g = to_eigen(testing::dense_ggn(p.model, p.data));
  const at::Tensor j = testing::logit_jacobians(p.model, p.data);
  const double jacobian_mass = j.pow(2).sum().item<double>() / static_cast<double>(p.data.size());
  const double bound = 3.0 / std::sqrt(static_cast<double>(m)) * jacobian_mass;
  const Eigen::MatrixXd f = dense_matrix(*op);
  EXPECT_LE((f - g).norm(), bound);
  // One draw per example is far from G: the previous assertion is not trivially met.
  const auto single = make_curvature_operator(p.objective, curvature(Curvature::kMcFisher, 1, 3));
  EXPECT_GT((dense_matrix(*single) - g).norm(), 4.0 * (f - g).norm());
}

TEST(Curvature, GgnEqualsHessianForAModelLinearInItsParameters) {
  // H = JᵀΛJ + Σ_k (∂ℓ/∂z_k) ∇²z_k and ∇²z = 0 for logits linear in w: the cross-entropy case
  // reduces exactly, with or without label smoothing (Λ is the same either way, §17).
  for (double smoothing : {0.0, 0.2}) {
    Model model = testing::tiny_linear_model(3);
    const Dataset data = testing::tiny_dataset(40, 2);
    const Objective objective(model, data, ObjectiveOptions{16, smoothing});
    const auto op = make_curvature_operator(objective, curvature(Curvature::kGgn));
    ASSERT_EQ(op->rows(), 15);
    const Eigen::MatrixXd hessian = to_eigen(testing::dense_hessian(model, data, smoothing));
    EXPECT_LE(distance(dense_matrix(*op), hessian), kFloat64Exact) << "smoothing " << smoothing;
  }
}

TEST(Curvature, GgnDiffersFromHessianForANonlinearNetwork) {
  // The previous test could not pass by accident: for the tanh network the second-order term is
  // there, and the Hessian has negative eigenvalues the GGN cannot have.
  Problem p;
  const Eigen::MatrixXd h = to_eigen(testing::dense_hessian(p.model, p.data));
  const Eigen::MatrixXd g = to_eigen(testing::dense_ggn(p.model, p.data));
  EXPECT_GT(distance(g, h), 1e-2);
  EXPECT_LT(eigenvalues_of(h)[0], -1e-4 * eigenvalues_of(h).maxCoeff());
}

TEST(Curvature, GgnAndBothFishersArePositiveSemiDefinite) {
  // Each is a mean of Jᵢᵀ(PSD)Jᵢ. A float64 eigensolver resolves eigenvalues to ~d·ε·‖M‖ ≈
  // 1e-14‖M‖; the tolerance 1e-10‖M‖ is far above that and far below any genuine negative
  // eigenvalue (the Hessian's is -1e-4‖H‖ or below, test above).
  Problem p(0.1);
  for (Curvature c : {Curvature::kGgn, Curvature::kEmpiricalFisher, Curvature::kMcFisher}) {
    const auto op =
        make_curvature_operator(p.objective, curvature(c, c == Curvature::kMcFisher ? 2 : 1, 1));
    const Eigen::VectorXd values = eigenvalues_of(dense_matrix(*op));
    EXPECT_GE(values[0], -kFloat64Exact * values.maxCoeff()) << to_string(c);
    SpectrumOptions o;
    o.which = SpectrumEnd::kSmallest;
    o.k = 1;
    o.tol = 1e-10;
    const SpectrumResult r = compute_spectrum(*op, o);
    ASSERT_EQ(r.pairs.size(), 1u) << to_string(c);
    EXPECT_GE(r.pairs[0].value, -1e-8 * values.maxCoeff()) << to_string(c);
  }
}

TEST(Curvature, EverySolverRunsOnTheGgnUnchanged) {
  Problem p;
  const auto op = make_curvature_operator(p.objective, curvature(Curvature::kGgn));
  const Eigen::MatrixXd g = to_eigen(testing::dense_ggn(p.model, p.data));
  const Eigen::VectorXd exact = eigenvalues_of(g);

  for (EigenMethod method : {EigenMethod::kLanczos, EigenMethod::kPower}) {
    SpectrumOptions o;
    o.method = method;
    o.k = 2;
    o.tol = 1e-12;
    o.max_iter = 20000;
    const SpectrumResult r = compute_spectrum(*op, o);
    ASSERT_EQ(r.pairs.size(), 2u);
    for (int j = 0; j < 2; ++j) {
      // The contract for eigenvalues against a dense oracle: 1e-6 relative.
      EXPECT_NEAR(r.pairs[j].value, exact[42 - j], 1e-6 * exact[42]) << to_string(method) << j;
    }
  }

  op->reset_count();
  TraceOptions t;
  t.tol = 0.0;
  t.max_probes = 200;
  const TraceResult trace = estimate_trace(*op, t);
  EXPECT_LE(std::abs(trace.trace - g.trace()), 4.0 * trace.standard_error);
  EXPECT_EQ(op->hvp_count(), 200);
  // Hutch++ with a sketch as wide as d = 43 captures the whole range of G (Q keeps rank G
  // columns, dropping the directions inside the span), so its trace is tr(QᵀGQ) up to float64
  // rounding: the probes of the rest give 0.
  t.method = TraceMethod::kHutchPlusPlus;
  t.sketch = 43;
  t.max_probes = 2 * 43 + 10;
  const TraceResult sketched = estimate_trace(*op, t);
  const int64_t rank = (exact.array() > 1e-10 * exact[42]).count();
  EXPECT_EQ(sketched.sketch_rank, rank);
  EXPECT_NEAR(sketched.trace, g.trace(), 1e-10 * g.trace());

  DensityOptions d;
  d.runs = 4;
  d.lanczos_steps = 20;
  const DensityResult density = slq_density(*op, d);
  EXPECT_NEAR(density.mass_on_grid, 1.0, 1e-3);
  // The Ritz values lie in [λ_min, λ_max] of a PSD operator (Cauchy interlacing).
  EXPECT_GE(density.ritz_values.minCoeff(), -1e-10 * exact[42]);
  EXPECT_LE(density.ritz_values.maxCoeff(), exact[42] * (1.0 + 1e-10));
}

TEST(Curvature, EmpiricalFisherTraceIsTheMeanSquaredGradientNorm) {
  Problem p;
  const auto op = make_curvature_operator(p.objective, curvature(Curvature::kEmpiricalFisher));
  const at::Tensor g = testing::per_example_gradients(p.model, p.data, p.data.labels);
  const double mean_squared_norm = g.pow(2).sum().item<double>() / 50.0;
  DiagonalOptions o;
  o.method = DiagonalMethod::kExact;
  EXPECT_NEAR(estimate_diagonal(*op, o).trace, mean_squared_norm,
              kFloat64Exact * mean_squared_norm);
}

TEST(Curvature, ParamsSelectPrincipalSubBlock) {
  Problem p;
  CurvatureOptions o = curvature(Curvature::kGgn);
  o.params_regex = "^fc2\\.";  // fc2.weight [3,5] and fc2.bias [3]: rows 25..42
  const auto op = make_curvature_operator(p.objective, o);
  ASSERT_EQ(op->rows(), 18);
  EXPECT_EQ(op->selected_names(), (std::vector<std::string>{"fc2.weight", "fc2.bias"}));
  EXPECT_EQ(op->offsets(), (std::vector<Eigen::Index>{0, 15, 18}));
  const Eigen::MatrixXd g = to_eigen(testing::dense_ggn(p.model, p.data));
  EXPECT_LE(distance(dense_matrix(*op), g.block(25, 25, 18, 18)), kFloat64Exact);
  // The explicit-selection overload builds the same block.
  const auto by_index = make_curvature_operator(p.objective, curvature(Curvature::kGgn), {2, 3});
  EXPECT_LE(distance(dense_matrix(*by_index), g.block(25, 25, 18, 18)), kFloat64Exact);
}

TEST(Curvature, BatchNormInEvalModeAndBatchSizeChangeNothing) {
  Model model = testing::tiny_model(7, /*batch_norm=*/true);
  model.set_training(false);  // the oracle runs the model as the objective does (--bn eval)
  const Dataset data = testing::tiny_dataset(30, 4);
  const Eigen::MatrixXd oracle = to_eigen(testing::dense_ggn(model, data));
  for (int64_t batch : {7, 30}) {
    const Objective objective(model, data, ObjectiveOptions{batch});
    const auto op = make_curvature_operator(objective, curvature(Curvature::kGgn));
    EXPECT_LE(distance(dense_matrix(*op), oracle), kFloat64Exact) << "batch " << batch;
  }
}

TEST(Curvature, CountsProductsAndReportsProgress) {
  Problem p;
  const auto op = make_curvature_operator(p.objective, curvature(Curvature::kEmpiricalFisher));
  int64_t last = 0;
  op->on_product([&](int64_t n) { last = n; });
  const Eigen::VectorXd v = Eigen::VectorXd::Ones(op->rows());
  op->apply(v);
  op->apply(v);
  EXPECT_EQ(op->hvp_count(), 2);
  EXPECT_EQ(last, 2);
  const ParamList weights = clone(p.model.parameters());
  EXPECT_TRUE(testing::params_equal(p.model.parameters(), weights));
}

TEST(Curvature, OptionsNameTheFlag) {
  Problem p;
  CurvatureOptions o = curvature(Curvature::kGgn);
  o.hvp = HvpMode::kFiniteDifference;
  EXPECT_THROW(o.validate(), UsageError);
  o = curvature(Curvature::kGgn, 4);
  EXPECT_THROW(o.validate(), UsageError);
  o = curvature(Curvature::kMcFisher, 0);
  EXPECT_THROW(o.validate(), UsageError);
  o = curvature(Curvature::kHessian, 2);
  EXPECT_THROW(o.validate(), UsageError);
  o = curvature(Curvature::kGgn);
  o.fd_step = 1e-4;  // a finite-difference step for exact products would be ignored
  EXPECT_THROW(o.validate(), UsageError);
  o = curvature(Curvature::kEmpiricalFisher);
  o.params_regex = "^conv";
  EXPECT_THROW(make_curvature_operator(p.objective, o), UsageError);
  GaussNewtonOptions hessian;
  hessian.curvature = Curvature::kHessian;
  EXPECT_THROW(GaussNewtonOperator(p.objective, hessian), UsageError);
}

}  // namespace
}  // namespace sharpscope
