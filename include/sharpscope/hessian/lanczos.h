#pragma once
/// Extreme eigenpairs by implicitly restarted Lanczos (Sorensen 1992; Lehoucq & Sorensen 1996, as
/// in ARPACK) through Spectra's `SymEigsSolver`, on any symmetric operator with Spectra's shape.
#include <Spectra/SymEigsSolver.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <string>

#include "sharpscope/core/error.h"
#include "sharpscope/hessian/operator_algebra.h"
#include "sharpscope/hessian/spectrum_result.h"

namespace sharpscope {

/// Krylov subspace size ncv = min(max(2k+1, 20), d) of a k-eigenvalue Lanczos solve.
inline Eigen::Index lanczos_subspace_size(int k, Eigen::Index d) {
  return std::min<Eigen::Index>(std::max<Eigen::Index>(2 * k + 1, 20), d);
}

/// The k largest (kLargest) or smallest (kSmallest) algebraic eigenvalues of a symmetric operator,
/// with a Krylov subspace of ncv = min(max(2k+1, 20), d) vectors, started from a N(0, I) vector
/// drawn from `rng`. Each pair's residual ‖Av − λv‖ is then measured (one application each).
/// Cost: ncv + (ncv − k)·restarts applications for the solve, plus k for residuals. Throws
/// UsageError when k ≥ d (Spectra needs k < d); non-convergence within options.max_iter restarts
/// is returned as data (only the converged pairs are returned).
template <class Op>
std::vector<Eigenpair> lanczos_end(const Op& op, const SpectrumOptions& options, SpectrumEnd end,
                                   std::mt19937_64& rng, int64_t* hvps, bool* converged) {
  const auto start = std::chrono::steady_clock::now();
  const Eigen::Index d = op.rows();
  if (options.k >= d) {
    throw UsageError("--top = " + std::to_string(options.k) + ": must be < " + std::to_string(d) +
                     ", the dimension of the selected parameters");
  }
  const Eigen::Index ncv = lanczos_subspace_size(options.k, d);
  // Spectra's constructor takes OpType& but keeps and uses it as a const reference.
  Spectra::SymEigsSolver<Op> solver(const_cast<Op&>(op), options.k, ncv);
  const Eigen::VectorXd v0 = gaussian_vector(d, rng);
  solver.init(v0.data());
  const bool largest = end == SpectrumEnd::kLargest;
  const Spectra::SortRule rule =
      largest ? Spectra::SortRule::LargestAlge : Spectra::SortRule::SmallestAlge;
  // Sorting by the same rule lists the top end descending and the bottom end ascending.
  solver.compute(rule, options.max_iter, options.tol, rule);
  *converged = solver.info() == Spectra::CompInfo::Successful;
  const Eigen::VectorXd values = solver.eigenvalues();
  const Eigen::MatrixXd vectors = solver.eigenvectors();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<Eigenpair> pairs;
  for (Eigen::Index j = 0; j < values.size(); ++j) {
    Eigenpair p;
    p.value = values[j];
    p.vector = vectors.col(j);
    p.residual = residual_norm(op, p.value, p.vector);
    p.iterations = solver.num_iterations();
    p.hvps = solver.num_operations();
    p.seconds = seconds;
    p.converged = true;  // Spectra returns converged pairs only
    p.end = end;
    pairs.push_back(std::move(p));
  }
  *hvps += solver.num_operations() + values.size();
  return pairs;
}

/// Extreme eigenpairs of either or both ends by Lanczos (see lanczos_end). Cost per end as above.
template <class Op>
SpectrumResult lanczos_spectrum(const Op& op, const SpectrumOptions& options) {
  options.validate();
  const auto start = std::chrono::steady_clock::now();
  std::mt19937_64 rng(options.seed);
  SpectrumResult result;
  bool all_converged = true;
  for (SpectrumEnd end : {SpectrumEnd::kLargest, SpectrumEnd::kSmallest}) {
    if (options.which != SpectrumEnd::kBoth && options.which != end) continue;
    bool converged = false;
    for (Eigenpair& p : lanczos_end(op, options, end, rng, &result.hvps, &converged)) {
      result.pairs.push_back(std::move(p));
    }
    all_converged = all_converged && converged;
    result.requested += options.k;
  }
  result.info = all_converged ? Spectra::CompInfo::Successful : Spectra::CompInfo::NotConverging;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace sharpscope
