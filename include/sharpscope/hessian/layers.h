#pragma once
/// Per-layer curvature (docs/math.md §18; PyHessian issue #10): for each parameter tensor or
/// module, the top eigenvalues and the trace of its diagonal block M_gg of any curvature M
/// (hessian/curvature.h), in one run. Each block is the principal sub-block operator of the one
/// operator concept over the group's tensors, so the same solvers run on it: blocks of at most
/// dense_max entries are assembled exactly (d_g products; exact eigenvalues and trace), larger
/// ones go to compute_spectrum (hessian/spectrum.h) and the shared trace estimator
/// (hessian/trace.h).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sharpscope/core/types.h"
#include "sharpscope/hessian/curvature.h"
#include "sharpscope/hessian/spectrum_result.h"
#include "sharpscope/hessian/trace.h"

namespace sharpscope {

class Objective;

enum class GroupBy {
  kTensor,  ///< one group per parameter tensor, named by the parameter ("fc1.weight")
  kModule,  ///< tensors sharing the name before the last '.' ("fc1" for fc1.weight, fc1.bias)
};
std::string to_string(GroupBy by);  ///< "tensor" | "module"

struct ParameterGroup {
  std::string name;
  std::vector<size_t> tensors;  ///< indices into Model::parameters(), ascending
  int64_t size = 0;             ///< scalars in the group
};

/// Groups the `candidates` (indices into `names`, ascending) by tensor or by module, in order of
/// first appearance. A name without '.' is its own module.
std::vector<ParameterGroup> group_parameters(const std::vector<std::string>& names,
                                             const std::vector<int64_t>& sizes,
                                             const std::vector<size_t>& candidates, GroupBy by);

struct LayerOptions {
  SpectrumOptions spectrum;  ///< k = eigenvalues per block (largest end), method, tol, max_iter
  TraceOptions trace;        ///< the trace estimator of blocks larger than dense_max
  int64_t dense_max = 256;   ///< blocks of at most this many scalars are assembled exactly
  /// UsageError naming --top / --tol / --max-iter / --probes / --dense-max.
  void validate() const;
};

/// One block's results.
struct LayerCurvature {
  ParameterGroup group;
  std::vector<std::string> tensor_names;
  std::vector<double> eigenvalues;  ///< top end, descending (at most k, at most the size)
  std::vector<double> residuals;    ///< measured ‖M_gg v − λ v‖ per eigenvalue
  double trace = 0.0;
  double trace_se = 0.0;  ///< 0 for exact (dense) blocks
  bool dense = false;     ///< assembled exactly (else Lanczos/power + trace estimator)
  bool converged = true;  ///< every requested eigenpair converged (always for dense blocks)
  int64_t hvps = 0;
  double seconds = 0.0;
};

/// Called after every product with the group index, the group's products so far and the run's.
using LayerProgress = std::function<void(size_t group, int64_t group_hvps, int64_t total_hvps)>;

/// Top eigenvalues and trace of every group's diagonal block of the curvature `options` names
/// (options.params_regex is ignored: the groups select). Cost per group g of size d_g: d_g
/// products when d_g ≤ max(dense_max, k + 1), else the spectrum's products (docs/hessian.md) plus
/// one per trace probe; each product is one product of the full curvature (a block product costs
/// a full pass over S). mc-fisher draws the same labels for every group (one seed).
std::vector<LayerCurvature> analyze_layers(const Objective& objective,
                                           const CurvatureOptions& options,
                                           const std::vector<ParameterGroup>& groups,
                                           const LayerOptions& layer_options,
                                           const LayerProgress& progress = {});

/// An upper bound on the products analyze_layers spends (progress bars).
int64_t max_layer_hvps(const std::vector<ParameterGroup>& groups, const LayerOptions& options);

}  // namespace sharpscope
