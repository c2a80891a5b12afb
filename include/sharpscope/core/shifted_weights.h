#pragma once
/// The model's weights moved to w + a·d for a scope, without writing into them: each parameter
/// tensor is pointed at fresh storage holding w + a·d (Tensor::set_data, as `p.data = …` in Python)
/// and pointed back at its own storage on destruction. w itself is never touched, so it returns
/// bit-exactly and the caller needs no copy of it: one pass over the parameters in all, where
/// copy, shift and restore take three. Gradients at perturbed points (ascent iterates, w^p) use it.
#include "sharpscope/core/types.h"

namespace sharpscope {

class ShiftedWeights {
 public:
  /// `params` (e.g. Model::parameters()) hold w + a·d until destruction; `d` is shaped like them.
  ShiftedWeights(const ParamList& params, double a, const ParamList& d);
  ~ShiftedWeights();
  ShiftedWeights(const ShiftedWeights&) = delete;
  ShiftedWeights& operator=(const ShiftedWeights&) = delete;

 private:
  ParamList params_;    // handles to the caller's tensors
  ParamList original_;  // their own storage, held while they point elsewhere
};

}  // namespace sharpscope
