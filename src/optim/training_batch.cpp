#include "sharpscope/optim/training_batch.h"

#include <torch/torch.h>

#include "sharpscope/core/model.h"
#include "sharpscope/core/params.h"

namespace sharpscope {

TrainingBatch::TrainingBatch(Model& model, at::Tensor images, at::Tensor labels,
                             double label_smoothing)
    : model_(model),
      images_(std::move(images)),
      labels_(std::move(labels)),
      label_smoothing_(label_smoothing),
      size_(images_.size(0)) {}

LossGradient TrainingBatch::gradient(int64_t start, int64_t count) {
  model_.set_training(true);
  const bool first_visit = chunks_seen_.insert(start).second;
  ParamList saved_buffers;
  if (!first_visit) saved_buffers = clone(model_.buffers());

  ParamList& params = model_.parameters();
  const at::Tensor logits = model_.forward(images_.narrow(0, start, count));
  const at::Tensor loss = torch::nn::functional::cross_entropy(
      logits, labels_.narrow(0, start, count),
      torch::nn::functional::CrossEntropyFuncOptions().label_smoothing(label_smoothing_));
  const auto grads = torch::autograd::grad({loss}, params, {}, c10::nullopt, false,
                                           /*allow_unused=*/true);
  LossGradient result{loss.item<double>(), {}};
  result.gradient.reserve(params.size());
  for (size_t i = 0; i < params.size(); ++i) {
    // A parameter the loss does not reach has a zero gradient, not an undefined one.
    result.gradient.push_back(grads[i].defined() ? grads[i] : torch::zeros_like(params[i]));
  }

  if (!saved_buffers.empty()) {
    ParamList buffers = model_.buffers();
    assign(buffers, saved_buffers);
  }
  passes_ += static_cast<double>(count) / static_cast<double>(size_);
  return result;
}

}  // namespace sharpscope
