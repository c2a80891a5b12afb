#include "data/idx_reader.h"

#include <torch/torch.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "data/file_bytes.h"
#include "data/labels.h"
#include "sharpscope/core/error.h"

namespace sharpscope::data_detail {
namespace {

constexpr uint32_t kImagesMagic = 2051;  // 0x00000803: unsigned bytes, 3 dimensions
constexpr uint32_t kLabelsMagic = 2049;  // 0x00000801: unsigned bytes, 1 dimension

// IDX header fields are big-endian 32-bit integers.
uint32_t big_endian_u32(const uint8_t* bytes) {
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) |
         uint32_t{bytes[3]};
}

// Header words [magic, dim_1, ..., dim_n]; the payload follows.
std::vector<int64_t> read_header(const std::string& path, const at::Tensor& bytes, uint32_t magic,
                                 int dims) {
  const int64_t header_bytes = 4 * (1 + dims);
  if (bytes.numel() < header_bytes) {
    throw InputError(path + ": truncated: expected a " + std::to_string(header_bytes) +
                     "-byte IDX header, got " + std::to_string(bytes.numel()) + " bytes");
  }
  const auto* data = bytes.data_ptr<uint8_t>();
  const uint32_t found = big_endian_u32(data);
  if (found != magic) {
    throw InputError(path + ": bad magic number " + std::to_string(found) + ": expected " +
                     std::to_string(magic) + " (IDX " + (dims == 3 ? "images" : "labels") + ")");
  }
  std::vector<int64_t> sizes;
  for (int d = 1; d <= dims; ++d) sizes.push_back(big_endian_u32(data + 4 * d));
  return sizes;
}

// The payload after the header, checked against the size the header promises (or, for a prefix
// read, the size asked for).
at::Tensor payload(const std::string& path, const at::Tensor& bytes, int64_t header_bytes,
                   int64_t expected, const char* what) {
  const int64_t got = bytes.numel() - header_bytes;
  if (got != expected) {
    throw InputError(path + ": " + (got < expected ? "truncated: " : "trailing data: ") +
                     "expected " + std::to_string(expected) + " bytes of " + what + ", got " +
                     std::to_string(got));
  }
  return bytes.narrow(0, header_bytes, expected);
}

// The file's bytes: all of them, or when only the first `limit` of its records are wanted, the
// header and those records (the header is read first to learn the record size).
at::Tensor file_prefix(const std::string& path, int64_t header_bytes, uint32_t magic, int dims,
                       int64_t limit, std::vector<int64_t>* sizes) {
  if (limit <= 0) {
    at::Tensor bytes = read_file_bytes(path);
    *sizes = read_header(path, bytes, magic, dims);
    return bytes;
  }
  *sizes = read_header(path, read_file_bytes(path, header_bytes), magic, dims);
  int64_t record = 1;
  for (int d = 1; d < dims; ++d) {
    // A side the caller will reject (> 4096) is read whole, so the product cannot overflow.
    if ((*sizes)[d] > 4096) return read_file_bytes(path);
    record *= (*sizes)[d];
  }
  if (limit >= (*sizes)[0]) return read_file_bytes(path);
  return read_file_bytes(path, header_bytes + limit * record);
}

// Images of a file: [count, 1, rows, cols] and the header's count.
std::pair<at::Tensor, int64_t> read_images(const std::string& path, int64_t limit) {
  std::vector<int64_t> sizes;
  const at::Tensor bytes = file_prefix(path, 16, kImagesMagic, 3, limit, &sizes);
  const int64_t total = sizes[0], rows = sizes[1], cols = sizes[2];
  // The bound keeps count * rows * cols (count < 2^32) far from int64 overflow.
  constexpr int64_t kMaxSide = 4096;
  if (rows < 1 || rows > kMaxSide || cols < 1 || cols > kMaxSide) {
    throw InputError(path + ": image size " + std::to_string(rows) + "x" + std::to_string(cols) +
                     ": expected 1 to " + std::to_string(kMaxSide) + " pixels per side");
  }
  const int64_t count = limit > 0 ? std::min(limit, total) : total;
  return {payload(path, bytes, 16, count * rows * cols, "image data").view({count, 1, rows, cols}),
          total};
}

std::pair<at::Tensor, int64_t> read_labels(const std::string& path, int64_t num_classes,
                                           int64_t limit) {
  std::vector<int64_t> sizes;
  const at::Tensor bytes = file_prefix(path, 8, kLabelsMagic, 1, limit, &sizes);
  const int64_t total = sizes[0];
  const int64_t count = limit > 0 ? std::min(limit, total) : total;
  at::Tensor labels = payload(path, bytes, 8, count, "label data").to(torch::kLong);
  check_label_range(path, labels, num_classes);
  return {labels, total};
}

}  // namespace

RawSplit read_idx(const std::string& images_path, const std::string& labels_path,
                  int64_t num_classes, int64_t limit) {
  auto [images, image_count] = read_images(images_path, limit);
  auto [labels, label_count] = read_labels(labels_path, num_classes, limit);
  if (image_count != label_count) {
    throw InputError(labels_path + ": holds " + std::to_string(label_count) +
                     " labels: expected one per image of " + images_path + " (" +
                     std::to_string(image_count) + ")");
  }
  return {images, labels, image_count};
}

}  // namespace sharpscope::data_detail
