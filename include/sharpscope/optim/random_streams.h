#pragma once
/// Every random choice of training comes from a CPU generator seeded by (seed, stream, index),
/// never from a generator carried along the run: a resumed run then draws exactly what an
/// uninterrupted one draws at the same step, with no generator state to checkpoint.
#include <ATen/core/Generator.h>

#include <cstdint>

namespace sharpscope {

enum class Stream : uint64_t {
  kShuffle = 1,     ///< index = epoch: the epoch's permutation of the training set
  kAugment = 2,     ///< index = step: crops and flips of the step's batch
  kRule = 3,        ///< index = step: Rand-SAM noise, ESAM masks
  kLabelNoise = 4,  ///< index = 0: which training labels are shuffled
};

/// A CPU generator for (seed, stream, index), decorrelated by SplitMix64 mixing.
at::Generator stream_generator(uint64_t seed, Stream stream, int64_t index);

/// Label noise as in 003 §5.4: a `fraction` of the labels, chosen by the seed, permuted among
/// themselves (so class frequencies are kept). Returns a new int64 tensor; fraction 0 copies.
at::Tensor shuffle_labels(const at::Tensor& labels, double fraction, uint64_t seed);

}  // namespace sharpscope
