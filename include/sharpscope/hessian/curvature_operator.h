#pragma once
/// The one operator concept every curvature analysis runs on (docs/math.md §6.1, §17): a
/// matrix-free symmetric operator x ↦ M·x over the selected parameters, in Spectra's operator shape
/// (`Scalar`, `rows()`, `cols()`, const `perform_op(x, y)`), so Spectra's `SymEigsSolver` and the
/// templated routines of hessian/*.h (Lanczos, power iteration, Hutchinson, SLQ, diagonals) take
/// any curvature unchanged.
///
/// This base class holds what every curvature shares — the parameter selection, the flattening
/// between Eigen vectors and parameter lists, the product count and the progress callback — and
/// each curvature supplies only its product M·v on parameter lists:
///   HvpOperator         the Hessian H (hessian/hvp_operator.h)
///   GaussNewtonOperator the generalized Gauss–Newton G and the empirical and Monte-Carlo Fisher
///                       matrices (hessian/gauss_newton.h)
/// make_curvature_operator (hessian/curvature.h) builds the one a --curvature flag names.
///
/// Vectors are flat float64 arrays over the selected parameters, in model parameter order
/// (`params.h` flatten order restricted to the selection). With a selection the operator is the
/// principal sub-block M_SS: tensors outside S are held at zero in v and their rows are dropped
/// from M·v.
#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sharpscope/core/types.h"

namespace sharpscope {

class Objective;

/// Which curvature matrix of the mean loss L_S an operator applies (docs/math.md §17).
enum class Curvature {
  kHessian,  ///< H = ∇²L_S(w)
  kGgn,      ///< generalized Gauss–Newton G = (1/n) Σ Jᵢᵀ Λᵢ Jᵢ, Λᵢ = ∇²_z ℓᵢ
  kEmpiricalFisher,  ///< (1/n) Σ gᵢ gᵢᵀ, gᵢ = ∇ℓᵢ(w) with the data's labels
  kMcFisher,  ///< (1/(nM)) Σᵢ Σₘ ĝᵢₘ ĝᵢₘᵀ, labels ŷᵢₘ sampled from the model
};
std::string to_string(Curvature curvature);  ///< "hessian" | "ggn" | "ef" | "mc-fisher"
/// A short human name: "Hessian", "GGN", "empirical Fisher", "Monte-Carlo Fisher".
std::string display_name(Curvature curvature);

/// Indices (into Model::parameters(), ascending) of the tensors whose names match the ECMAScript
/// `regex` (std::regex_search); an empty regex selects all. UsageError naming --params when the
/// regex is malformed or selects nothing.
std::vector<size_t> select_parameters(const std::vector<std::string>& names,
                                      const std::string& regex);
/// The syntax check of select_parameters alone (before any model is loaded): UsageError naming
/// --params when `regex` is malformed.
void check_parameter_regex(const std::string& regex);

class CurvatureOperator {
 public:
  using Scalar = double;
  virtual ~CurvatureOperator();
  CurvatureOperator& operator=(const CurvatureOperator&) = delete;

  /// Dimension d of the selected parameter subspace.
  Eigen::Index rows() const { return dimension_; }
  Eigen::Index cols() const { return dimension_; }

  /// y ← M·x for x, y of length rows(). Cost: one product (see each curvature; for the Hessian
  /// one HVP). Counts the product and calls the progress callback. Non-finite losses give
  /// non-finite y (data, not an error).
  void perform_op(const double* x, double* y) const;

  /// M·v as an Eigen vector (convenience over perform_op).
  Eigen::VectorXd apply(const Eigen::VectorXd& v) const;

  /// Drops what a curvature keeps between products for speed (the Hessian's gradient graphs),
  /// e.g. before the weights are moved for a line or grid; a later product rebuilds it.
  virtual void release_graph() const {}

  /// Number of perform_op calls since construction (or the last reset): the cost of an analysis,
  /// in products (called HVPs in every output, whatever the curvature).
  int64_t hvp_count() const { return products_; }
  void reset_count() { products_ = 0; }
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
  /// Flat offset of each selected tensor in a vector of rows() entries, plus rows() at the end
  /// (tensor j occupies [offsets[j], offsets[j+1])).
  std::vector<Eigen::Index> offsets() const;

  const Objective& objective() const { return objective_; }
  virtual Curvature curvature() const = 0;
  /// One line for logs and outputs, e.g. "Hessian, exact HVPs" or "GGN (softmax cross-entropy)".
  virtual std::string describe() const = 0;

 protected:
  /// Binds an objective (which must outlive the operator) and the selected tensors (indices into
  /// Model::parameters(), ascending, non-empty; std::invalid_argument otherwise).
  CurvatureOperator(const Objective& objective, std::vector<size_t> selected);
  /// A concrete operator may be copied (the copy shares the objective and starts from the same
  /// count); the base alone may not (it would slice).
  CurvatureOperator(const CurvatureOperator&) = default;

  /// M·v for v shaped like all parameters (zeros outside the selection). The result is shaped like
  /// all parameters too; its entries outside the selection are ignored.
  virtual ParamList product(const ParamList& v) const = 0;

  /// The selected tensors of a full parameter list, in order.
  ParamList pick(const ParamList& all) const;

 private:
  const Objective& objective_;
  std::vector<size_t> selected_;
  Eigen::Index dimension_ = 0;
  mutable int64_t products_ = 0;
  std::function<void(int64_t)> on_product_;
};

}  // namespace sharpscope
