// Training augmentation (docs/math.md §10): pad-4 random crop and horizontal flip.
#include <torch/torch.h>

#include "sharpscope/data/loader.h"

namespace sharpscope {

at::Tensor augment_crop_flip(const at::Tensor& batch, at::Generator& generator) {
  constexpr int64_t kPad = 4;
  TORCH_CHECK(batch.dim() == 4, "augment_crop_flip: expected a [B,C,H,W] batch, got ",
              batch.sizes());
  const int64_t count = batch.size(0), height = batch.size(2), width = batch.size(3);
  const at::Tensor padded = torch::constant_pad_nd(batch, {kPad, kPad, kPad, kPad}, 0);
  // All draws happen up front in one fixed order, so a generator state fixes the whole batch.
  const at::Tensor offsets = torch::randint(0, 2 * kPad + 1, {count, 2}, generator, torch::kLong);
  const at::Tensor flips = torch::randint(0, 2, {count}, generator, torch::kLong);
  const auto offset = offsets.accessor<int64_t, 2>();
  const auto flip = flips.accessor<int64_t, 1>();
  at::Tensor out = torch::empty_like(batch, at::MemoryFormat::Contiguous);
  for (int64_t i = 0; i < count; ++i) {
    at::Tensor crop = padded[i].narrow(1, offset[i][0], height).narrow(2, offset[i][1], width);
    out[i].copy_(flip[i] ? crop.flip({2}) : crop);
  }
  return out;
}

}  // namespace sharpscope
