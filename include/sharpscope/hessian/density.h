#pragma once
/// Spectral density of the Hessian by stochastic Lanczos quadrature (SLQ; Golub & Meurant 2010
/// §7; Ghorbani, Krishnan & Xiao 2019, §2 and Eq. 5–7; PyHessian `density()` / `density_generate`).
///
/// For a random unit start vector v, m steps of Lanczos with full reorthogonalization give a
/// tridiagonal T_m = Σ_j θ_j u_j u_jᵀ; the Gauss quadrature rule {θ_j, w_j = (u_j)_1²} matches
/// vᵀ f(H) v = Σ_j w_j f(θ_j) exactly for polynomials f of degree < 2m, and E_v[vᵀ f(H) v] =
/// tr f(H)/d. Averaging over runs and replacing each θ_j by a Gaussian of variance σ² gives the
/// smoothed density φ(t) = (1/runs) Σ_runs Σ_j w_j N(t; θ_j, σ²), which integrates to 1.
#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "sharpscope/hessian/lanczos_process.h"
#include "sharpscope/hessian/operator_algebra.h"

namespace sharpscope {

enum class ProbeKind { kRademacher, kGaussian };
std::string to_string(ProbeKind kind);  ///< "rademacher" | "gaussian"

/// Defaults are PyHessian's: 1 run × 100 Lanczos steps, variance 1e-5, 10 000 bins.
struct DensityOptions {
  int runs = 1;             ///< PyHessian n_v
  int lanczos_steps = 100;  ///< PyHessian iter; capped at the dimension d
  /// Gaussian broadening variance σ², scaled as PyHessian does by max(1, θ_max − θ_min), where
  /// θ_max, θ_min are the mean over runs of each run's extreme Ritz values.
  double variance = 1e-5;
  int bins = 10000;
  /// The grid spans [min θ − pad, max θ + pad] over all Ritz values, pad = overhead + 5σ_eff
  /// (PyHessian pads by overhead = 0.01 around the run-averaged extremes; the extra 5σ keeps the
  /// tails of the outermost Gaussians, so the density's mass on the grid is 1 before normalizing).
  double overhead = 0.01;
  ProbeKind probe = ProbeKind::kRademacher;
  uint64_t seed = 0;
  /// UsageError naming --runs / --lanczos-steps / --sigma / --grid.
  void validate() const;
};

/// Row-major, so each run's row is contiguous and the array is written to HDF5 as it lies.
using RowMajorMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct DensityResult {
  RowMajorMatrix ritz_values;   ///< [runs, steps] nodes θ_j, ascending in each row
  RowMajorMatrix ritz_weights;  ///< [runs, steps] weights w_j ≥ 0, each row sums to 1
  std::vector<double> grid;     ///< [bins] evenly spaced
  std::vector<double> density;  ///< [bins] φ on the grid, normalized so Σ φ·Δt = 1
  /// Exact mass of the broadened density inside the grid's range (Gaussian CDFs): 1 up to the
  /// tails beyond the padding. The density itself is normalized by its Riemann sum, as PyHessian
  /// does; it resolves the peaks only when the grid step is below √variance.
  double mass_on_grid = 0.0;
  double variance = 0.0;   ///< σ² actually used (after PyHessian's range scaling)
  int steps = 0;           ///< Lanczos steps per run actually taken (min(requested, d))
  int64_t breakdowns = 0;  ///< Krylov spaces exhausted early (restarted from a random vector)
  int64_t hvps = 0;
  double seconds = 0.0;
  /// "SLQ 1 run × 100 steps: Ritz values in [-0.3, 120.5], mass on grid 1.0000, 100 HVPs, 3.1 s"
  std::string brief_report() const;
};

/// The Gauss quadrature nodes (ascending) and weights of one Lanczos tridiagonal matrix with
/// diagonal `alpha` [m] and off-diagonal `beta` [m−1].
void gauss_quadrature(const Eigen::VectorXd& alpha, const Eigen::VectorXd& beta,
                      Eigen::Ref<Eigen::RowVectorXd> nodes, Eigen::Ref<Eigen::RowVectorXd> weights);

/// Fills grid, density, mass_on_grid and variance of `result` from its Ritz values and weights.
void broaden(DensityResult& result, const DensityOptions& options);

/// One run of m Lanczos steps from the vector v on the project's one Lanczos process
/// (hessian/lanczos_process.h: full reorthogonalization, every new vector Gram–Schmidt-
/// orthogonalized twice against all previous ones; Ghorbani et al. Alg. 1). When the Krylov space
/// is exhausted (β_j ≈ 0) the run continues from a random vector orthogonal to it with β_j = 0, as
/// PyHessian does, so those Ritz pairs carry zero weight. Returns the tridiagonal (alpha [m],
/// beta [m−1]). Cost: m applications; memory: m·d doubles.
template <class Op>
void lanczos_tridiagonal(const Op& op, const Eigen::VectorXd& v, int m, std::mt19937_64& rng,
                         Eigen::VectorXd& alpha, Eigen::VectorXd& beta, int64_t* breakdowns) {
  LanczosProcess<Op> process(op, v, rng);
  for (int j = 0; j < m; ++j) process.extend();
  process.tridiagonal(alpha, beta);
  *breakdowns += process.breakdowns();
}

/// The SLQ spectral density of a symmetric operator. Cost: runs × min(lanczos_steps, d)
/// applications (HVPs); memory: min(lanczos_steps, d) · d doubles for the Lanczos basis.
template <class Op>
DensityResult slq_density(const Op& op, const DensityOptions& options) {
  options.validate();
  const auto start = std::chrono::steady_clock::now();
  std::mt19937_64 rng(options.seed);
  DensityResult result;
  result.steps = static_cast<int>(std::min<Eigen::Index>(options.lanczos_steps, op.rows()));
  result.ritz_values.resize(options.runs, result.steps);
  result.ritz_weights.resize(options.runs, result.steps);
  for (int r = 0; r < options.runs; ++r) {
    const Eigen::VectorXd v = options.probe == ProbeKind::kRademacher
                                  ? rademacher_vector(op.rows(), rng)
                                  : gaussian_vector(op.rows(), rng);
    Eigen::VectorXd alpha, beta;
    lanczos_tridiagonal(op, v, result.steps, rng, alpha, beta, &result.breakdowns);
    result.hvps += result.steps;
    gauss_quadrature(alpha, beta, result.ritz_values.row(r), result.ritz_weights.row(r));
  }
  broaden(result, options);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace sharpscope
