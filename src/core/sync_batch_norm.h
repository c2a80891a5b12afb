#pragma once
// The zoo's BatchNorm layer: torch::nn::BatchNorm2d's parameters, buffers, initialization and
// forward, whose training-mode statistics can also be synchronized over the ranks of a
// data-parallel run (`train --sync-bn`, docs/distributed.md; PyTorch's SyncBatchNorm). Its tensors
// have BatchNorm2d's names, so checkpoints do not tell the two apart. (It is not derived from
// torch::nn::BatchNorm2dImpl: Debian's LibTorch does not export the base's pretty_print, which a
// derived class's vtables need.)
#include <torch/torch.h>

namespace sharpscope::zoo {

class SyncableBatchNorm2dImpl : public torch::nn::Cloneable<SyncableBatchNorm2dImpl> {
 public:
  explicit SyncableBatchNorm2dImpl(int64_t channels)
      : SyncableBatchNorm2dImpl(torch::nn::BatchNormOptions(channels)) {}
  explicit SyncableBatchNorm2dImpl(const torch::nn::BatchNormOptions& options);

  void reset() override;
  void pretty_print(std::ostream& stream) const override;

  /// torch::nn::BatchNorm2d's forward, except in training mode when synchronized and the data
  /// communicator has more than one rank: then the batch statistics are those of the examples of
  /// all ranks together (all-reduces forward, and of the statistics' gradients backward), so the
  /// output equals one rank's BatchNorm over the whole global batch up to float rounding.
  at::Tensor forward(const at::Tensor& input);

  torch::nn::BatchNormOptions options;
  at::Tensor weight, bias, running_mean, running_var, num_batches_tracked;
  bool synchronized = false;

 private:
  at::Tensor synchronized_forward(const at::Tensor& input);
};
TORCH_MODULE(SyncableBatchNorm2d);

}  // namespace sharpscope::zoo
