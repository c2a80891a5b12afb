// Loading a split: choose the reader, select the subset, normalize (docs/math.md §10).
#include "sharpscope/data/dataset.h"

#include <torch/torch.h>

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

RawSplit read_idx_split(const std::string& directory, Split split) {
  const std::string prefix = split == Split::kTrain ? "train" : "t10k";
  // Resolved in sequence so a directory missing both files reports the images file.
  const std::string images = data_detail::find_gz_or_raw(directory, prefix + "-images-idx3-ubyte");
  const std::string labels = data_detail::find_gz_or_raw(directory, prefix + "-labels-idx1-ubyte");
  return data_detail::read_idx(images, labels, 10);
}

std::vector<std::string> cifar_paths(const DataSpec& spec, Split split) {
  std::vector<std::string> names;
  if (spec.kind == "cifar100") {
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

Source read_source(const DataSpec& spec, Split split) {
  if (spec.kind == "fmnist")
    return {read_idx_split(spec.directory, split), 10, {{0.2860}, {0.3530}}};
  if (spec.kind == "mnist")
    return {read_idx_split(spec.directory, split), 10, {{0.1307}, {0.3081}}};
  if (spec.kind == "cifar10") {
    return {data_detail::read_cifar(cifar_paths(spec, split), data_detail::cifar10_format()),
            10,
            {{0.4914, 0.4822, 0.4465}, {0.2470, 0.2435, 0.2616}}};
  }
  if (spec.kind == "cifar100") {
    return {data_detail::read_cifar(cifar_paths(spec, split), data_detail::cifar100_format()),
            100,
            {{0.5071, 0.4865, 0.4409}, {0.2673, 0.2564, 0.2762}}};
  }
  throw UsageError("--data = '" + spec.text + "': unknown kind '" + spec.kind + "'");
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
  return "the " + to_string(split) + " split of " + spec.kind;
}

}  // namespace

int64_t Dataset::size() const { return images.size(0); }
int64_t Dataset::channels() const { return images.size(1); }
int64_t Dataset::height() const { return images.size(2); }
int64_t Dataset::width() const { return images.size(3); }

Dataset Dataset::slice(int64_t start, int64_t count) const {
  if (start < 0 || count < 0 || start + count > size()) {
    throw std::out_of_range(name + ": slice [" + std::to_string(start) + ", " +
                            std::to_string(start + count) + ") outside [0, " +
                            std::to_string(size()) + ")");
  }
  Dataset part = *this;
  part.images = images.narrow(0, start, count);
  part.labels = labels.narrow(0, start, count);
  return part;
}

Dataset load_dataset(const DataSpec& spec, Split split, const Subset& subset) {
  if (spec.kind == "synthetic") {
    Dataset data = data_detail::make_synthetic(spec.synthetic, split);
    const RowSelection rows = select_rows(subset, data.size(), split_description(spec, split));
    data.images = rows.apply(data.images);
    data.labels = rows.apply(data.labels);
    return data;
  }
  const Source source = read_source(spec, split);
  const RowSelection rows =
      select_rows(subset, source.raw.labels.size(0), split_description(spec, split));
  Dataset data;
  data.images = normalize(rows.apply(source.raw.images), source.normalization);
  data.labels = rows.apply(source.raw.labels).contiguous();
  data.num_classes = source.num_classes;
  data.name = spec.kind + "/" + to_string(split);
  data.normalization = describe(source.normalization);
  return data;
}

Dataset neighbouring_set(const Dataset& data, int64_t removed, int64_t replaced) {
  const int64_t n = data.size();
  if (removed < 0 || removed >= n) {
    throw UsageError("--drop-example = " + std::to_string(removed) + ": must be in [0, " +
                     std::to_string(n) + ")");
  }
  if (replaced < -1 || replaced >= n - 1) {
    throw UsageError("--replace-example = " + std::to_string(replaced) + ": must be in [0, " +
                     std::to_string(n - 1) + ") (or -1 for S itself)");
  }
  Dataset s = data;
  s.images = torch::cat(
      {data.images.narrow(0, 0, removed), data.images.narrow(0, removed + 1, n - removed - 1)});
  s.labels = torch::cat(
      {data.labels.narrow(0, 0, removed), data.labels.narrow(0, removed + 1, n - removed - 1)});
  if (replaced >= 0) {
    s.images[replaced].copy_(data.images[removed]);
    s.labels[replaced].copy_(data.labels[removed]);
  }
  return s;
}

}  // namespace sharpscope
