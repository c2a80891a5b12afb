#pragma once
// File reads for the data readers: gzip or raw, whole or a prefix, into a tensor that owns the
// bytes.
#include <ATen/core/Tensor.h>

#include <string>

namespace sharpscope::data_detail {

/// The content of `path` as a 1-D uint8 tensor: all of it, or with `max_bytes` >= 0 only its first
/// max_bytes bytes (fewer when the file is shorter), so a reader that needs the first records of a
/// gzip file inflates only those. A gzip file is decompressed; any other file is read as is.
/// Throws InputError naming `path` when it is missing or unreadable.
at::Tensor read_file_bytes(const std::string& path, int64_t max_bytes = -1);

/// `directory/name.gz` if it exists, else `directory/name` if it exists; throws InputError naming
/// both otherwise.
std::string find_gz_or_raw(const std::string& directory, const std::string& name);

}  // namespace sharpscope::data_detail
