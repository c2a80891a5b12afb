#include "data/cifar_reader.h"

#include <torch/torch.h>

#include <algorithm>
#include <filesystem>

#include "data/file_bytes.h"
#include "data/labels.h"
#include "sharpscope/core/error.h"

namespace sharpscope::data_detail {
namespace {

constexpr int64_t kChannels = 3;
constexpr int64_t kSide = 32;
constexpr int64_t kImageBytes = kChannels * kSide * kSide;

// One file's records as a [records, record_bytes] view of its bytes; with `limit` > 0 only its
// first `limit` records are read.
at::Tensor read_records(const std::string& path, const CifarFormat& format, int64_t limit) {
  const int64_t record_bytes = format.label_bytes + kImageBytes;
  const at::Tensor bytes = read_file_bytes(path, limit > 0 ? limit * record_bytes : -1);
  if (bytes.numel() == 0 || bytes.numel() % record_bytes != 0) {
    throw InputError(path + ": size " + std::to_string(bytes.numel()) +
                     " bytes: expected a positive multiple of the " + std::to_string(record_bytes) +
                     "-byte " + format.name + " record");
  }
  return bytes.view({-1, record_bytes});
}

}  // namespace

CifarFormat cifar10_format() { return {"CIFAR-10", 1, 0, 10}; }

CifarFormat cifar100_format() { return {"CIFAR-100", 2, 1, 100}; }

RawSplit read_cifar(const std::vector<std::string>& paths, const CifarFormat& format,
                    int64_t limit) {
  std::vector<at::Tensor> images, labels;
  const int64_t record_bytes = format.label_bytes + kImageBytes;
  // Records of a file not read to its end, counted by its size (CIFAR binaries are raw).
  const auto records_in = [&](const std::string& path) {
    std::error_code error;
    const auto size = std::filesystem::file_size(path, error);
    if (error) throw InputError(path + ": no such file");
    return static_cast<int64_t>(size) / record_bytes;
  };
  int64_t total = 0, read = 0;
  for (const auto& path : paths) {
    if (limit > 0 && read >= limit) {
      total += records_in(path);
      continue;
    }
    const at::Tensor records = read_records(path, format, limit > 0 ? limit - read : 0);
    read += records.size(0);
    total += limit > 0 ? std::max(records.size(0), records_in(path)) : records.size(0);
    labels.push_back(records.select(1, format.label_offset).to(torch::kLong));
    check_label_range(path, labels.back(), format.num_classes);
    images.push_back(
        records.narrow(1, format.label_bytes, kImageBytes).view({-1, kChannels, kSide, kSide}));
  }
  // A single file stays a view into its buffer; several are joined once, still as bytes.
  return {images.size() == 1 ? images[0] : torch::cat(images), torch::cat(labels), total};
}

}  // namespace sharpscope::data_detail
