#include "sharpscope/optim/random_streams.h"

#include <torch/torch.h>

#include <cmath>

#include "sharpscope/core/random.h"

namespace sharpscope {

at::Generator stream_generator(uint64_t seed, Stream stream, int64_t index) {
  const uint64_t key = splitmix64(
      seed ^ splitmix64((static_cast<uint64_t>(stream) << 48) ^ static_cast<uint64_t>(index)));
  return at::detail::createCPUGenerator(key);
}

at::Tensor shuffle_labels(const at::Tensor& labels, double fraction, uint64_t seed) {
  at::Tensor noisy = labels.clone();
  const int64_t n = labels.numel();
  const auto count = static_cast<int64_t>(std::llround(fraction * static_cast<double>(n)));
  if (count < 2) return noisy;
  at::Generator generator = stream_generator(seed, Stream::kLabelNoise, 0);
  const at::Tensor chosen = torch::randperm(n, generator, torch::kLong).narrow(0, 0, count);
  const at::Tensor order = torch::randperm(count, generator, torch::kLong);
  noisy.index_put_({chosen}, labels.index_select(0, chosen.index_select(0, order)));
  return noisy;
}

}  // namespace sharpscope
