#pragma once
/// Options and results of the extreme-eigenvalue solvers (hessian/lanczos.h,
/// hessian/power_iteration.h; dispatched by hessian/spectrum.h). Plain data: no solver, no I/O.
#include <Spectra/Util/CompInfo.h>

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

namespace sharpscope {

enum class EigenMethod {
  kLanczos,  ///< Lanczos, full reorthogonalization, converged after every step (hessian/lanczos.h)
  kPower,    ///< power iteration with deflation, as PyHessian `hessian.eigenvalues()`
};
std::string to_string(EigenMethod method);  ///< "lanczos" | "power"

/// Which end of the spectrum.
enum class SpectrumEnd { kLargest, kSmallest, kBoth };
std::string to_string(SpectrumEnd end);  ///< "largest" | "smallest" | "both"

struct SpectrumOptions {
  EigenMethod method = EigenMethod::kLanczos;
  SpectrumEnd which = SpectrumEnd::kLargest;
  int k = 5;  ///< eigenvalues per end
  /// Lanczos: relative residual bound (a Ritz pair is accepted when ‖Hv − θv‖ ≤ tol·|θ|, checked
  /// after every step). Power: PyHessian's rule |λ − λ_prev| / (|λ_prev| + 1e-6) < tol.
  double tol = 1e-3;
  /// Lanczos: restarts; power: HVPs per eigenvalue (PyHessian maxIter).
  int max_iter = 100;
  uint64_t seed = 0;  ///< start vectors: N(0, I) drawn from std::mt19937_64(seed)
  /// UsageError naming --top / --tol / --max-iter.
  void validate() const;
};

/// One eigenpair and what it cost. For Lanczos, all pairs from one solve share the solve's
/// iterations, HVPs and seconds; for power iteration they are the pair's own.
struct Eigenpair {
  double value = 0.0;
  /// ‖Hv − λv‖ for the unit vector below: measured with one extra HVP, not estimated.
  double residual = 0.0;
  int64_t iterations = 0;  ///< Lanczos restarts or power iterations
  int64_t hvps = 0;        ///< HVPs spent finding it (the residual HVP not included)
  double seconds = 0.0;
  bool converged = false;
  SpectrumEnd end = SpectrumEnd::kLargest;  ///< kLargest or kSmallest
  Eigen::VectorXd vector;                   ///< unit norm, length d
};

struct SpectrumResult {
  /// Largest first (descending) for the top end, then smallest first (ascending) for the bottom
  /// end.
  std::vector<Eigenpair> pairs;
  /// Successful when every requested pair converged; NotConverging otherwise (the pairs found
  /// are still reported — a Lanczos solve returns only its converged pairs).
  Spectra::CompInfo info = Spectra::CompInfo::NotComputed;
  int64_t requested = 0;  ///< k per end × ends
  int64_t hvps = 0;       ///< total, residual checks included
  double seconds = 0.0;
  /// "lanczos: 5/5 converged, λ₁ = 12.3 (residual 1e-4), 312 HVPs, 4.1 s"
  std::string brief_report(EigenMethod method) const;
};

std::string to_string(Spectra::CompInfo info);  ///< "successful", "not converging", ...

}  // namespace sharpscope
