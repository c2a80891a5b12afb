#pragma once
/// Image classification data sets held in memory as normalized tensors (science.md §10).
///
/// A data spec selects the source:
///   fmnist              Fashion-MNIST from /usr/share/datasets/fashion-mnist (Debian dataset-fashion-mnist)
///   fmnist:/dir         Fashion-MNIST IDX files in /dir (.gz or raw)
///   mnist:/dir          MNIST IDX files in /dir
///   cifar10:/dir        CIFAR-10 binary (data_batch_{1..5}.bin / test_batch.bin)
///   cifar100:/dir       CIFAR-100 binary (train.bin / test.bin, fine labels)
///   synthetic[:N,C,H,W,K,SEED]  seeded Gaussian class-blobs for tests (defaults 512,1,8,8,4,0)
#include <cstdint>
#include <optional>
#include <string>

#include "sharpscope/core/types.h"

namespace sharpscope {

enum class Split { kTrain, kTest };

/// Parses "train" / "test"; throws UsageError naming --split otherwise.
Split parse_split(const std::string& text);
std::string to_string(Split split);

/// A parsed --data value.
struct DataSpec {
  std::string kind;       ///< fmnist | mnist | cifar10 | cifar100 | synthetic
  std::string directory;  ///< empty for synthetic
  std::vector<int64_t> synthetic;  ///< N,C,H,W,K,SEED for synthetic
  std::string text;       ///< the spec as given, for provenance
};

/// Parses a --data value; throws UsageError ("--data = 'x': expected fmnist[:DIR], ...").
DataSpec parse_data_spec(const std::string& text);

/// Which examples of a split to use: the first `count` in file order (0 = all), or, when `seed`
/// is set, `count` examples drawn without replacement by that seed (then sorted by index).
struct Subset {
  int64_t count = 0;
  std::optional<uint64_t> seed;
  std::string describe() const;  ///< "first 2048" / "2048 random (seed 3)" / "all"
};

/// A split in memory: images float32 [N,C,H,W], normalized; labels int64 [N].
struct Dataset {
  at::Tensor images;
  at::Tensor labels;
  int64_t num_classes = 0;
  std::string name;           ///< e.g. "fmnist/train"
  std::string normalization;  ///< e.g. "x/255, (x-0.2860)/0.3530"
  int64_t size() const;
  int64_t channels() const;
  int64_t height() const;
  int64_t width() const;
  /// Rows [start, start+count): views, no copy.
  Dataset slice(int64_t start, int64_t count) const;
};

/// Loads a split and applies the subset. Throws InputError naming the file when a file is missing,
/// truncated or has a wrong magic number, and UsageError when the subset exceeds the split.
Dataset load_dataset(const DataSpec& spec, Split split, const Subset& subset = {});

/// Training augmentation for CIFAR-style data (science.md §10): random crop with 4-pixel zero
/// padding and random horizontal flip, drawn from `generator`. Returns a new batch.
at::Tensor augment_crop_flip(const at::Tensor& batch, at::Generator& generator);

}  // namespace sharpscope
