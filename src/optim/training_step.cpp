#include "sharpscope/optim/training_step.h"

#include <torch/torch.h>

#include <algorithm>

#include "sharpscope/core/distributed.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/params.h"
#include "sharpscope/data/augment.h"
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

std::string to_string(SamSync sync) { return sync == SamSync::kGlobal ? "global" : "local"; }

namespace {

// kLocal: the rule on this rank's share alone; the final gradient and the diagnostics averaged
// over ranks, weighted by their shares of the batch.
StepGradient local_sharpness_step(Communicator& ranks, Model& model, const GradientRule& rule,
                                  const at::Tensor& x, const at::Tensor& y, int64_t batch_size,
                                  const StepSettings& settings, const StepContext& context) {
  StepGradient g;
  const double weight = static_cast<double>(x.size(0)) / static_cast<double>(batch_size);
  if (x.size(0) > 0) {
    TrainingBatch share(model, x, y, settings.label_smoothing);
    g = rule.compute(model.parameters(), BatchView::whole(share), context);
    scale(g.gradient, weight);
  } else {
    g.gradient = zeros_like(model.parameters());
  }
  all_reduce_sum(ranks, g.gradient);
  StepDiagnostics& d = g.diagnostics;
  std::vector<double> sums{weight * d.loss,          weight * d.perturbed_loss,
                           weight * d.gradient_norm, weight * d.ascent_gradient_norm,
                           weight * d.norm_ratio,    weight * d.alignment,
                           weight * d.passes,        d.sharpness ? weight : 0.0};
  all_reduce_sums(ranks, sums);
  d = {sums[0], sums[1], sums[2], sums[3], sums[4], sums[5], sums[6], sums[7] > 0.0};
  return g;
}

}  // namespace

StepDiagnostics take_step(Model& model, const GradientRule& rule, BaseOptimizer& optimizer,
                          BatchOrder& order, int64_t step, const StepSettings& settings) {
  auto [images, labels] = order.batch(step);
  at::Generator noise = stream_generator(settings.seed, Stream::kRule, step);
  const StepContext context{step, settings.total_steps, &noise};
  Communicator& ranks = data_communicator();
  if (ranks.size() == 1) {
    TrainingBatch batch(model, images.to(model.device(), model.dtype()), labels.to(model.device()),
                        settings.label_smoothing);
    const StepGradient g = rule.compute(model.parameters(), BatchView::whole(batch), context);
    optimizer.step(g.gradient, settings.lr);
    return g.diagnostics;
  }
  // DDP: rank 0's BatchNorm statistics everywhere, then this rank's share of the global batch.
  ParamList buffers = model.buffers();
  broadcast(ranks, buffers, 0);
  const int64_t batch_size = images.size(0);
  const Shard mine = shard_of(batch_size, ranks.rank(), ranks.size());
  const at::Tensor x = images.narrow(0, mine.start, mine.count).to(model.device(), model.dtype());
  const at::Tensor y = labels.narrow(0, mine.start, mine.count).to(model.device());
  StepGradient g;
  if (settings.sam_sync == SamSync::kGlobal) {
    TrainingBatch batch(model, x, y, settings.label_smoothing,
                        BatchShare{&ranks, mine.start, batch_size});
    g = rule.compute(model.parameters(), BatchView::whole(batch), context);
  } else {
    g = local_sharpness_step(ranks, model, rule, x, y, batch_size, settings, context);
  }
  optimizer.step(g.gradient, settings.lr);
  return g.diagnostics;
}

}  // namespace sharpscope
