#include "sharpscope/landscape/eigen_line.h"

#include <Eigen/Dense>

#include "sharpscope/core/params.h"
#include "support/tiny_problem.h"

namespace sharpscope {
namespace {

// Along a unit eigenvector v the loss is L(w) + t ∇L·v + ½λt² + O(t³): the central second
// difference of the line at t = ±h recovers λ (O(h²) = 1e-6 relative error at h = 1e-3), and the
// eigenvalues are the dense Hessian's largest ones.
TEST(EigenLine, CurvatureAlongEachVectorIsItsEigenvalue) {
  testing::TinyProblem p;
  const Eigen::MatrixXd hessian = [&] {
    const at::Tensor h = testing::dense_hessian(p.model, p.data).contiguous();
    return Eigen::MatrixXd(
        Eigen::Map<const Eigen::MatrixXd>(h.data_ptr<double>(), h.size(0), h.size(1)));
  }();
  const Eigen::VectorXd dense =
      Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd>(hessian).eigenvalues();
  SpectrumOptions spectrum;
  spectrum.k = 2;
  spectrum.tol = 1e-10;
  const double h = 1e-3;
  const EigenLine line = eigen_line(p.objective, spectrum, {}, {-h, 0.0, h});
  ASSERT_EQ(line.eigenvalues.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const double lambda = line.eigenvalues[i];
    EXPECT_NEAR(lambda, dense[dense.size() - 1 - static_cast<Eigen::Index>(i)],
                1e-8 * std::abs(lambda));
    const double second =
        (line.loss[3 * i] + line.loss[3 * i + 2] - 2 * line.loss[3 * i + 1]) / (h * h);
    EXPECT_NEAR(second, lambda, 1e-5 * std::abs(lambda) + 1e-7) << i;
    EXPECT_NEAR(norm(line.vectors[i]), 1.0, 1e-12);
    EXPECT_DOUBLE_EQ(line.loss[3 * i + 1], p.objective.evaluate().loss);  // t = 0 is w itself
  }
  EXPECT_TRUE(testing::params_equal(p.model.parameters(), p.w0));  // weights restored
  EXPECT_GT(line.hvps, 0);
}

}  // namespace
}  // namespace sharpscope
