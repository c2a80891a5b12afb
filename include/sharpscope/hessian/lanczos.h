#pragma once
/// Extreme eigenpairs by Lanczos with full reorthogonalization that checks convergence after
/// every step (docs/math.md §6.2), on any symmetric operator with Spectra's shape. It runs on the
/// project's one Lanczos process (hessian/lanczos_process.h): after each application the Ritz
/// pairs of the basis and their residuals ‖Hy − θy‖ are known exactly, so the solve stops as soon
/// as the requested pairs meet the tolerance; a basis that fills up is thick-restarted around the
/// wanted Ritz vectors. Both ends come from one Krylov space.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "sharpscope/core/error.h"
#include "sharpscope/hessian/lanczos_process.h"
#include "sharpscope/hessian/spectrum_result.h"

namespace sharpscope {

/// Basis size B = min(max(2w + 1, 20), d) of a Lanczos solve for w wanted eigenvalues (k per
/// end, both ends count twice): the memory bound, B·d doubles. The solve stops as soon as it
/// converges, usually well before the basis is full.
inline Eigen::Index lanczos_subspace_size(int wanted, Eigen::Index d) {
  return std::min<Eigen::Index>(
      std::max<Eigen::Index>(2 * static_cast<Eigen::Index>(wanted) + 1, 20), d);
}

/// Ritz vectors a thick restart keeps for w wanted pairs in a basis of B: the wanted ones and
/// half of the rest, so every restart adds at least one new direction.
inline Eigen::Index lanczos_restart_keep(int wanted, Eigen::Index basis) {
  return std::min<Eigen::Index>(wanted + (basis - wanted) / 2, basis - 1);
}

/// A Ritz pair is accepted when its residual is at most tol·max(|θ|, ε^{2/3}) (ARPACK's and
/// Spectra's rule; the floor keeps eigenvalues near zero from demanding a residual below rounding).
inline bool lanczos_accepts(double theta, double residual, double tol) {
  static const double floor = std::pow(std::numeric_limits<double>::epsilon(), 2.0 / 3.0);
  return residual <= tol * std::max(std::abs(theta), floor);
}

/// The k largest (kLargest), smallest (kSmallest) or both sets of algebraic eigenvalues of a
/// symmetric operator, from a N(0, I) start vector drawn from std::mt19937_64(options.seed).
/// After every application it forms the Ritz pairs of the basis and stops when every requested
/// pair has residual ≤ tol·max(|θ|, ε^{2/3}); when the basis reaches lanczos_subspace_size it
/// keeps lanczos_restart_keep Ritz vectors nearest the wanted ends and goes on, at most
/// options.max_iter times. Every pair is returned with its residual ‖Hv − θv‖, computed from the
/// products the solve made (exact up to rounding; a restart adds a bound on what it discarded), and
/// its own converged flag. Cost: at most B + (B − keep)·max_iter applications, and no other; the
/// number spent is reported. Throws UsageError when k ≥ d.
template <class Op>
SpectrumResult lanczos_spectrum(const Op& op, const SpectrumOptions& options) {
  options.validate();
  const auto start = std::chrono::steady_clock::now();
  const Eigen::Index d = op.rows();
  if (options.k >= d) {
    throw UsageError("--top = " + std::to_string(options.k) + ": must be < " + std::to_string(d) +
                     ", the dimension of the selected parameters");
  }
  const bool top = options.which != SpectrumEnd::kSmallest;
  const bool bottom = options.which != SpectrumEnd::kLargest;
  const int k = options.k;
  const int wanted = k * ((top ? 1 : 0) + (bottom ? 1 : 0));
  const Eigen::Index basis = lanczos_subspace_size(wanted, d);
  const Eigen::Index keep = lanczos_restart_keep(wanted, basis);

  std::mt19937_64 rng(options.seed);
  LanczosProcess<Op> process(op, gaussian_vector(d, rng), rng);
  // Indices of the wanted Ritz values in ascending order: largest end descending, then smallest
  // end ascending (an index may appear in both when 2k exceeds the basis).
  auto wanted_indices = [&](Eigen::Index m) {
    std::vector<Eigen::Index> out;
    if (top) {
      for (Eigen::Index j = 0; j < std::min<Eigen::Index>(k, m); ++j) out.push_back(m - 1 - j);
    }
    if (bottom) {
      for (Eigen::Index j = 0; j < std::min<Eigen::Index>(k, m); ++j) out.push_back(j);
    }
    return out;
  };

  int restarts = 0;
  bool converged = false;
  RitzPairs ritz;
  for (;;) {
    const bool extended = process.extend();
    ritz = process.ritz();
    const Eigen::Index m = process.size();
    // Both ends need 2k distinct Ritz values before either set can be judged.
    converged = m >= std::min<Eigen::Index>(wanted, d);
    for (Eigen::Index j : wanted_indices(m)) {
      converged = converged && lanczos_accepts(ritz.values[j], ritz.residuals[j], options.tol);
    }
    if (converged || !extended || m == d) break;
    if (m == basis) {
      if (restarts == options.max_iter) break;
      // Keep the Ritz vectors nearest the wanted end(s): the top `keep`, the bottom `keep`, or
      // half of each.
      Eigen::MatrixXd kept(m, keep);
      const Eigen::Index low = top && bottom ? keep / 2 : (bottom ? keep : 0);
      for (Eigen::Index j = 0; j < low; ++j) kept.col(j) = ritz.coordinates.col(j);
      for (Eigen::Index j = low; j < keep; ++j) kept.col(j) = ritz.coordinates.col(m - keep + j);
      process.restart(kept);
      ++restarts;
    }
  }

  SpectrumResult result;
  result.hvps = process.applications();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const Eigen::Index m = process.size();
  const std::vector<Eigen::Index> indices = wanted_indices(m);
  for (size_t i = 0; i < indices.size(); ++i) {
    const Eigen::Index j = indices[i];
    Eigenpair p;
    p.value = ritz.values[j];
    p.vector = process.vector(ritz.coordinates.col(j));
    p.vector.normalize();  // unit already, up to the rounding of V·s
    p.residual = ritz.residuals[j];
    p.iterations = restarts;
    p.hvps = result.hvps;
    p.seconds = seconds;
    p.converged = lanczos_accepts(p.value, p.residual, options.tol);
    p.end = top && static_cast<int>(i) < std::min<int>(k, static_cast<int>(m))
                ? SpectrumEnd::kLargest
                : SpectrumEnd::kSmallest;
    result.pairs.push_back(std::move(p));
  }
  result.requested = wanted;
  result.info = converged ? Spectra::CompInfo::Successful : Spectra::CompInfo::NotConverging;
  result.seconds = seconds;
  return result;
}

}  // namespace sharpscope
