#pragma once
/// The Hessian-vector-product operator (docs/math.md §6.1): x ↦ H·x with H = ∇²L_S(w), one of the
/// curvatures of the one operator concept (hessian/curvature_operator.h), so every solver of
/// hessian/*.h takes it unchanged. The selection, flattening, counting and progress callback are
/// the base class's; this class supplies the product.
#include <memory>
#include <string>

#include "sharpscope/hessian/curvature_operator.h"

namespace sharpscope {

class HvpGraph;

/// How H·v is computed.
enum class HvpMode {
  kExact,             ///< double backward (Pearlmutter 1994): one forward + double backward over S
  kFiniteDifference,  ///< (∇L(w+hv) − ∇L(w−hv)) / 2h: two forward + backward passes over S
};
std::string to_string(HvpMode mode);  ///< "exact" | "finite-difference"

struct HvpOperatorOptions {
  HvpMode mode = HvpMode::kExact;
  /// ECMAScript regex matched (std::regex_search) against Model::parameter_names(); empty = all.
  std::string params_regex;
  /// Relative central-difference step: h = fd_step · max(1, ‖w_S‖) / ‖v‖. Zero picks ε^{1/3} of
  /// the model dtype (6.1e-6 for float64, 4.9e-3 for float32), which balances the O(h²)
  /// truncation error against the O(ε/h) rounding error of central differences.
  double fd_step = 0.0;
  /// Exact mode: keep the first-order gradient graphs of the subset between products
  /// (core/hvp_graph.h), so each HVP is one backward instead of a forward and two backwards; the
  /// results are identical. Falls back to recomputing beyond `graph_memory` resident bytes (0 =
  /// half of the physical memory).
  bool keep_graph = true;
  int64_t graph_memory = 0;
  /// UsageError naming --params / --fd-step.
  void validate() const;
};

class HvpOperator : public CurvatureOperator {
 public:
  /// Binds an objective (which must outlive the operator). UsageError naming --params when the
  /// regex is malformed or selects no parameter.
  explicit HvpOperator(const Objective& objective, HvpOperatorOptions options = {});
  /// The same over an explicit selection (indices into Model::parameters(), ascending), e.g. one
  /// parameter tensor of a per-layer table; options.params_regex is then ignored.
  HvpOperator(const Objective& objective, HvpOperatorOptions options, std::vector<size_t> selected);

  void release_graph() const override;
  const HvpOperatorOptions& options() const { return options_; }
  Curvature curvature() const override { return Curvature::kHessian; }
  std::string describe() const override;  ///< "Hessian, exact HVPs"

 protected:
  /// Cost: one HVP (see HvpMode). Weights are restored bit-exactly after a finite difference.
  ParamList product(const ParamList& v) const override;

 private:
  ParamList finite_difference_product(const ParamList& v) const;
  HvpOperatorOptions options_;
  mutable std::shared_ptr<HvpGraph> graph_;  // shared: the operator stays copyable
};

}  // namespace sharpscope
