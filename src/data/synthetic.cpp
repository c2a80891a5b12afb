#include "data/synthetic.h"

#include <torch/torch.h>

#include "sharpscope/core/random.h"

namespace sharpscope::data_detail {

Dataset make_synthetic(const std::vector<int64_t>& params, Split split) {
  const int64_t n = params[0], c = params[1], h = params[2], w = params[3], k = params[4];
  const auto seed = static_cast<uint64_t>(params[5]);
  // Mixed seeds keep the splits' noise apart from the class means and from other seeds' splits.
  at::Generator class_stream = at::detail::createCPUGenerator(splitmix64(seed));
  at::Generator noise_stream = at::detail::createCPUGenerator(
      splitmix64(splitmix64(seed) ^ (split == Split::kTrain ? 1u : 2u)));

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
