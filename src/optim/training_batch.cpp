#include "sharpscope/optim/training_batch.h"

#include <torch/torch.h>

#include <algorithm>

#include "sharpscope/core/distributed.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/params.h"
#include "sharpscope/core/zoo.h"

namespace sharpscope {

TrainingBatch::TrainingBatch(Model& model, at::Tensor images, at::Tensor labels,
                             double label_smoothing, BatchShare share)
    : model_(model),
      images_(std::move(images)),
      labels_(std::move(labels)),
      label_smoothing_(label_smoothing),
      share_(share),
      size_(share.ranks ? share.global_size : images_.size(0)),
      synchronized_(model.network() && batch_norm_synchronized(*model.network())) {}

LossGradient TrainingBatch::gradient(int64_t start, int64_t count) {
  model_.set_training(true);
  const bool first_visit = chunks_seen_.insert(start).second;
  ParamList saved_buffers;
  if (!first_visit) saved_buffers = clone(model_.buffers());

  LossGradient result;
  if (share_.ranks) {
    result = shared_gradient(start, count);
  } else {
    ParamList& params = model_.parameters();
    const at::Tensor logits = model_.forward(images_.narrow(0, start, count));
    const at::Tensor loss = torch::nn::functional::cross_entropy(
        logits, labels_.narrow(0, start, count),
        torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(label_smoothing_));
    const auto grads = torch::autograd::grad({loss}, params, {}, c10::nullopt, false,
                                             /*allow_unused=*/true);
    result.loss = loss.item<double>();
    result.gradient.reserve(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
      // A parameter the loss does not reach has a zero gradient, not an undefined one.
      result.gradient.push_back(grads[i].defined() ? grads[i] : torch::zeros_like(params[i]));
    }
  }

  if (!saved_buffers.empty()) {
    ParamList buffers = model_.buffers();
    assign(buffers, saved_buffers);
  }
  passes_ += static_cast<double>(count) / static_cast<double>(size_);
  return result;
}

// This rank's examples of [start, start+count): the summed loss and the gradient of sum/count,
// all-reduced, so every rank gets the chunk's mean loss and its gradient (docs/math.md §16).
LossGradient TrainingBatch::shared_gradient(int64_t start, int64_t count) {
  ParamList& params = model_.parameters();
  const int64_t held = images_.size(0);
  const int64_t first = std::max(start, share_.offset);
  const int64_t last = std::min(start + count, share_.offset + held);
  LossGradient result;
  result.gradient = zeros_like(params);
  double loss_sum = 0.0;
  // Synchronized BatchNorm layers all-reduce inside the forward pass: every rank must run it,
  // with no examples of the chunk if need be.
  if (last > first || synchronized_) {
    const int64_t local = std::clamp<int64_t>(first - share_.offset, 0, held);
    const int64_t n = std::max<int64_t>(last - first, 0);
    const at::Tensor logits = model_.forward(images_.narrow(0, local, n));
    const at::Tensor loss =
        torch::nn::functional::cross_entropy(logits, labels_.narrow(0, local, n),
                                             torch::nn::functional::CrossEntropyFuncOptions()
                                                 .reduction(torch::kSum)
                                                 .label_smoothing(label_smoothing_));
    const auto grads =
        torch::autograd::grad({loss / static_cast<double>(count)}, params, {}, c10::nullopt, false,
                              /*allow_unused=*/true);
    for (size_t i = 0; i < params.size(); ++i) {
      if (grads[i].defined()) result.gradient[i] = grads[i];
    }
    loss_sum = loss.item<double>();
  }
  all_reduce_sum(*share_.ranks, result.gradient);
  std::vector<double> sums{loss_sum};
  all_reduce_sums(*share_.ranks, sums);
  result.loss = sums[0] / static_cast<double>(count);
  return result;
}

}  // namespace sharpscope
