#pragma once
/// HDF5 layout of the Hessian analyses (docs/hessian.md). The results know nothing of HDF5; these
/// functions write them with the one H5Writer.
///
///   spectrum:  eigenvalues [n], residuals [n], iterations [n], hvps [n], seconds [n],
///              converged [n] (0/1), ends [n] ("largest"/"smallest");
///              with eigenvectors: directions/eigK (one dataset per parameter, named and shaped
///              like it, zeros outside --params) and directions/eigK_flat [Σ numel], K = 1..n in
///              the order of `eigenvalues` — readable as landscape directions `file:F.h5:eigK`.
///   trace:     trace, standard_error (scalars), probes [n], running_mean [n], running_se [n];
///              attributes method, sketch_rank, sketch_trace, sketch_hvps, stop_reason
///   density:   grid [bins], density [bins], ritz_values [runs, steps], ritz_weights [runs, steps]
///   diagonal:  diagonal/<tensor> and standard_error/<tensor> shaped like each selected tensor;
///              diagonal_flat, standard_error_flat [d]; tensors (names) [T], tensor_size [T],
///              tensor_trace, tensor_trace_se [T]; trace, trace_se (scalars)
///   layers:    groups (names) [G], group_tensors (names joined by ',') [G], eig [k], group_size,
///              trace, trace_se, dense, converged, hvps, seconds [G]; eigenvalues, residuals
///              [G, k] (NaN where a block has fewer than k)
#include <string>
#include <vector>

#include "sharpscope/core/types.h"

namespace sharpscope {

class H5Writer;
struct SpectrumResult;
struct TraceResult;
struct DensityResult;
struct DiagonalResult;
struct LayerCurvature;

void write_spectrum(H5Writer& writer, const SpectrumResult& result);

/// directions/eigK (group, one dataset per parameter) and directions/eigK_flat for K = index.
/// `vector` is full-parameter (Model::parameters() shapes), e.g. HvpOperator::to_params.
void write_eigenvector(H5Writer& writer, int index, const std::vector<std::string>& parameter_names,
                       const ParamList& vector, const std::string& description);

void write_trace(H5Writer& writer, const TraceResult& result);

void write_density(H5Writer& writer, const DensityResult& result);

/// The diagonal per selected tensor: `names`, `diagonal` and `standard_error` are the selected
/// tensors' names and the result as tensors shaped like them (CurvatureOperator::to_params, then
/// the selected entries); result.block_sums must be per tensor (one block per tensor).
void write_diagonal(H5Writer& writer, const DiagonalResult& result,
                    const std::vector<std::string>& names, const ParamList& diagonal,
                    const ParamList& standard_error);

/// The per-layer table, k eigenvalue columns.
void write_layers(H5Writer& writer, const std::vector<LayerCurvature>& layers, int k);

}  // namespace sharpscope
