#include "support/matrices.h"

#include <Eigen/QR>
#include <random>

namespace sharpscope::testing {

Eigen::MatrixXd symmetric_with_spectrum(const Eigen::VectorXd& eigenvalues, unsigned seed) {
  const Eigen::Index d = eigenvalues.size();
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  Eigen::MatrixXd g(d, d);
  for (Eigen::Index i = 0; i < d * d; ++i) g.data()[i] = normal(rng);
  const Eigen::MatrixXd q = Eigen::HouseholderQR<Eigen::MatrixXd>(g).householderQ();
  const Eigen::MatrixXd a = q * eigenvalues.asDiagonal() * q.transpose();
  return 0.5 * (a + a.transpose());
}

Eigen::VectorXd linear_spectrum(Eigen::Index d, double offset, double scale) {
  Eigen::VectorXd v(d);
  for (Eigen::Index i = 0; i < d; ++i) v[i] = offset + scale * static_cast<double>(i);
  return v;
}

}  // namespace sharpscope::testing
