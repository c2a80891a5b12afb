#include "sharpscope/hessian/curvature.h"

#include "sharpscope/core/error.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/number_text.h"
#include "sharpscope/core/objective.h"

namespace sharpscope {

void CurvatureOptions::validate() const {
  if (curvature != Curvature::kHessian && hvp != HvpMode::kExact) {
    throw UsageError("--hvp = '" + to_string(hvp) + "': applies to --curvature hessian only (" +
                     to_string(curvature) + " products are exact)");
  }
  if (curvature != Curvature::kHessian && fd_step != 0.0) {
    throw UsageError("--fd-step = " + number_text(fd_step) +
                     ": applies to --curvature hessian --hvp finite-difference only (" +
                     to_string(curvature) + " products are exact)");
  }
  if (curvature == Curvature::kHessian) {
    hvp_options().validate();
    if (mc_samples != 1) {
      throw UsageError("--mc-samples = " + std::to_string(mc_samples) +
                       ": applies to --curvature mc-fisher only");
    }
  } else {
    gauss_newton_options().validate();
  }
}

HvpOperatorOptions CurvatureOptions::hvp_options() const {
  HvpOperatorOptions o;
  o.mode = hvp;
  o.params_regex = params_regex;
  o.fd_step = fd_step;
  return o;
}

GaussNewtonOptions CurvatureOptions::gauss_newton_options() const {
  GaussNewtonOptions o;
  o.curvature = curvature;
  o.params_regex = params_regex;
  o.mc_samples = mc_samples;
  o.seed = seed;
  return o;
}

std::unique_ptr<CurvatureOperator> make_curvature_operator(const Objective& objective,
                                                           const CurvatureOptions& options) {
  options.validate();
  return make_curvature_operator(
      objective, options,
      select_parameters(objective.model().parameter_names(), options.params_regex));
}

std::unique_ptr<CurvatureOperator> make_curvature_operator(const Objective& objective,
                                                           const CurvatureOptions& options,
                                                           std::vector<size_t> selected) {
  options.validate();
  if (options.curvature == Curvature::kHessian) {
    return std::make_unique<HvpOperator>(objective, options.hvp_options(), std::move(selected));
  }
  return std::make_unique<GaussNewtonOperator>(objective, options.gauss_newton_options(),
                                               std::move(selected));
}

}  // namespace sharpscope
