#pragma once
/// The one Hessian-vector-product operator every Hessian analysis runs on (docs/math.md §6): a
/// matrix-free symmetric operator x ↦ H·x with H = ∇²L_S(w), in Spectra's operator shape
/// (`Scalar`, `rows()`, `cols()`, const `perform_op(x, y)`), so Spectra's `SymEigsSolver` and the
/// templated routines of hessian/*.h (power iteration, Hutchinson, SLQ) all take it unchanged.
///
/// Vectors are flat float64 arrays over the selected parameters, in model parameter order
/// (`params.h` flatten order restricted to the selection). With a parameter regex the operator is
/// the principal sub-block H_SS of the Hessian: tensors outside S are held at zero in v and their
/// rows are dropped from H·v.
#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sharpscope/core/types.h"

namespace sharpscope {

class Objective;
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

class HvpOperator {
 public:
  using Scalar = double;

  /// Binds an objective (which must outlive the operator). UsageError naming --params when the
  /// regex is malformed or selects no parameter.
  explicit HvpOperator(const Objective& objective, HvpOperatorOptions options = {});

  /// Dimension d of the selected parameter subspace.
  Eigen::Index rows() const { return dimension_; }
  Eigen::Index cols() const { return dimension_; }

  /// y ← H·x for x, y of length rows(). Cost: one HVP (see HvpMode). Weights are restored
  /// bit-exactly after a finite-difference product. Non-finite losses give non-finite y (data).
  void perform_op(const double* x, double* y) const;

  /// H·v as an Eigen vector (convenience over perform_op).
  Eigen::VectorXd apply(const Eigen::VectorXd& v) const;

  /// Drops the kept gradient graphs (their memory), e.g. before the weights are moved for a line
  /// or grid; a later product rebuilds them.
  void release_graph() const;

  /// Number of perform_op calls since construction (or the last reset): the cost of an analysis.
  int64_t hvp_count() const { return hvps_; }
  void reset_count() { hvps_ = 0; }
  /// Called after every product with the count so far (progress bars).
  void on_product(std::function<void(int64_t)> callback) { on_product_ = std::move(callback); }

  /// A flat vector of the selection as a full ParamList shaped, typed and placed like the model
  /// parameters (zeros outside the selection), e.g. to save an eigenvector as a direction.
  ParamList to_params(const double* x) const;
  ParamList to_params(const Eigen::VectorXd& x) const;
  /// The selected entries of a ParamList as a flat float64 vector of length rows().
  Eigen::VectorXd from_params(const ParamList& p) const;

  /// Indices (into Model::parameters()) and names of the selected tensors.
  const std::vector<size_t>& selected() const { return selected_; }
  std::vector<std::string> selected_names() const;
  const HvpOperatorOptions& options() const { return options_; }

 private:
  ParamList product(const ParamList& v) const;
  ParamList finite_difference_product(const ParamList& v) const;

  const Objective& objective_;
  HvpOperatorOptions options_;
  std::vector<size_t> selected_;
  Eigen::Index dimension_ = 0;
  mutable std::shared_ptr<HvpGraph> graph_;  // shared: the operator stays copyable
  mutable int64_t hvps_ = 0;
  std::function<void(int64_t)> on_product_;
};

}  // namespace sharpscope
