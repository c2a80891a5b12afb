#pragma once
/// Training-time augmentation (docs/math.md §10).
#include <ATen/core/Generator.h>

#include "sharpscope/core/types.h"

namespace sharpscope {

/// Training augmentation for CIFAR-style data (docs/math.md §10): each image of `batch` [B,C,H,W]
/// is zero-padded by 4 pixels per side, cropped back to HxW at a uniform offset in [0,8]^2, and
/// flipped horizontally with probability 1/2. All draws come from `generator` (CPU), so equal
/// generator states give equal results. Returns a new contiguous batch of the same shape and dtype.
at::Tensor augment_crop_flip(const at::Tensor& batch, at::Generator& generator);

}  // namespace sharpscope
