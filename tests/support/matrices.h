#pragma once
/// Dense symmetric test matrices with a chosen spectrum, for the operator-generic Hessian routines
/// (Spectra::DenseSymMatProd wraps them in the operator shape the HVP operator has; it keeps a
/// reference, so the matrix must be a named variable that outlives the operator).
#include <Eigen/Core>

namespace sharpscope::testing {

/// Q·diag(eigenvalues)·Qᵀ with Q a Haar-random orthogonal matrix (QR of a Gaussian matrix) from
/// `seed`: the analytic oracle, whose eigenvalues are known exactly.
Eigen::MatrixXd symmetric_with_spectrum(const Eigen::VectorXd& eigenvalues, unsigned seed);

/// Eigenvalues 1, 2, ..., d scaled and shifted: λ_i = offset + scale·i (i = 0..d−1), ascending.
Eigen::VectorXd linear_spectrum(Eigen::Index d, double offset, double scale);

}  // namespace sharpscope::testing
