// Loading a split: choose the reader, select the subset, normalize (docs/math.md §10).
#include "sharpscope/data/loader.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "data/cifar_reader.h"
#include "data/file_bytes.h"
#include "data/idx_reader.h"
#include "data/synthetic.h"
#include "sharpscope/core/error.h"

namespace sharpscope {
namespace {

using data_detail::RawSplit;

// Per-channel statistics of the pixel values scaled to [0, 1].
struct Normalization {
  std::vector<double> mean, std;
};

struct Source {
  RawSplit raw;
  int64_t num_classes = 0;
  Normalization normalization;
};

RawSplit read_idx_split(const std::string& directory, Split split, int64_t limit) {
  const std::string prefix = split == Split::kTrain ? "train" : "t10k";
  // Resolved in sequence so a directory missing both files reports the images file.
  const std::string images = data_detail::find_gz_or_raw(directory, prefix + "-images-idx3-ubyte");
  const std::string labels = data_detail::find_gz_or_raw(directory, prefix + "-labels-idx1-ubyte");
  return data_detail::read_idx(images, labels, 10, limit);
}

std::vector<std::string> cifar_paths(const DataSpec& spec, Split split) {
  std::vector<std::string> names;
  if (spec.kind == DataKind::kCifar100) {
    names = {split == Split::kTrain ? "train.bin" : "test.bin"};
  } else if (split == Split::kTest) {
    names = {"test_batch.bin"};
  } else {
    for (int batch = 1; batch <= 5; ++batch) {
      names.push_back("data_batch_" + std::to_string(batch) + ".bin");
    }
  }
  std::vector<std::string> paths;
  for (const auto& name : names)
    paths.push_back((std::filesystem::path(spec.directory) / name).string());
  return paths;
}

// `limit` > 0: only the first `limit` examples are needed (a first-n subset), so only those are
// read and inflated; a seeded subset needs the whole split (limit 0).
Source read_source(const DataSpec& spec, Split split, int64_t limit) {
  switch (spec.kind) {
    case DataKind::kFashionMnist:
      return {read_idx_split(spec.directory, split, limit), 10, {{0.2860}, {0.3530}}};
    case DataKind::kMnist:
      return {read_idx_split(spec.directory, split, limit), 10, {{0.1307}, {0.3081}}};
    case DataKind::kCifar10:
      return {
          data_detail::read_cifar(cifar_paths(spec, split), data_detail::cifar10_format(), limit),
          10,
          {{0.4914, 0.4822, 0.4465}, {0.2470, 0.2435, 0.2616}}};
    case DataKind::kCifar100:
      return {
          data_detail::read_cifar(cifar_paths(spec, split), data_detail::cifar100_format(), limit),
          100,
          {{0.5071, 0.4865, 0.4409}, {0.2673, 0.2564, 0.2762}}};
    case DataKind::kSynthetic:
      break;
  }
  throw std::logic_error("read_source: synthetic data has no files");
}

std::string format_values(const std::vector<double>& values) {
  std::string text;
  char buffer[32];
  for (size_t i = 0; i < values.size(); ++i) {
    std::snprintf(buffer, sizeof buffer, "%.4f", values[i]);
    text += (i ? "," : "") + std::string(buffer);
  }
  return values.size() == 1 ? text : "(" + text + ")";
}

std::string describe(const Normalization& n) {
  return std::string("x/255, ") + (n.mean.size() > 1 ? "per channel " : "") + "(x-" +
         format_values(n.mean) + ")/" + format_values(n.std);
}

// (x/255 - mean)/std folded into one multiply and one subtract over the float copy.
at::Tensor normalize(const at::Tensor& pixels, const Normalization& n) {
  const auto channels = static_cast<int64_t>(n.mean.size());
  const auto stat = [&](const std::vector<double>& values) {
    return torch::tensor(values, torch::kDouble).view({1, channels, 1, 1});
  };
  const at::Tensor scale = (1.0 / (255.0 * stat(n.std))).to(torch::kFloat);
  const at::Tensor shift = (stat(n.mean) / stat(n.std)).to(torch::kFloat);
  return pixels.to(torch::kFloat).mul_(scale).sub_(shift).contiguous();
}

// The rows a subset keeps: a prefix (taken as a view) or sorted seeded indices.
struct RowSelection {
  int64_t prefix = 0;
  at::Tensor indices;
  at::Tensor apply(const at::Tensor& rows) const {
    return indices.defined() ? rows.index_select(0, indices) : rows.narrow(0, 0, prefix);
  }
};

RowSelection select_rows(const Subset& subset, int64_t size, const std::string& what) {
  if (subset.count < 0) {
    throw UsageError("--subset = " + std::to_string(subset.count) + ": must be >= 0 (0 = all)");
  }
  if (subset.count > size) {
    throw UsageError("--subset = " + std::to_string(subset.count) + ": " + what + " has only " +
                     std::to_string(size) + " examples");
  }
  const int64_t count = subset.count == 0 ? size : subset.count;
  if (!subset.seed) return {count, {}};
  at::Generator generator = at::detail::createCPUGenerator(*subset.seed);
  at::Tensor drawn = torch::randperm(size, generator, torch::kLong).narrow(0, 0, count);
  return {count, std::get<0>(drawn.sort())};
}

std::string split_description(const DataSpec& spec, Split split) {
  return "the " + to_string(split) + " split of " + to_string(spec.kind);
}

}  // namespace

Dataset load_dataset(const DataSpec& spec, Split split, const Subset& subset) {
  if (spec.kind == DataKind::kSynthetic) {
    Dataset data = data_detail::make_synthetic(spec.synthetic, split);
    const RowSelection rows = select_rows(subset, data.size(), split_description(spec, split));
    data.images = rows.apply(data.images);
    data.labels = rows.apply(data.labels);
    return data;
  }
  const int64_t limit = subset.seed ? 0 : std::max<int64_t>(subset.count, 0);
  const Source source = read_source(spec, split, limit);
  const RowSelection rows = select_rows(subset, source.raw.total, split_description(spec, split));
  Dataset data;
  data.images = normalize(rows.apply(source.raw.images), source.normalization);
  data.labels = rows.apply(source.raw.labels).contiguous();
  data.num_classes = source.num_classes;
  data.name = to_string(spec.kind) + "/" + to_string(split);
  data.normalization = describe(source.normalization);
  return data;
}

std::string to_string(DataKind kind) {
  switch (kind) {
    case DataKind::kFashionMnist:
      return "fmnist";
    case DataKind::kMnist:
      return "mnist";
    case DataKind::kCifar10:
      return "cifar10";
    case DataKind::kCifar100:
      return "cifar100";
    case DataKind::kSynthetic:
      return "synthetic";
  }
  return "?";
}

bool is_cifar(DataKind kind) { return kind == DataKind::kCifar10 || kind == DataKind::kCifar100; }

std::string to_string(Split split) { return split == Split::kTrain ? "train" : "test"; }

std::string Subset::describe() const {
  if (count == 0) return "all";
  if (!seed) return "first " + std::to_string(count);
  return std::to_string(count) + " random (seed " + std::to_string(*seed) + ")";
}

}  // namespace sharpscope
