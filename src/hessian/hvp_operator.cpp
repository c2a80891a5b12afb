#include "sharpscope/hessian/hvp_operator.h"

#include <torch/torch.h>

#include <cmath>
#include <limits>
#include <sstream>

#include "sharpscope/core/error.h"
#include "sharpscope/core/hvp_graph.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/params.h"
#include "sharpscope/core/saved_weights.h"

namespace sharpscope {

std::string to_string(HvpMode mode) {
  return mode == HvpMode::kExact ? "exact" : "finite-difference";
}

void HvpOperatorOptions::validate() const {
  if (!(fd_step >= 0.0) || !std::isfinite(fd_step)) {
    std::ostringstream text;
    text << "--fd-step = " << fd_step << ": must be >= 0 (0 = cube root of the dtype's epsilon)";
    throw UsageError(text.str());
  }
  check_parameter_regex(params_regex);
}

namespace {

const HvpOperatorOptions& validated(const HvpOperatorOptions& options) {
  options.validate();
  return options;
}

}  // namespace

HvpOperator::HvpOperator(const Objective& objective, HvpOperatorOptions options)
    : HvpOperator(
          objective, options,
          select_parameters(objective.model().parameter_names(), validated(options).params_regex)) {
}

HvpOperator::HvpOperator(const Objective& objective, HvpOperatorOptions options,
                         std::vector<size_t> selected)
    : CurvatureOperator(objective, std::move(selected)), options_(std::move(options)) {
  options_.validate();
}

std::string HvpOperator::describe() const {
  return "Hessian, " + to_string(options_.mode) + " HVPs";
}

ParamList HvpOperator::finite_difference_product(const ParamList& v) const {
  ParamList& w = objective().model().parameters();
  const double v_norm = norm(v);
  if (v_norm == 0.0) return zeros_like(w);
  const double epsilon = w.front().scalar_type() == torch::kDouble
                             ? std::numeric_limits<double>::epsilon()
                             : std::numeric_limits<float>::epsilon();
  const double relative = options_.fd_step > 0.0 ? options_.fd_step : std::cbrt(epsilon);
  const double h = relative * std::max(1.0, norm(pick(w))) / v_norm;
  ParamList g_plus, g_minus;
  {
    // Both evaluation points are set from the saved w, which comes back bit-exactly.
    SavedWeights saved(w);
    saved.move_to({{h, &v}});
    g_plus = objective().gradient().gradient;
    saved.move_to({{-h, &v}});
    g_minus = objective().gradient().gradient;
  }
  axpy(-1.0, g_minus, g_plus);
  scale(g_plus, 1.0 / (2.0 * h));
  return g_plus;
}

ParamList HvpOperator::product(const ParamList& v) const {
  if (options_.mode == HvpMode::kFiniteDifference) return finite_difference_product(v);
  if (!options_.keep_graph) return objective().hvp(v);
  if (!graph_) graph_ = std::make_shared<HvpGraph>(objective(), options_.graph_memory);
  return graph_->product(v);
}

void HvpOperator::release_graph() const { graph_.reset(); }

}  // namespace sharpscope
