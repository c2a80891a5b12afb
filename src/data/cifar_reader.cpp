#include "data/cifar_reader.h"

#include <torch/torch.h>

#include "data/file_bytes.h"
#include "data/labels.h"
#include "sharpscope/core/error.h"

namespace sharpscope::data_detail {
namespace {

constexpr int64_t kChannels = 3;
constexpr int64_t kSide = 32;
constexpr int64_t kImageBytes = kChannels * kSide * kSide;

// One file's records as a [records, record_bytes] view of its bytes.
at::Tensor read_records(const std::string& path, const CifarFormat& format) {
  const int64_t record_bytes = format.label_bytes + kImageBytes;
  const at::Tensor bytes = read_file_bytes(path);
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

RawSplit read_cifar(const std::vector<std::string>& paths, const CifarFormat& format) {
  std::vector<at::Tensor> images, labels;
  for (const auto& path : paths) {
    const at::Tensor records = read_records(path, format);
    labels.push_back(records.select(1, format.label_offset).to(torch::kLong));
    check_label_range(path, labels.back(), format.num_classes);
    images.push_back(
        records.narrow(1, format.label_bytes, kImageBytes).view({-1, kChannels, kSide, kSide}));
  }
  // A single file stays a view into its buffer; several are joined once, still as bytes.
  return {images.size() == 1 ? images[0] : torch::cat(images), torch::cat(labels)};
}

}  // namespace sharpscope::data_detail
