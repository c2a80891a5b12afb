#include "sharpscope/hessian/curvature_operator.h"

#include <torch/torch.h>

#include <cstring>
#include <regex>
#include <stdexcept>

#include "sharpscope/core/error.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/params.h"

namespace sharpscope {

std::string to_string(Curvature curvature) {
  switch (curvature) {
    case Curvature::kHessian:
      return "hessian";
    case Curvature::kGgn:
      return "ggn";
    case Curvature::kEmpiricalFisher:
      return "ef";
    case Curvature::kMcFisher:
      return "mc-fisher";
  }
  return "?";
}

std::string display_name(Curvature curvature) {
  switch (curvature) {
    case Curvature::kHessian:
      return "Hessian";
    case Curvature::kGgn:
      return "GGN";
    case Curvature::kEmpiricalFisher:
      return "empirical Fisher";
    case Curvature::kMcFisher:
      return "Monte-Carlo Fisher";
  }
  return "?";
}

namespace {

std::regex compiled(const std::string& regex) {
  try {
    return std::regex(regex);
  } catch (const std::regex_error&) {
    throw UsageError("--params = '" + regex + "': not a valid regular expression");
  }
}

}  // namespace

void check_parameter_regex(const std::string& regex) { compiled(regex); }

std::vector<size_t> select_parameters(const std::vector<std::string>& names,
                                      const std::string& regex) {
  const std::regex pattern = compiled(regex);
  std::vector<size_t> selected;
  for (size_t i = 0; i < names.size(); ++i) {
    if (regex.empty() || std::regex_search(names[i], pattern)) selected.push_back(i);
  }
  if (selected.empty()) {
    throw UsageError("--params = '" + regex + "': matches none of the " +
                     std::to_string(names.size()) + " parameter names (see sharpscope info)");
  }
  return selected;
}

CurvatureOperator::CurvatureOperator(const Objective& objective, std::vector<size_t> selected)
    : objective_(objective), selected_(std::move(selected)) {
  const size_t count = objective_.model().parameters().size();
  if (selected_.empty()) throw std::invalid_argument("CurvatureOperator: empty selection");
  for (size_t j = 0; j < selected_.size(); ++j) {
    if (selected_[j] >= count || (j > 0 && selected_[j] <= selected_[j - 1])) {
      throw std::invalid_argument("CurvatureOperator: selection must be ascending indices");
    }
  }
  dimension_ = numel(pick(objective_.model().parameters()));
}

CurvatureOperator::~CurvatureOperator() = default;

ParamList CurvatureOperator::pick(const ParamList& all) const {
  ParamList out;
  out.reserve(selected_.size());
  for (size_t i : selected_) out.push_back(all[i]);
  return out;
}

std::vector<std::string> CurvatureOperator::selected_names() const {
  std::vector<std::string> out;
  for (size_t i : selected_) out.push_back(objective_.model().parameter_names()[i]);
  return out;
}

std::vector<Eigen::Index> CurvatureOperator::offsets() const {
  std::vector<Eigen::Index> out{0};
  for (const at::Tensor& t : pick(objective_.model().parameters())) {
    out.push_back(out.back() + t.numel());
  }
  return out;
}

ParamList CurvatureOperator::to_params(const double* x) const {
  const ParamList& params = objective_.model().parameters();
  // from_blob wraps the caller's memory without copying; unflatten copies into model-typed tensors.
  const at::Tensor flat = torch::from_blob(const_cast<double*>(x), {dimension_}, torch::kDouble);
  const ParamList chosen = unflatten(flat, pick(params));
  ParamList full = zeros_like(params);
  for (size_t j = 0; j < selected_.size(); ++j) full[selected_[j]] = chosen[j];
  return full;
}

ParamList CurvatureOperator::to_params(const Eigen::VectorXd& x) const {
  return to_params(x.data());
}

Eigen::VectorXd CurvatureOperator::from_params(const ParamList& p) const {
  const at::Tensor flat = flatten(pick(p)).contiguous();
  Eigen::VectorXd out(dimension_);
  std::memcpy(out.data(), flat.data_ptr<double>(), sizeof(double) * dimension_);
  return out;
}

void CurvatureOperator::perform_op(const double* x, double* y) const {
  ++products_;
  const Eigen::VectorXd mv = from_params(product(to_params(x)));
  std::memcpy(y, mv.data(), sizeof(double) * dimension_);
  if (on_product_) on_product_(products_);
}

Eigen::VectorXd CurvatureOperator::apply(const Eigen::VectorXd& v) const {
  Eigen::VectorXd out(dimension_);
  perform_op(v.data(), out.data());
  return out;
}

}  // namespace sharpscope
