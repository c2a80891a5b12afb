#pragma once
/// The operator-generic Hessian routines on the dense oracle, Spectra::DenseSymMatProd<double>,
/// compiled once (dense_solvers.cpp) instead of in every test file that calls them: each of the
/// three instances costs a caller several seconds of -O3 compilation (docs/architecture.md
/// "Build time").
#include <Spectra/MatOp/DenseSymMatProd.h>

#include "sharpscope/hessian/density.h"
#include "sharpscope/hessian/spectrum.h"
#include "sharpscope/hessian/trace.h"

namespace sharpscope {

using DenseOperator = Spectra::DenseSymMatProd<double>;

extern template SpectrumResult compute_spectrum(const DenseOperator&, const SpectrumOptions&);
extern template TraceResult estimate_trace(const DenseOperator&, const TraceOptions&);
extern template DensityResult slq_density(const DenseOperator&, const DensityOptions&);

}  // namespace sharpscope
