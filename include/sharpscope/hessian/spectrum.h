#pragma once
/// Extreme Hessian eigenvalues (science.md §6): one entry point over both solvers, for any
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

}  // namespace sharpscope
