#pragma once
/// Light vocabulary types shared by every area. Only the ATen tensor class is included here, never
/// <torch/torch.h>, so public headers stay cheap to compile.
#include <ATen/core/Tensor.h>

#include <map>
#include <string>
#include <vector>

namespace sharpscope {

/// A point, direction or gradient in parameter space: one tensor per trainable parameter, in the
/// model's parameter order. BatchNorm running statistics are buffers and never appear here.
using ParamList = std::vector<at::Tensor>;

/// Ordered string key/value metadata (checkpoint metadata, HDF5 attributes).
using Metadata = std::map<std::string, std::string>;

}  // namespace sharpscope
