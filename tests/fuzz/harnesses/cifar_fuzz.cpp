// Fuzzes the CIFAR-10/100 binary reader (data/cifar_reader.h) as `--data cifar10:DIR` /
// `cifar100:DIR` meet it: one or two batch files read and joined in order.
//
// Input: byte 0 = flags (bit 0: CIFAR-100 rather than CIFAR-10; bit 1: gzip the files; bit 2: two
// files, split at the length in bytes 1-4); then the file bytes.
#include <torch/torch.h>

#include "data/cifar_reader.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/gzip.h"
#include "sharpscope/core/error.h"

using sharpscope::fuzz::fail;

SHARPSCOPE_FUZZ_TARGET(cifar) {
  static sharpscope::fuzz::MemoryFile first_file("cifar-1"), second_file("cifar-2");
  sharpscope::fuzz::Bytes in(data, size);
  const uint8_t flags = in.byte();
  const auto format = (flags & 1) ? sharpscope::data_detail::cifar100_format()
                                  : sharpscope::data_detail::cifar10_format();
  std::vector<std::string> parts;
  if (flags & 4) {
    uint32_t length = 0;
    for (int i = 0; i < 4; ++i) length = (length << 8) | in.byte();
    parts.push_back(in.take(length));
  }
  parts.push_back(in.rest());
  std::vector<std::string> paths;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (flags & 2) parts[i] = sharpscope::fuzz::gzip(parts[i]);
    paths.push_back((i == 0 ? first_file : second_file).write(parts[i]));
  }

  sharpscope::data_detail::RawSplit split;
  try {
    split = sharpscope::data_detail::read_cifar(paths, format);
  } catch (const sharpscope::InputError& e) {
    const std::string message = e.what();
    sharpscope::fuzz::expect_one_line(
        e, message.rfind(paths.back(), 0) == 0 ? paths.back() : paths.front());
    return;
  }
  const at::Tensor& x = split.images;
  const at::Tensor& y = split.labels;
  if (x.dim() != 4 || x.size(1) != 3 || x.size(2) != 32 || x.size(3) != 32 || x.size(0) < 1) {
    fail("bad image tensor");
  }
  if (y.dim() != 1 || y.size(0) != x.size(0)) fail("labels do not match the images");
  if (y.min().item<int64_t>() < 0 || y.max().item<int64_t>() >= format.num_classes) {
    fail("a label outside [0, K) was accepted");
  }
  (void)x.sum().item<int64_t>();
}
