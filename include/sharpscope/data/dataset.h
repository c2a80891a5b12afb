#pragma once
/// Image classification data sets held in memory as normalized tensors (docs/math.md §10).
///
/// A data spec selects the source:
///   fmnist              Fashion-MNIST in /usr/share/datasets/fashion-mnist (Debian package
///                       dataset-fashion-mnist)
///   fmnist:/dir         Fashion-MNIST IDX files in /dir (.gz or raw)
///   mnist:/dir          MNIST IDX files in /dir
///   cifar10:/dir        CIFAR-10 binary (data_batch_{1..5}.bin / test_batch.bin)
///   cifar100:/dir       CIFAR-100 binary (train.bin / test.bin, fine labels)
///   synthetic[:N,C,H,W,K,SEED]  seeded Gaussian class-blobs for tests (defaults 512,1,8,8,4,0;
///                       a shorter list overrides only the leading values)
///
/// Normalization: Fashion-MNIST x/255 then (x-0.2860)/0.3530; MNIST (x-0.1307)/0.3081; CIFAR-10/100
/// per-channel mean/std. Synthetic data is used as generated (class mean + unit noise).
#include <ATen/core/Generator.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sharpscope/core/types.h"

namespace sharpscope {

enum class Split { kTrain, kTest };

/// Parses "train" / "test"; throws UsageError naming --split otherwise.
Split parse_split(const std::string& text);
/// "train" / "test".
std::string to_string(Split split);

/// A parsed --data value.
struct DataSpec {
  std::string kind;                ///< fmnist | mnist | cifar10 | cifar100 | synthetic
  std::string directory;           ///< empty for synthetic
  std::vector<int64_t> synthetic;  ///< N,C,H,W,K,SEED for synthetic (all six, defaults filled in)
  std::string text;                ///< the spec as given, for provenance
};

/// Parses a --data value; throws UsageError ("--data = 'x': expected fmnist[:DIR], ...") for an
/// unknown kind, a missing directory, or synthetic values that are not positive integers (SEED may
/// be 0). Checks no files: load_dataset does.
DataSpec parse_data_spec(const std::string& text);

/// Which examples of a split to use: the first `count` in file order (0 = all), or, when `seed`
/// is set, `count` examples drawn without replacement by that seed (then sorted by index).
/// The selection depends only on (split size, count, seed), never on the global RNG.
struct Subset {
  int64_t count = 0;
  std::optional<uint64_t> seed;
  std::string describe() const;  ///< "first 2048" / "2048 random (seed 3)" / "all"
};

/// A split in memory: images float32 [N,C,H,W], normalized, contiguous; labels int64 [N] in
/// [0, num_classes).
struct Dataset {
  at::Tensor images;
  at::Tensor labels;
  int64_t num_classes = 0;
  std::string name;           ///< e.g. "fmnist/train"
  std::string normalization;  ///< e.g. "x/255, (x-0.2860)/0.3530"
  int64_t size() const;       ///< N
  int64_t channels() const;   ///< C
  int64_t height() const;     ///< H
  int64_t width() const;      ///< W
  /// Rows [start, start+count): views, no copy. Throws std::out_of_range outside [0, size()].
  Dataset slice(int64_t start, int64_t count) const;
};

/// Loads a split and applies the subset. Throws InputError naming the file when a file is missing,
/// truncated, has a wrong magic number or size, or holds out-of-range labels, and UsageError
/// (naming --subset) when the subset count is negative or exceeds the split. Only the selected
/// rows are converted to float. Fashion-MNIST train (60000 images, gzip) costs ~0.5 s of CPU,
/// two thirds of it gzip inflation.
Dataset load_dataset(const DataSpec& spec, Split split, const Subset& subset = {});

/// One of the two neighbouring training sets of an algorithmic-stability experiment (docs/math.md
/// §8, 003 §5.2): S = `data` without example `removed`; with `replaced` ≥ 0, S′ = S with its
/// example at index `replaced` (an index into S) replaced by the removed one. Both have N − 1
/// examples and differ in exactly one. Throws UsageError naming --drop-example / --replace-example
/// when out of range.
Dataset neighbouring_set(const Dataset& data, int64_t removed, int64_t replaced = -1);

/// Training augmentation for CIFAR-style data (docs/math.md §10): each image of `batch` [B,C,H,W]
/// is zero-padded by 4 pixels per side, cropped back to HxW at a uniform offset in [0,8]^2, and
/// flipped horizontally with probability 1/2. All draws come from `generator` (CPU), so equal
/// generator states give equal results. Returns a new contiguous batch of the same shape and dtype.
at::Tensor augment_crop_flip(const at::Tensor& batch, at::Generator& generator);

}  // namespace sharpscope
