#pragma once
// Whole-file reads for the data readers: gzip or raw, into a tensor that owns the bytes.
#include <ATen/core/Tensor.h>

#include <string>

namespace sharpscope::data_detail {

/// The whole content of `path` as a 1-D uint8 tensor. A gzip file is decompressed; any other file
/// is read as is. Throws InputError naming `path` when it is missing or unreadable.
at::Tensor read_file_bytes(const std::string& path);

/// `directory/name.gz` if it exists, else `directory/name` if it exists; throws InputError naming
/// both otherwise.
std::string find_gz_or_raw(const std::string& directory, const std::string& name);

}  // namespace sharpscope::data_detail
