#include "sharpscope/core/shifted_weights.h"

#include <torch/torch.h>

#include <stdexcept>

namespace sharpscope {

ShiftedWeights::ShiftedWeights(const ParamList& params, double a, const ParamList& d)
    : params_(params) {
  if (params.size() != d.size()) {
    throw std::invalid_argument("ShiftedWeights: " + std::to_string(params.size()) +
                                " parameters but " + std::to_string(d.size()) +
                                " direction tensors");
  }
  torch::NoGradGuard no_grad;
  original_.reserve(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    original_.push_back(params[i].detach());  // shares (keeps alive) the original storage
    // In w's dtype whatever d's: set_data would otherwise change the parameter's dtype.
    params_[i].set_data(at::add(original_[i], d[i].to(original_[i].options()), a));
  }
}

ShiftedWeights::~ShiftedWeights() {
  for (size_t i = 0; i < params_.size(); ++i) params_[i].set_data(original_[i]);
}

}  // namespace sharpscope
