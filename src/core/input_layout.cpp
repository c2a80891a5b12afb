#include "sharpscope/core/input_layout.h"

#include <torch/torch.h>
#include <unistd.h>

#include "sharpscope/core/model.h"

namespace sharpscope {

std::string to_string(InputLayout layout) {
  switch (layout) {
    case InputLayout::kAuto:
      return "auto";
    case InputLayout::kContiguous:
      return "nchw";
    case InputLayout::kChannelsLast:
      return "channels-last";
  }
  return "?";
}

// kAuto: channels-last where LibTorch has faster kernels for it, i.e. convolutions on a CPU
// (docs/performance.md, "Channels-last and --batch-size auto"); a model without 4-D parameters
// gains nothing from it.
InputLayout resolve_layout(InputLayout requested, Model& model, const Dataset& data) {
  if (requested != InputLayout::kAuto) return requested;
  if (!model.device().is_cpu() || data.images.dim() != 4) return InputLayout::kContiguous;
  for (const at::Tensor& p : model.parameters()) {
    if (p.dim() == 4) return InputLayout::kChannelsLast;
  }
  return InputLayout::kContiguous;
}

BatchSizeChoice choose_batch_size(Model& model, const Dataset& data, InputLayout layout) {
  BatchSizeChoice choice;
  const at::Tensor* first_conv = nullptr;
  for (const at::Tensor& p : model.parameters()) {
    if (p.dim() == 4) {
      first_conv = &p;
      break;
    }
  }
  if (resolve_layout(layout, model, data) != InputLayout::kChannelsLast || !first_conv) {
    choice.reason = "1024: no channels-last convolution (matrix products prefer large batches)";
    return choice;
  }
  const long cache = sysconf(_SC_LEVEL3_CACHE_SIZE);
  const int64_t last_level = cache > 0 ? cache : int64_t{32} << 20;
  const int64_t per_example = first_conv->size(0) * data.images.size(2) * data.images.size(3) *
                              static_cast<int64_t>(c10::elementSize(model.dtype()));
  choice.size = 16;
  while (choice.size < 1024 && 2 * choice.size * per_example * 3 <= last_level) choice.size *= 2;
  choice.reason = std::to_string(choice.size) + ": cache model, " +
                  std::to_string(per_example >> 10) +
                  " KiB of first-layer activations per example, a third of a " +
                  std::to_string(last_level >> 20) + " MiB last-level cache";
  return choice;
}

}  // namespace sharpscope
