#include "sharpscope/optim/training_step.h"

#include <torch/torch.h>

#include <algorithm>

#include "sharpscope/core/model.h"
#include "sharpscope/optim/base_optimizer.h"
#include "sharpscope/optim/random_streams.h"
#include "sharpscope/optim/training_batch.h"

namespace sharpscope {

BatchOrder::BatchOrder(const Dataset& data, int64_t batch_size, uint64_t seed, bool augment)
    : data_(data),
      batch_size_(batch_size),
      seed_(seed),
      augment_(augment),
      steps_per_epoch_((data.size() + batch_size - 1) / batch_size) {}

std::pair<at::Tensor, at::Tensor> BatchOrder::batch(int64_t step) {
  const int64_t n = data_.size();
  const int64_t epoch = step / steps_per_epoch_;
  if (epoch != permutation_epoch_) {
    at::Generator shuffle = stream_generator(seed_, Stream::kShuffle, epoch);
    permutation_ = torch::randperm(n, shuffle, torch::kLong);
    permutation_epoch_ = epoch;
  }
  const int64_t start = (step % steps_per_epoch_) * batch_size_;
  const at::Tensor index = permutation_.narrow(0, start, std::min(batch_size_, n - start));
  at::Tensor images = data_.images.index_select(0, index);
  if (augment_) {
    at::Generator crops = stream_generator(seed_, Stream::kAugment, step);
    images = augment_crop_flip(images, crops);
  }
  return {images, data_.labels.index_select(0, index)};
}

StepDiagnostics take_step(Model& model, const GradientRule& rule, BaseOptimizer& optimizer,
                          BatchOrder& order, int64_t step, const StepSettings& settings) {
  auto [images, labels] = order.batch(step);
  TrainingBatch batch(model, images.to(model.device(), model.dtype()), labels.to(model.device()),
                      settings.label_smoothing);
  at::Generator noise = stream_generator(settings.seed, Stream::kRule, step);
  const StepGradient g = rule.compute(model.parameters(), BatchView::whole(batch),
                                      {step, settings.total_steps, &noise});
  optimizer.step(g.gradient, settings.lr);
  return g.diagnostics;
}

}  // namespace sharpscope
