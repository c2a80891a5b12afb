#pragma once
/// The labelled examples an objective averages over (docs/math.md §10 for how the loaders fill it):
/// images and labels held in memory as tensors. The data area (data/loader.h) builds them from
/// files; nothing here reads a file.
#include <cstdint>
#include <string>

#include "sharpscope/core/types.h"

namespace sharpscope {

/// A split in memory: images float32 [N,C,H,W], normalized, contiguous; labels int64 [N] in
/// [0, num_classes).
struct Dataset {
  at::Tensor images;
  at::Tensor labels;
  int64_t num_classes = 0;
  std::string name;           ///< e.g. "fmnist/train"
  std::string normalization;  ///< e.g. "x/255, (x-0.2860)/0.3530"
  int64_t size() const;       ///< N
  int64_t channels() const;   ///< C
  int64_t height() const;     ///< H
  int64_t width() const;      ///< W
  /// Rows [start, start+count): views, no copy. Throws std::out_of_range outside [0, size()].
  Dataset slice(int64_t start, int64_t count) const;
};

}  // namespace sharpscope
