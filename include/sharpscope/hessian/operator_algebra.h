#pragma once
/// Small pieces shared by the Hessian routines, written against Spectra's operator shape so they
/// take the HVP operator and a dense test matrix alike: applying an operator, shifting it, random
/// probe vectors, Gram–Schmidt and residual norms.
#include <Eigen/Core>
#include <cstdint>
#include <random>
#include <vector>

namespace sharpscope {

/// y = A·x for any operator with `perform_op`. Cost: one operator application (one HVP).
template <class Op>
Eigen::VectorXd apply(const Op& op, const Eigen::VectorXd& x) {
  Eigen::VectorXd y(op.rows());
  op.perform_op(x.data(), y.data());
  return y;
}

/// The operator A − σI, e.g. to turn the smallest eigenvalue into the one of largest magnitude for
/// power iteration. Counts nothing itself: each application is one application of A.
template <class Op>
class ShiftedOperator {
 public:
  using Scalar = double;
  ShiftedOperator(const Op& op, double shift) : op_(op), shift_(shift) {}
  Eigen::Index rows() const { return op_.rows(); }
  Eigen::Index cols() const { return op_.cols(); }
  void perform_op(const double* x, double* y) const {
    op_.perform_op(x, y);
    Eigen::Map<Eigen::VectorXd>(y, rows()) -= shift_ * Eigen::Map<const Eigen::VectorXd>(x, rows());
  }

 private:
  const Op& op_;
  double shift_;
};

/// Independent N(0, 1) entries from `rng`.
inline Eigen::VectorXd gaussian_vector(Eigen::Index n, std::mt19937_64& rng) {
  std::normal_distribution<double> normal(0.0, 1.0);
  Eigen::VectorXd v(n);
  for (Eigen::Index i = 0; i < n; ++i) v[i] = normal(rng);
  return v;
}

/// Independent ±1 entries with equal probability (Rademacher), from `rng`.
inline Eigen::VectorXd rademacher_vector(Eigen::Index n, std::mt19937_64& rng) {
  Eigen::VectorXd v(n);
  for (Eigen::Index i = 0; i < n; ++i) v[i] = (rng() >> 63) ? 1.0 : -1.0;
  return v;
}

/// Removes from v its components along the (orthonormal) vectors of `basis`, then normalizes:
/// PyHessian's `orthnormal` (classical Gram–Schmidt). A second pass keeps orthogonality at machine
/// precision when v is nearly in span(basis) ("twice is enough", Giraud et al. 2005).
inline Eigen::VectorXd orthonormalized(Eigen::VectorXd v,
                                       const std::vector<Eigen::VectorXd>& basis) {
  for (int pass = 0; pass < 2; ++pass) {
    for (const Eigen::VectorXd& b : basis) v -= b.dot(v) * b;
  }
  const double n = v.norm();
  return n > 0.0 ? Eigen::VectorXd(v / n) : v;
}

/// ‖A·v − λ·v‖ for a unit vector v. Cost: one operator application.
template <class Op>
double residual_norm(const Op& op, double lambda, const Eigen::VectorXd& v) {
  return (apply(op, v) - lambda * v).norm();
}

}  // namespace sharpscope
