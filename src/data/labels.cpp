#include "data/labels.h"

#include <torch/torch.h>

#include "sharpscope/core/error.h"

namespace sharpscope::data_detail {

void check_label_range(const std::string& path, const at::Tensor& labels, int64_t num_classes) {
  const at::Tensor bad = ((labels < 0) | (labels >= num_classes)).nonzero();
  if (bad.numel() == 0) return;
  const int64_t index = bad[0][0].item<int64_t>();
  throw InputError(path + ": label " + std::to_string(labels[index].item<int64_t>()) +
                   " of example " + std::to_string(index) + ": expected a class in [0, " +
                   std::to_string(num_classes) + ")");
}

}  // namespace sharpscope::data_detail
