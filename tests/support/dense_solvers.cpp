#include "support/dense_solvers.h"

namespace sharpscope {

template SpectrumResult compute_spectrum(const DenseOperator&, const SpectrumOptions&);
template TraceResult estimate_trace(const DenseOperator&, const TraceOptions&);
template DensityResult slq_density(const DenseOperator&, const DensityOptions&);

}  // namespace sharpscope
