#include "sharpscope/core/dataset.h"

#include <ATen/core/Tensor.h>

#include <stdexcept>

namespace sharpscope {

int64_t Dataset::size() const { return images.size(0); }
int64_t Dataset::channels() const { return images.size(1); }
int64_t Dataset::height() const { return images.size(2); }
int64_t Dataset::width() const { return images.size(3); }

Dataset Dataset::slice(int64_t start, int64_t count) const {
  if (start < 0 || count < 0 || start + count > size()) {
    throw std::out_of_range(name + ": slice [" + std::to_string(start) + ", " +
                            std::to_string(start + count) + ") outside [0, " +
                            std::to_string(size()) + ")");
  }
  Dataset part = *this;
  part.images = images.narrow(0, start, count);
  part.labels = labels.narrow(0, start, count);
  return part;
}

}  // namespace sharpscope
