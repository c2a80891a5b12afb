#pragma once
/// One training mini-batch as the gradient rules see it: the loss L_B and gradient ∇L_B of any
/// contiguous chunk of it at the model's current weights, in train mode, with the forward-backward
/// passes counted.
#include <cstdint>
#include <memory>
#include <set>

#include "sharpscope/ascent/ascent.h"
#include "sharpscope/core/types.h"

namespace sharpscope {

class Model;

class TrainingBatch {
 public:
  /// `images` [B,C,H,W] already on the model's device and dtype, `labels` int64 [B]. The model must
  /// outlive the batch.
  TrainingBatch(Model& model, at::Tensor images, at::Tensor labels, double label_smoothing);

  int64_t size() const { return size_; }

  /// Mean cross-entropy over examples [start, start+count) and its gradient at the current weights,
  /// the model in train mode. Counts count/size() forward-backward passes, so an ascent on every
  /// chunk of an m-sharpness split costs as much as one on the whole batch.
  ///
  /// BatchNorm running statistics are updated only by the first pass over each chunk (the one at
  /// the unperturbed weights): later passes (perturbed points) restore them, so the statistics
  /// never see perturbed weights.
  LossGradient gradient(int64_t start, int64_t count);

  /// Forward-backward passes so far, in units of the whole batch.
  double passes() const { return passes_; }

 private:
  Model& model_;
  at::Tensor images_, labels_;
  double label_smoothing_;
  int64_t size_;
  double passes_ = 0.0;
  std::set<int64_t> chunks_seen_;
};

/// A contiguous chunk of a TrainingBatch (the whole batch unless m-sharpness splits it).
struct BatchView {
  TrainingBatch* batch;
  int64_t start;
  int64_t count;
  LossGradient gradient() const { return batch->gradient(start, count); }
  GradientOracle oracle() const {
    return [view = *this] { return view.gradient(); };
  }
  static BatchView whole(TrainingBatch& batch) { return {&batch, 0, batch.size()}; }
};

}  // namespace sharpscope
