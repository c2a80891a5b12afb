#include "sharpscope/core/saved_weights.h"

#include "sharpscope/core/params.h"

namespace sharpscope {

SavedWeights::SavedWeights(ParamList& weights) : weights_(weights), base_(clone(weights)) {}

SavedWeights::~SavedWeights() { restore(); }

void SavedWeights::move_to(const std::vector<std::pair<double, const ParamList*>>& terms) {
  set_combination(weights_, base_, terms);
}

void SavedWeights::restore() { assign(weights_, base_); }

}  // namespace sharpscope
