#pragma once
/// The speed settings of the Objective that never change a value beyond float reordering
/// (docs/math.md, "Speed settings"; docs/performance.md): the memory layout the input batches are
/// fed in, and the evaluation batch size chosen for speed (--layout, --batch-size auto).
#include <cstdint>
#include <string>

#include "sharpscope/core/dataset.h"

namespace sharpscope {

class Model;

/// Memory layout of the input batches. Channels-last ([N,H,W,C] in memory) lets LibTorch's CPU
/// convolutions (oneDNN) and max pooling run their vectorized channels-last kernels and keep
/// every activation in that layout; the values are the same up to float reordering.
enum class InputLayout {
  kAuto,          ///< channels-last on a CPU for a model with 4-D parameters (convolutions)
  kContiguous,    ///< NCHW as stored
  kChannelsLast,  ///< channels-last for 4-D inputs
};
std::string to_string(InputLayout layout);  ///< "auto" | "nchw" | "channels-last"

/// What InputLayout::kAuto becomes for this model and data: kChannelsLast on a CPU for a 4-D input
/// and a model with 4-D parameters (convolutions), kContiguous otherwise; other values as given.
InputLayout resolve_layout(InputLayout requested, Model& model, const Dataset& data);

/// The evaluation batch size chosen for speed (--batch-size auto; docs/performance.md,
/// "Channels-last and --batch-size auto"): a cache model, no timing, so the choice (and with it the
/// float summation order) is the same on every run on a machine. A convolutional model fed
/// channels-last gets the largest power of two in [16, 1024] whose first-layer activations
/// (out-channels × H × W of the first 4-D parameter, in the model's dtype) fit in a third of the
/// last-level cache; any other model is bound by matrix products that prefer large batches and gets
/// 1024.
struct BatchSizeChoice {
  int64_t size = 1024;
  std::string reason;  ///< how it was chosen, recorded in outputs
};
BatchSizeChoice choose_batch_size(Model& model, const Dataset& data, InputLayout layout);

}  // namespace sharpscope
