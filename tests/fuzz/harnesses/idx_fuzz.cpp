// Fuzzes the IDX reader (data/idx_reader.h) as `--data fmnist:DIR` / `mnist:DIR` meet it: an
// image file and a label file, each raw or gzip.
//
// Input: byte 0 = flags (bit 0: gzip the image file, bit 1: gzip the label file; bits 2-7 + 1 =
// the number of classes, 1..64); bytes 1-4 = big-endian length of the image file's bytes; then
// the image file's bytes; the rest is the label file. Unflagged parts are written as given, so a
// seed may also hold a .gz file verbatim (the reader detects gzip by content).
#include <torch/torch.h>

#include "data/idx_reader.h"
#include "fuzz/fuzz_target.h"
#include "fuzz/gzip.h"
#include "sharpscope/core/error.h"

using sharpscope::fuzz::fail;

SHARPSCOPE_FUZZ_TARGET(idx) {
  static sharpscope::fuzz::MemoryFile images_file("idx-images"), labels_file("idx-labels");
  sharpscope::fuzz::Bytes in(data, size);
  const uint8_t flags = in.byte();
  const int64_t num_classes = 1 + (flags >> 2);
  uint32_t length = 0;
  for (int i = 0; i < 4; ++i) length = (length << 8) | in.byte();
  std::string images = in.take(length), labels = in.rest();
  if (flags & 1) images = sharpscope::fuzz::gzip(images);
  if (flags & 2) labels = sharpscope::fuzz::gzip(labels);
  const std::string& images_path = images_file.write(images);
  const std::string& labels_path = labels_file.write(labels);

  sharpscope::data_detail::RawSplit split;
  try {
    split = sharpscope::data_detail::read_idx(images_path, labels_path, num_classes);
  } catch (const sharpscope::InputError& e) {
    // Either file may be at fault; the message must name the one it blames.
    const std::string message = e.what();
    sharpscope::fuzz::expect_one_line(
        e, message.rfind(labels_path, 0) == 0 ? labels_path : images_path);
    return;
  }
  // What the reader promises of an accepted pair.
  const at::Tensor& x = split.images;
  const at::Tensor& y = split.labels;
  if (x.dim() != 4 || x.size(1) != 1 || x.scalar_type() != torch::kUInt8) fail("bad image tensor");
  if (y.dim() != 1 || y.size(0) != x.size(0) || y.scalar_type() != torch::kLong) {
    fail("labels do not match the images");
  }
  if (y.numel() > 0 && (y.min().item<int64_t>() < 0 || y.max().item<int64_t>() >= num_classes)) {
    fail("a label outside [0, K) was accepted");
  }
  // Touches every pixel, so a view past the file's buffer would be caught by AddressSanitizer.
  if (x.numel() > 0) (void)x.sum().item<int64_t>();
}
