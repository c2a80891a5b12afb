#pragma once
// IDX files (MNIST, Fashion-MNIST): http://yann.lecun.com/exdb/mnist/ "FILE FORMATS".
#include <ATen/core/Tensor.h>

#include <string>

namespace sharpscope::data_detail {

/// A split as stored on disk, before normalization.
struct RawSplit {
  at::Tensor images;  ///< uint8 [N,C,H,W], possibly a strided view into the file buffer
  at::Tensor labels;  ///< int64 [N]
  int64_t total = 0;  ///< examples in the split; more than N when only a prefix was read
};

/// Reads an IDX3 image file (magic 2051) and its IDX1 label file (magic 2049), gzip or raw: all
/// records, or with `limit` > 0 only the first min(limit, count) (a gzip file is then inflated
/// only that far, and what lies beyond is not checked). Images come back as [N,1,rows,cols].
/// Throws InputError naming the file at fault for a missing file, a wrong magic number, a side
/// outside [1, 4096], a size that disagrees with the header (for the part read), a label >=
/// num_classes, or image and label counts that differ.
RawSplit read_idx(const std::string& images_path, const std::string& labels_path,
                  int64_t num_classes, int64_t limit = 0);

}  // namespace sharpscope::data_detail
