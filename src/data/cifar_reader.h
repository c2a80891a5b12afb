#pragma once
// CIFAR-10 / CIFAR-100 binary files: https://www.cs.toronto.edu/~kriz/cifar.html "Binary version".
#include <string>
#include <vector>

#include "data/idx_reader.h"

namespace sharpscope::data_detail {

/// Layout of one CIFAR binary record: `label_bytes` label bytes, of which the one at
/// `label_offset` is used, then a 3x32x32 image in CHW order.
struct CifarFormat {
  const char* name;      ///< "CIFAR-10" / "CIFAR-100", for messages
  int64_t label_bytes;   ///< 1 (CIFAR-10) or 2 (CIFAR-100: coarse, fine)
  int64_t label_offset;  ///< 0 (CIFAR-10) or 1 (CIFAR-100 fine label)
  int64_t num_classes;   ///< 10 or 100
};

/// The CIFAR-10 format (1 label byte, 10 classes).
CifarFormat cifar10_format();
/// The CIFAR-100 format with fine labels (2 label bytes, 100 classes).
CifarFormat cifar100_format();

/// Reads and concatenates the records of `paths` in order: all of them, or with `limit` > 0 only
/// the first `limit` (later files are then not opened, and a file is read only that far; the
/// split's size counts the records of whole files by their byte size). Images come back as uint8
/// [N,3,32,32]. Throws InputError naming the file for a missing file, a size that is zero or
/// not a multiple of the record size, or a label >= num_classes.
RawSplit read_cifar(const std::vector<std::string>& paths, const CifarFormat& format,
                    int64_t limit = 0);

}  // namespace sharpscope::data_detail
