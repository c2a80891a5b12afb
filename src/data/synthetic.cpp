#include "data/synthetic.h"

#include <torch/torch.h>

namespace sharpscope::data_detail {
namespace {

// SplitMix64 finalizer: decorrelates the per-split noise streams from the class-mean stream,
// which plain seed offsets would not (seed s's test split would equal seed s+1's train split).
uint64_t mix(uint64_t value) {
  value += 0x9e3779b97f4a7c15ull;
  value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9ull;
  value = (value ^ (value >> 27)) * 0x94d049bb133111ebull;
  return value ^ (value >> 31);
}

}  // namespace

Dataset make_synthetic(const std::vector<int64_t>& params, Split split) {
  const int64_t n = params[0], c = params[1], h = params[2], w = params[3], k = params[4];
  const auto seed = static_cast<uint64_t>(params[5]);
  at::Generator class_stream = at::detail::createCPUGenerator(mix(seed));
  at::Generator noise_stream =
      at::detail::createCPUGenerator(mix(mix(seed) ^ (split == Split::kTrain ? 1u : 2u)));

  const at::Tensor means = torch::randn({k, c, h, w}, class_stream, torch::kFloat);
  Dataset data;
  data.labels = torch::arange(n, torch::kLong).remainder(k);
  data.images = means.index_select(0, data.labels)
                    .add_(torch::randn({n, c, h, w}, noise_stream, torch::kFloat));
  data.num_classes = k;
  data.name = "synthetic/" + to_string(split);
  data.normalization = "none (synthetic, generated as class mean + N(0,1) noise)";
  return data;
}

}  // namespace sharpscope::data_detail
