#pragma once
/// Building the curvature operator a `--curvature` flag names (docs/math.md §17): the Hessian
/// (hessian/hvp_operator.h) or one of the Gauss–Newton-shaped matrices (hessian/gauss_newton.h),
/// all behind the one operator concept (hessian/curvature_operator.h), so every solver of
/// hessian/*.h runs on whichever is chosen.
#include <memory>
#include <string>
#include <vector>

#include "sharpscope/hessian/curvature_operator.h"
#include "sharpscope/hessian/gauss_newton.h"
#include "sharpscope/hessian/hvp_operator.h"

namespace sharpscope {

/// Every option of every curvature; each operator reads its own.
struct CurvatureOptions {
  Curvature curvature = Curvature::kHessian;
  /// ECMAScript regex on Model::parameter_names() (std::regex_search); empty = all.
  std::string params_regex;
  HvpMode hvp = HvpMode::kExact;  ///< Hessian only
  double fd_step = 0.0;           ///< Hessian finite differences (HvpOperatorOptions::fd_step)
  int mc_samples = 1;             ///< mc-fisher: labels drawn per example
  uint64_t seed = 0;              ///< mc-fisher: the draws' seed
  /// UsageError naming the flag: --hvp finite-difference with another curvature than the
  /// Hessian, --fd-step with another than the Hessian, --mc-samples with another than mc-fisher,
  /// a bad --fd-step or --params.
  void validate() const;
  HvpOperatorOptions hvp_options() const;
  GaussNewtonOptions gauss_newton_options() const;
};

/// The operator for options.curvature over the tensors options.params_regex selects. Cost: none,
/// except mc-fisher's label draws (one forward pass over S). UsageError as validate().
std::unique_ptr<CurvatureOperator> make_curvature_operator(const Objective& objective,
                                                           const CurvatureOptions& options);
/// The same over an explicit selection (indices into Model::parameters(), ascending).
std::unique_ptr<CurvatureOperator> make_curvature_operator(const Objective& objective,
                                                           const CurvatureOptions& options,
                                                           std::vector<size_t> selected);

}  // namespace sharpscope
