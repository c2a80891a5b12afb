#include "sharpscope/data/neighbouring_set.h"

#include <torch/torch.h>

#include "sharpscope/core/error.h"

namespace sharpscope {

Dataset neighbouring_set(const Dataset& data, int64_t removed, int64_t replaced) {
  const int64_t n = data.size();
  if (removed < 0 || removed >= n) {
    throw UsageError("--drop-example = " + std::to_string(removed) + ": must be in [0, " +
                     std::to_string(n) + ")");
  }
  if (replaced < -1 || replaced >= n - 1) {
    throw UsageError("--replace-example = " + std::to_string(replaced) + ": must be in [0, " +
                     std::to_string(n - 1) + ") (or -1 for S itself)");
  }
  Dataset s = data;
  s.images = torch::cat(
      {data.images.narrow(0, 0, removed), data.images.narrow(0, removed + 1, n - removed - 1)});
  s.labels = torch::cat(
      {data.labels.narrow(0, 0, removed), data.labels.narrow(0, removed + 1, n - removed - 1)});
  if (replaced >= 0) {
    s.images[replaced].copy_(data.images[removed]);
    s.labels[replaced].copy_(data.labels[removed]);
  }
  return s;
}

}  // namespace sharpscope
