#include "sharpscope/hessian/hvp_operator.h"

#include <torch/torch.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <regex>
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
  try {
    std::regex pattern(params_regex);
  } catch (const std::regex_error&) {
    throw UsageError("--params = '" + params_regex + "': not a valid regular expression");
  }
}

namespace {

ParamList pick(const ParamList& all, const std::vector<size_t>& indices) {
  ParamList out;
  out.reserve(indices.size());
  for (size_t i : indices) out.push_back(all[i]);
  return out;
}

}  // namespace

HvpOperator::HvpOperator(const Objective& objective, HvpOperatorOptions options)
    : objective_(objective), options_(std::move(options)) {
  options_.validate();
  const std::vector<std::string>& names = objective_.model().parameter_names();
  const std::regex pattern(options_.params_regex);
  for (size_t i = 0; i < names.size(); ++i) {
    if (options_.params_regex.empty() || std::regex_search(names[i], pattern))
      selected_.push_back(i);
  }
  if (selected_.empty()) {
    throw UsageError("--params = '" + options_.params_regex + "': matches none of the " +
                     std::to_string(names.size()) + " parameter names (see sharpscope info)");
  }
  dimension_ = numel(pick(objective_.model().parameters(), selected_));
}

std::vector<std::string> HvpOperator::selected_names() const {
  std::vector<std::string> out;
  for (size_t i : selected_) out.push_back(objective_.model().parameter_names()[i]);
  return out;
}

ParamList HvpOperator::to_params(const double* x) const {
  const ParamList& params = objective_.model().parameters();
  // from_blob wraps the caller's memory without copying; unflatten copies into model-typed tensors.
  const at::Tensor flat = torch::from_blob(const_cast<double*>(x), {dimension_}, torch::kDouble);
  const ParamList chosen = unflatten(flat, pick(params, selected_));
  ParamList full = zeros_like(params);
  for (size_t j = 0; j < selected_.size(); ++j) full[selected_[j]] = chosen[j];
  return full;
}

ParamList HvpOperator::to_params(const Eigen::VectorXd& x) const { return to_params(x.data()); }

Eigen::VectorXd HvpOperator::from_params(const ParamList& p) const {
  const at::Tensor flat = flatten(pick(p, selected_)).contiguous();
  Eigen::VectorXd out(dimension_);
  std::memcpy(out.data(), flat.data_ptr<double>(), sizeof(double) * dimension_);
  return out;
}

ParamList HvpOperator::finite_difference_product(const ParamList& v) const {
  ParamList& w = objective_.model().parameters();
  const double v_norm = norm(v);
  if (v_norm == 0.0) return zeros_like(w);
  const double epsilon = w.front().scalar_type() == torch::kDouble
                             ? std::numeric_limits<double>::epsilon()
                             : std::numeric_limits<float>::epsilon();
  const double relative = options_.fd_step > 0.0 ? options_.fd_step : std::cbrt(epsilon);
  const double h = relative * std::max(1.0, norm(pick(w, selected_))) / v_norm;
  ParamList g_plus, g_minus;
  {
    // Both evaluation points are set from the saved w, which comes back bit-exactly.
    SavedWeights saved(w);
    saved.move_to({{h, &v}});
    g_plus = objective_.gradient().gradient;
    saved.move_to({{-h, &v}});
    g_minus = objective_.gradient().gradient;
  }
  axpy(-1.0, g_minus, g_plus);
  scale(g_plus, 1.0 / (2.0 * h));
  return g_plus;
}

ParamList HvpOperator::product(const ParamList& v) const {
  if (options_.mode == HvpMode::kFiniteDifference) return finite_difference_product(v);
  if (!options_.keep_graph) return objective_.hvp(v);
  if (!graph_) graph_ = std::make_shared<HvpGraph>(objective_, options_.graph_memory);
  return graph_->product(v);
}

void HvpOperator::release_graph() const { graph_.reset(); }

void HvpOperator::perform_op(const double* x, double* y) const {
  ++hvps_;
  const Eigen::VectorXd hv = from_params(product(to_params(x)));
  std::memcpy(y, hv.data(), sizeof(double) * dimension_);
  if (on_product_) on_product_(hvps_);
}

Eigen::VectorXd HvpOperator::apply(const Eigen::VectorXd& v) const {
  Eigen::VectorXd out(dimension_);
  perform_op(v.data(), out.data());
  return out;
}

}  // namespace sharpscope
