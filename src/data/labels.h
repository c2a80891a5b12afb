#pragma once
// Label validation shared by the IDX and CIFAR readers.
#include <ATen/core/Tensor.h>

#include <string>

namespace sharpscope::data_detail {

/// Throws InputError naming `path` and the first offending index when a label of the int64
/// tensor `labels` lies outside [0, num_classes).
void check_label_range(const std::string& path, const at::Tensor& labels, int64_t num_classes);

}  // namespace sharpscope::data_detail
