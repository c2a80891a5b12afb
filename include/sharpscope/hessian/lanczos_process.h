#pragma once
/// The one Lanczos process of the project (docs/math.md §6.2): an orthonormal Krylov basis built
/// one operator application at a time with full reorthogonalization, the projected matrix T and
/// an exact record of every product, so that after every step the residual ‖Ay − θy‖ of any Ritz
/// pair (θ, y) is known without another application. Thick restarts (Wu & Simon 2000) bound the
/// basis. The extreme-eigenvalue solver (hessian/lanczos.h) and stochastic Lanczos quadrature
/// (hessian/density.h) both run on it; it takes any symmetric operator with Spectra's shape.
///
/// Invariant, with V = [v₁ … v_m] (orthonormal, m = size()), f ⊥ V the unnormalized next
/// direction and e ∈ ℝᵐ its coupling:   A·V = V·C + f·eᵀ + (discarded, ‖·‖ ≤ lost)
/// C holds the Gram–Schmidt coefficients of the products actually computed, so the relation is
/// exact up to float64 rounding; T is the symmetric matrix the Ritz pairs come from (the
/// tridiagonal of C for a plain run, arrow-shaped after a restart). For a Ritz pair T s = θ s,
/// y = V s:  ‖Ay − θy‖² = ‖(C − T)s‖² + ‖f‖²(eᵀs)², up to the discarded part, which only a
/// restart creates (the part of (C − T)S that leaves the kept span: the products' asymmetry, e.g.
/// float32 rounding of an HVP) and which is added to every residual as a bound.
#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <vector>

#include "sharpscope/hessian/operator_algebra.h"

namespace sharpscope {

/// Ritz values (ascending), their coordinate vectors in the basis (columns, unit norm) and the
/// residual norms ‖Ay − θy‖ of the Ritz vectors y = V·s.
struct RitzPairs {
  Eigen::VectorXd values;
  Eigen::MatrixXd coordinates;
  Eigen::VectorXd residuals;
};

template <class Op>
class LanczosProcess {
 public:
  /// `start` is the first direction (normalized here; it must be nonzero and finite). `rng`
  /// supplies the random vectors that continue the process when the Krylov space is exhausted; it
  /// must outlive the process, like `op`.
  LanczosProcess(const Op& op, const Eigen::VectorXd& start, std::mt19937_64& rng)
      : op_(op), rng_(rng), next_(start) {
    const double n = start.norm();
    if (!(n > 0.0) || !std::isfinite(n)) {
      throw std::invalid_argument("LanczosProcess: the start vector must be nonzero and finite");
    }
  }

  /// Appends one basis vector and applies the operator to it (one application, e.g. one HVP).
  /// When β = ‖f‖ ≤ 1e-12·(largest |entry| of T so far) the Krylov space is exhausted: the new
  /// vector is a random Gaussian one orthonormalized against the basis, with coupling 0 (counted
  /// in breakdowns(), PyHessian's treatment). Returns false, applying nothing, when the basis
  /// already spans the whole space (size() == rows()).
  bool extend() {
    const Eigen::Index m = size();
    if (m == op_.rows()) return false;
    double beta = next_.norm();
    Eigen::VectorXd v;
    if (m == 0) {
      v = next_ / beta;
    } else if (beta <= 1e-12 * std::max(scale_, 1e-300)) {
      ++breakdowns_;
      lost_ += beta * coupling_.norm();  // f·eᵀ is dropped from the relation
      beta = 0.0;
      v = orthonormalized(gaussian_vector(op_.rows(), rng_), basis_);
    } else {
      v = next_ / beta;
    }
    grow(m + 1);
    if (m > 0) {
      coefficients_.row(m).head(m) = beta * coupling_.transpose();
      projected_.row(m).head(m) = beta * coupling_.transpose();
      projected_.col(m).head(m) = beta * coupling_;
    }
    basis_.push_back(std::move(v));
    Eigen::VectorXd w = apply(op_, basis_.back());
    ++applications_;
    // Gram–Schmidt keeping every coefficient: w = Σ cᵢ vᵢ + f exactly, with f the remainder. The
    // three-term part (v_m, v_{m−1}) goes first and removes nearly all of w that lies in the basis;
    // a modified Gram–Schmidt pass over the whole basis then removes what rounding left, and a
    // second pass runs only when that pass cancelled much of w (‖w‖ fell below ‖w_before‖/√2, the
    // criterion of Daniel, Gragg, Kaufman & Stewart 1976, which bounds the loss of orthogonality
    // by √2 ε). Reading the basis is what a step costs besides its product (2 passes over m
    // vectors of d float64 each): one full pass instead of "twice is enough"'s two halves it.
    Eigen::VectorXd c = Eigen::VectorXd::Zero(m + 1);
    const auto project_out = [&](Eigen::Index i) {
      const double ci = basis_[i].dot(w);
      w -= ci * basis_[i];
      c[i] += ci;
    };
    for (Eigen::Index i = std::max<Eigen::Index>(m - 1, 0); i <= m; ++i) project_out(i);
    for (int pass = 0; pass < 2; ++pass) {
      const double before = w.norm();
      for (Eigen::Index i = 0; i <= m; ++i) project_out(i);
      if (w.norm() >= before / std::sqrt(2.0)) break;
    }
    coefficients_.col(m) = c;
    projected_(m, m) = c[m];
    scale_ = std::max({scale_, std::abs(c[m]), beta});
    next_ = std::move(w);
    coupling_ = Eigen::VectorXd::Unit(m + 1, m);
    return true;
  }

  /// The Ritz pairs of the current basis with their residuals (see the invariant above). Cost:
  /// an m×m symmetric eigendecomposition, no application.
  RitzPairs ritz() const {
    RitzPairs out;
    if (size() == 0) return out;
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(projected_);
    out.values = solver.eigenvalues();
    out.coordinates = solver.eigenvectors();
    const Eigen::MatrixXd asymmetric = (coefficients_ - projected_) * out.coordinates;
    const Eigen::VectorXd tail = out.coordinates.transpose() * coupling_;
    const double f2 = next_.squaredNorm();
    out.residuals.resize(size());
    for (Eigen::Index j = 0; j < size(); ++j) {
      out.residuals[j] =
          std::sqrt(asymmetric.col(j).squaredNorm() + f2 * tail[j] * tail[j]) + lost_;
    }
    return out;
  }

  /// y = V·s for coordinates s (length size()). Cost: m·d, no application.
  Eigen::VectorXd vector(const Eigen::VectorXd& coordinates) const {
    Eigen::VectorXd y = Eigen::VectorXd::Zero(op_.rows());
    for (Eigen::Index i = 0; i < size(); ++i) y += coordinates[i] * basis_[i];
    return y;
  }

  /// Thick restart: keeps span(V·S) for `keep` = S (m×p, orthonormal columns, e.g. Ritz
  /// coordinates) and the next direction f. T becomes SᵀTS (diagonal for Ritz vectors), C becomes
  /// SᵀCS, e becomes Sᵀe; the part of C·S outside span(S) is discarded and its norm added to the
  /// residual bound. Cost: p·m·d, no application.
  void restart(const Eigen::MatrixXd& keep) {
    const Eigen::Index p = keep.cols();
    std::vector<Eigen::VectorXd> kept;
    kept.reserve(p);
    for (Eigen::Index j = 0; j < p; ++j) kept.push_back(vector(keep.col(j)));
    const Eigen::MatrixXd cs = coefficients_ * keep;
    // What of C·S leaves span(S): (C − T)·S's share for Ritz coordinates, where T·S = S·Θ.
    const Eigen::MatrixXd discarded = cs - keep * (keep.transpose() * cs);
    lost_ += discarded.norm();  // Frobenius ≥ spectral norm: a bound for every unit s
    const Eigen::MatrixXd t = keep.transpose() * (projected_ * keep);
    projected_ = 0.5 * (t + t.transpose());
    coefficients_ = keep.transpose() * cs;
    coupling_ = keep.transpose() * coupling_;
    basis_ = std::move(kept);
  }

  /// Diagonal α (length m) and off-diagonal β (length m − 1) of T, which is tridiagonal as long as
  /// the process has not been restarted (a β of 0 marks a breakdown).
  void tridiagonal(Eigen::VectorXd& alpha, Eigen::VectorXd& beta) const {
    alpha = projected_.diagonal();
    beta = size() > 1 ? Eigen::VectorXd(projected_.diagonal(-1)) : Eigen::VectorXd();
  }

  Eigen::Index size() const { return static_cast<Eigen::Index>(basis_.size()); }
  const Eigen::MatrixXd& projected() const { return projected_; }
  int64_t applications() const { return applications_; }
  int64_t breakdowns() const { return breakdowns_; }
  /// The residual bound added by restarts and breakdowns so far (0 for a plain run).
  double discarded() const { return lost_; }

 private:
  void grow(Eigen::Index m) {
    coefficients_.conservativeResize(m, m);
    projected_.conservativeResize(m, m);
    coefficients_.row(m - 1).setZero();
    coefficients_.col(m - 1).setZero();
    projected_.row(m - 1).setZero();
    projected_.col(m - 1).setZero();
  }

  const Op& op_;
  std::mt19937_64& rng_;
  std::vector<Eigen::VectorXd> basis_;
  Eigen::MatrixXd coefficients_;  // C
  Eigen::MatrixXd projected_;     // T
  Eigen::VectorXd next_;          // f
  Eigen::VectorXd coupling_;      // e
  double scale_ = 0.0;            // largest |entry| of T so far, to judge when β is zero
  double lost_ = 0.0;
  int64_t applications_ = 0;
  int64_t breakdowns_ = 0;
};

}  // namespace sharpscope
