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

class Communicator;
class Model;

/// The part of a data-parallel step's global batch one rank holds (optim/training_step.h): its
/// examples are [offset, offset + images.size(0)) of the `global_size` examples of the batch.
struct BatchShare {
  Communicator* ranks = nullptr;  ///< null: the batch is all there is (one rank)
  int64_t offset = 0;
  int64_t global_size = 0;
};

class TrainingBatch {
 public:
  /// `images` [B,C,H,W] already on the model's device and dtype, `labels` int64 [B]: the whole
  /// batch, or with `share` this rank's examples of it. The model must outlive the batch.
  TrainingBatch(Model& model, at::Tensor images, at::Tensor labels, double label_smoothing,
                BatchShare share = {});

  /// Examples in the (global) batch.
  int64_t size() const { return size_; }

  /// Mean cross-entropy over examples [start, start+count) and its gradient at the current weights,
  /// the model in train mode. Counts count/size() forward-backward passes, so an ascent on every
  /// chunk of an m-sharpness split costs as much as one on the whole batch.
  ///
  /// With a share every rank forwards its examples of the chunk (possibly none) and the summed
  /// losses and gradients are all-reduced (DDP; docs/math.md §16): each rank must call this with
  /// the same chunks in the same order, and gets the same result, equal to one rank's up to float
  /// rounding. BatchNorm then normalizes each rank's examples by their own statistics, as DDP does,
  /// unless its layers are synchronized (--sync-bn): then by the chunk's global statistics.
  ///
  /// BatchNorm running statistics are updated only by the first pass over each chunk (the one at
  /// the unperturbed weights): later passes (perturbed points) restore them, so the statistics
  /// never see perturbed weights.
  LossGradient gradient(int64_t start, int64_t count);

  /// Forward-backward passes so far, in units of the whole batch.
  double passes() const { return passes_; }

 private:
  LossGradient shared_gradient(int64_t start, int64_t count);

  Model& model_;
  at::Tensor images_, labels_;
  double label_smoothing_;
  BatchShare share_;
  int64_t size_;
  bool synchronized_;  ///< the model's BatchNorm statistics are all-reduced (--sync-bn)
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
