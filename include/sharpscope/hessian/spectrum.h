#pragma once
/// Extreme Hessian eigenvalues (docs/math.md §6): one entry point over both solvers, for any
/// symmetric operator with Spectra's shape (the HVP operator, or a dense matrix in tests).
#include "sharpscope/hessian/lanczos.h"
#include "sharpscope/hessian/power_iteration.h"
#include "sharpscope/hessian/spectrum_result.h"

namespace sharpscope {

/// Runs options.method at options.which. Cost in HVPs: see lanczos_spectrum / power_spectrum;
/// SpectrumResult::hvps reports what was spent.
template <class Op>
SpectrumResult compute_spectrum(const Op& op, const SpectrumOptions& options) {
  return options.method == EigenMethod::kLanczos ? lanczos_spectrum(op, options)
                                                 : power_spectrum(op, options);
}

/// An upper bound on the HVPs compute_spectrum spends on a d-dimensional operator (progress bars),
/// from the cost notes above: Lanczos B + (B − keep)·max_iter for the one solve of all wanted
/// pairs; power iteration k·(max_iter + 1) per end, plus max_iter + 1 for the shift of the
/// smallest end.
inline int64_t max_spectrum_hvps(const SpectrumOptions& o, int64_t d) {
  const int64_t ends = o.which == SpectrumEnd::kBoth ? 2 : 1;
  if (o.method == EigenMethod::kPower) {
    return ends * o.k * (o.max_iter + 1) + (o.which == SpectrumEnd::kLargest ? 0 : o.max_iter + 1);
  }
  const int wanted = static_cast<int>(ends) * o.k;
  const int64_t basis = lanczos_subspace_size(wanted, d);
  return basis + (basis - lanczos_restart_keep(wanted, basis)) * o.max_iter;
}

}  // namespace sharpscope
