#pragma once
/// A saved copy of the model's weights w from which every analysis point is set, and which is put
/// back bit-exactly when the analysis ends — normally or by an exception (docs/math.md §4).
#include <utility>
#include <vector>

#include "sharpscope/core/types.h"

namespace sharpscope {

class SavedWeights {
 public:
  /// Clones `weights` (the model's parameter tensors, which it will move in place).
  explicit SavedWeights(ParamList& weights);
  SavedWeights(const SavedWeights&) = delete;
  SavedWeights& operator=(const SavedWeights&) = delete;
  /// Restores w.
  ~SavedWeights();

  /// The saved w.
  const ParamList& base() const { return base_; }
  /// Sets the weights to w + Σ cᵢ dᵢ, computed from the saved copy (no drift across a grid).
  void move_to(const std::vector<std::pair<double, const ParamList*>>& terms);
  /// Sets the weights back to w exactly.
  void restore();
  ParamList& weights() { return weights_; }

 private:
  ParamList& weights_;
  ParamList base_;
};

}  // namespace sharpscope
