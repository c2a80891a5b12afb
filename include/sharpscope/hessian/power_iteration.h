#pragma once
/// Extreme eigenpairs by power iteration with deflation, step for step as PyHessian
/// (Yao et al. 2020, `pyhessian/hessian.py: eigenvalues()`), on any symmetric operator with
/// Spectra's shape. For each eigenvalue in turn:
///   v ~ N(0, I), v ← v/‖v‖;  repeat up to max_iter times:
///     v ← orthonormalize(v, previously found vectors)   (Gram–Schmidt deflation)
///     λ' = ⟨Hv, v⟩;  v ← Hv/‖Hv‖
///     stop when |λ − λ'| / (|λ| + 1e-6) < tol, else λ ← λ'
/// and report λ (the estimate before the last one, as PyHessian does) with v. Two deliberate
/// differences: vectors are normalized exactly (PyHessian divides by ‖v‖ + 1e-6, which biases λ by
/// about 2e-6/‖v‖ relative) and Gram–Schmidt runs twice (see operator_algebra.h).
///
/// Power iteration converges to the eigenvalue of largest *magnitude*, so the "largest" end is the
/// largest in magnitude, as in PyHessian; for a Hessian whose negative curvature dominates it is
/// negative. The smallest end is found on the shifted operator H − σI with σ = |λ₁| (λ₁ the
/// first eigenvalue of largest magnitude, computed first if not asked for): all its eigenvalues
/// lie in [λ_min − σ, 0], so its dominant one is λ_min − σ. The stopping rule then applies to the
/// shifted values λ − σ. Convergence is geometric with ratio |λ₂ − σ|/|λ₁ − σ| (PyHessian's rate
/// for the top end is |λ₂|/|λ₁|), usually slow at the bottom end: Lanczos is the better tool there.
#include <chrono>
#include <cmath>
#include <random>

#include "sharpscope/core/error.h"
#include "sharpscope/hessian/operator_algebra.h"
#include "sharpscope/hessian/spectrum_result.h"

namespace sharpscope {

/// One power-iteration eigenpair of `op` orthogonal to `found` (unit vectors). `residual` is left
/// for the caller, who knows which operator it refers to. Cost: at most options.max_iter
/// applications of `op`.
template <class Op>
Eigenpair power_pair(const Op& op, const SpectrumOptions& options,
                     const std::vector<Eigen::VectorXd>& found, std::mt19937_64& rng) {
  const auto start = std::chrono::steady_clock::now();
  Eigenpair pair;
  Eigen::VectorXd v = gaussian_vector(op.rows(), rng);
  v.normalize();
  bool first = true;
  for (int i = 0; i < options.max_iter; ++i) {
    v = orthonormalized(v, found);
    const Eigen::VectorXd hv = apply(op, v);
    ++pair.iterations;
    const double estimate = hv.dot(v);
    const double hv_norm = hv.norm();
    if (hv_norm == 0.0) {  // v spans a null direction: an exact eigenpair with λ = 0
      pair.value = 0.0;
      pair.converged = true;
      break;
    }
    v = hv / hv_norm;
    if (first) {
      pair.value = estimate;
      first = false;
    } else if (std::abs(pair.value - estimate) / (std::abs(pair.value) + 1e-6) < options.tol) {
      pair.converged = true;
      break;
    } else {
      pair.value = estimate;
    }
  }
  pair.vector = v;
  pair.hvps = pair.iterations;
  pair.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return pair;
}

/// The k eigenpairs at either or both ends by power iteration with deflation (see above).
/// Cost: at most k·max_iter HVPs per end (+ max_iter for the shift when only the smallest end is
/// asked for), plus one HVP per pair for its residual. Throws UsageError when k > d.
template <class Op>
SpectrumResult power_spectrum(const Op& op, const SpectrumOptions& options) {
  options.validate();
  if (options.k > op.rows()) {
    throw UsageError("--top = " + std::to_string(options.k) + ": must be <= " +
                     std::to_string(op.rows()) + ", the dimension of the selected parameters");
  }
  const auto start = std::chrono::steady_clock::now();
  std::mt19937_64 rng(options.seed);
  SpectrumResult result;
  bool all_converged = true;
  auto finish_pair = [&](Eigenpair pair, SpectrumEnd end) {
    pair.end = end;
    pair.residual = residual_norm(op, pair.value, pair.vector);
    result.hvps += pair.hvps + 1;
    all_converged = all_converged && pair.converged;
    result.pairs.push_back(std::move(pair));
  };

  std::vector<Eigen::VectorXd> top;
  double dominant = 0.0;  // λ₁, the eigenvalue of largest magnitude
  if (options.which != SpectrumEnd::kSmallest) {
    for (int j = 0; j < options.k; ++j) {
      Eigenpair pair = power_pair(op, options, top, rng);
      top.push_back(pair.vector);
      if (j == 0) dominant = pair.value;
      finish_pair(std::move(pair), SpectrumEnd::kLargest);
    }
    result.requested += options.k;
  } else {
    const Eigenpair first = power_pair(op, options, {}, rng);
    dominant = first.value;
    result.hvps += first.hvps;
    all_converged = all_converged && first.converged;
  }

  if (options.which != SpectrumEnd::kLargest) {
    const double shift = std::abs(dominant);
    const ShiftedOperator<Op> shifted(op, shift);
    std::vector<Eigen::VectorXd> bottom;
    for (int j = 0; j < options.k; ++j) {
      Eigenpair pair = power_pair(shifted, options, bottom, rng);
      pair.value += shift;
      bottom.push_back(pair.vector);
      finish_pair(std::move(pair), SpectrumEnd::kSmallest);
    }
    result.requested += options.k;
  }
  result.info = all_converged ? Spectra::CompInfo::Successful : Spectra::CompInfo::NotConverging;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace sharpscope
