#pragma once
/// Dense symmetric test matrices with a chosen spectrum, for the operator-generic Hessian routines
/// (Spectra::DenseSymMatProd wraps them in the operator shape the HVP operator has; it keeps a
/// reference, so the matrix must be a named variable that outlives the operator).
#include <Eigen/Dense>
#include <random>

namespace sharpscope::testing {

/// Q·diag(eigenvalues)·Qᵀ with Q a Haar-random orthogonal matrix (QR of a Gaussian matrix) from
/// `seed`: the analytic oracle, whose eigenvalues are known exactly.
inline Eigen::MatrixXd symmetric_with_spectrum(const Eigen::VectorXd& eigenvalues, unsigned seed) {
  const Eigen::Index d = eigenvalues.size();
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> normal;
  Eigen::MatrixXd g(d, d);
  for (Eigen::Index i = 0; i < d * d; ++i) g.data()[i] = normal(rng);
  const Eigen::MatrixXd q = Eigen::HouseholderQR<Eigen::MatrixXd>(g).householderQ();
  const Eigen::MatrixXd a = q * eigenvalues.asDiagonal() * q.transpose();
  return 0.5 * (a + a.transpose());
}

/// Eigenvalues 1, 2, ..., d scaled and shifted: λ_i = offset + scale·i (i = 0..d−1), ascending.
inline Eigen::VectorXd linear_spectrum(Eigen::Index d, double offset, double scale) {
  Eigen::VectorXd v(d);
  for (Eigen::Index i = 0; i < d; ++i) v[i] = offset + scale * static_cast<double>(i);
  return v;
}

}  // namespace sharpscope::testing
