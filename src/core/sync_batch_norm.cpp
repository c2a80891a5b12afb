#include "core/sync_batch_norm.h"

#include <algorithm>

#include "sharpscope/core/distributed.h"
#include "sharpscope/core/zoo.h"

namespace sharpscope::zoo {
namespace {

// y = Σ_ranks x on every rank. Each rank's loss depends on y, so ∂L/∂x on a rank is the sum over
// ranks of their ∂L_r/∂y: the backward is the same all-reduce. Every rank runs the same layers in
// the same order (the autograd engine orders a graph's nodes by creation), so the collectives
// pair up.
struct AllReduceSum : torch::autograd::Function<AllReduceSum> {
  static at::Tensor forward(torch::autograd::AutogradContext* /*context*/, const at::Tensor& x) {
    at::Tensor sum = x.contiguous().clone();
    data_communicator().all_reduce_sum(sum);
    return sum;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* /*context*/,
                                                 torch::autograd::variable_list gradients) {
    at::Tensor sum = gradients[0].contiguous().clone();
    data_communicator().all_reduce_sum(sum);
    return {sum};
  }
};

}  // namespace

SyncableBatchNorm2dImpl::SyncableBatchNorm2dImpl(const torch::nn::BatchNormOptions& o)
    : options(o) {
  reset();
}

// As torch::nn::BatchNorm2d: weight 1, bias 0, running mean 0, running variance 1.
void SyncableBatchNorm2dImpl::reset() {
  const int64_t channels = options.num_features();
  if (options.affine()) {
    weight = register_parameter("weight", torch::ones({channels}));
    bias = register_parameter("bias", torch::zeros({channels}));
  } else {
    weight = register_parameter("weight", at::Tensor(), /*requires_grad=*/false);
    bias = register_parameter("bias", at::Tensor(), /*requires_grad=*/false);
  }
  if (options.track_running_stats()) {
    running_mean = register_buffer("running_mean", torch::zeros({channels}));
    running_var = register_buffer("running_var", torch::ones({channels}));
    num_batches_tracked = register_buffer("num_batches_tracked", torch::tensor(0, torch::kLong));
  } else {
    running_mean = register_buffer("running_mean", at::Tensor());
    running_var = register_buffer("running_var", at::Tensor());
    num_batches_tracked = register_buffer("num_batches_tracked", at::Tensor());
  }
}

void SyncableBatchNorm2dImpl::pretty_print(std::ostream& stream) const {
  stream << "BatchNorm2d(" << options.num_features() << ", eps=" << options.eps()
         << ", momentum=" << (options.momentum() ? std::to_string(*options.momentum()) : "None")
         << ", affine=" << options.affine()
         << ", track_running_stats=" << options.track_running_stats()
         << (synchronized ? ", synchronized" : "") << ")";
}

at::Tensor SyncableBatchNorm2dImpl::forward(const at::Tensor& input) {
  TORCH_CHECK(input.dim() == 4, "BatchNorm2d: expected a 4-D input, got ", input.dim(), "-D");
  if (synchronized && is_training() && data_communicator().size() > 1)
    return synchronized_forward(input);
  // torch::nn::BatchNorm2d's forward: the momentum, or a cumulative average without one.
  double average_factor = options.momentum().value_or(0.0);
  if (is_training() && options.track_running_stats()) {
    num_batches_tracked += 1;
    if (!options.momentum()) average_factor = 1.0 / num_batches_tracked.item<double>();
  }
  return torch::nn::functional::detail::batch_norm(input, running_mean, running_var, weight, bias,
                                                   is_training() || !options.track_running_stats(),
                                                   average_factor, options.eps());
}

at::Tensor SyncableBatchNorm2dImpl::synchronized_forward(const at::Tensor& input) {
  const int64_t channels = input.size(1);
  const std::vector<int64_t> per_channel{0, 2, 3};
  const auto as_channels = [channels](const at::Tensor& t) { return t.view({1, channels, 1, 1}); };
  // Two passes, as one rank's batch_norm: the global mean first, then the global sum of squares
  // about it (no E[x²] − E[x]² cancellation).
  const at::Tensor examples = at::full(
      {1}, static_cast<double>(input.numel() / std::max<int64_t>(channels, 1)), input.options());
  const at::Tensor sums = AllReduceSum::apply(at::cat({input.sum(per_channel), examples}));
  const at::Tensor count = sums.narrow(0, channels, 1);
  TORCH_CHECK(count.item<double>() > 1.0,
              "Expected more than 1 value per channel when training, got input size ",
              input.sizes(), " on all ranks together");
  const at::Tensor mean = sums.narrow(0, 0, channels) / count;
  const at::Tensor centered = input - as_channels(mean);
  const at::Tensor variance = AllReduceSum::apply(centered.square().sum(per_channel)) / count;
  at::Tensor output = centered * as_channels((variance + options.eps()).rsqrt());
  if (options.affine()) output = output * as_channels(weight) + as_channels(bias);
  if (options.track_running_stats()) {
    torch::NoGradGuard no_grad;
    num_batches_tracked += 1;
    const double momentum =
        options.momentum() ? *options.momentum() : 1.0 / num_batches_tracked.item<double>();
    const double n = count.item<double>();
    running_mean.mul_(1.0 - momentum).add_(mean, momentum);
    // The running variance is the unbiased one, over the global count (as batch_norm's).
    running_var.mul_(1.0 - momentum).add_(variance * (n / std::max(n - 1.0, 1.0)), momentum);
  }
  return output;
}

}  // namespace sharpscope::zoo

namespace sharpscope {

using zoo::SyncableBatchNorm2dImpl;

int64_t synchronize_batch_norm(Network& network, bool on) {
  int64_t layers = 0;
  for (const auto& module : network.modules()) {
    if (auto norm = std::dynamic_pointer_cast<SyncableBatchNorm2dImpl>(module)) {
      norm->synchronized = on;
      ++layers;
    }
  }
  return layers;
}

bool batch_norm_synchronized(Network& network) {
  for (const auto& module : network.modules()) {
    const auto norm = std::dynamic_pointer_cast<SyncableBatchNorm2dImpl>(module);
    if (norm && norm->synchronized) return true;
  }
  return false;
}

}  // namespace sharpscope
