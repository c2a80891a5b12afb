#pragma once
/// Where data sets come from (docs/math.md §10): the readers of Fashion-MNIST / MNIST IDX files,
/// CIFAR-10/100 binaries and the seeded synthetic set, with normalization and subset selection.
/// The --data text grammar is parsed at the command line (commands/parse.h); this takes the
/// parsed spec.
///
/// Sources and their normalization: Fashion-MNIST x/255 then (x-0.2860)/0.3530; MNIST
/// (x-0.1307)/0.3081; CIFAR-10/100 per-channel mean/std; synthetic data (seeded Gaussian class
/// blobs for tests) is used as generated (class mean + unit noise).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sharpscope/core/dataset.h"

namespace sharpscope {

enum class Split { kTrain, kTest };

/// "train" / "test".
std::string to_string(Split split);

/// The kinds of source.
enum class DataKind { kFashionMnist, kMnist, kCifar10, kCifar100, kSynthetic };
/// "fmnist" | "mnist" | "cifar10" | "cifar100" | "synthetic" (names in data set names and logs).
std::string to_string(DataKind kind);

/// Where the Debian package dataset-fashion-mnist puts its IDX files.
inline constexpr const char* kFashionMnistDirectory = "/usr/share/datasets/fashion-mnist";

/// A data source (from --data or a checkpoint's metadata).
struct DataSpec {
  DataKind kind = DataKind::kFashionMnist;
  std::string directory = kFashionMnistDirectory;  ///< IDX or CIFAR files; unused for synthetic
  std::vector<int64_t> synthetic;                  ///< N,C,H,W,K,SEED for synthetic (all six)
  std::string text = "fmnist";  ///< the spec as given, recorded in outputs and checkpoints
};

/// Whether a kind is CIFAR-style (the trainer's --augment auto turns crop + flip on for these).
bool is_cifar(DataKind kind);

/// Which examples of a split to use: the first `count` in file order (0 = all), or, when `seed`
/// is set, `count` examples drawn without replacement by that seed (then sorted by index).
/// The selection depends only on (split size, count, seed), never on the global RNG.
struct Subset {
  int64_t count = 0;
  std::optional<uint64_t> seed;
  std::string describe() const;  ///< "first 2048" / "2048 random (seed 3)" / "all"
};

/// Loads a split and applies the subset. Throws InputError naming the file when a file is missing,
/// truncated, has a wrong magic number or size, or holds out-of-range labels, and UsageError
/// (naming --subset) when the subset count is negative or exceeds the split. A first-n subset
/// reads (and inflates) only the first n records of each file, so what lies beyond them is not
/// checked; a seeded subset reads the whole split. Only the selected rows are converted to float.
/// The whole Fashion-MNIST train split (60000 images, gzip) costs ~0.5 s of CPU, two thirds of
/// it gzip inflation; its first 2048 about 1/30 of that.
Dataset load_dataset(const DataSpec& spec, Split split, const Subset& subset = {});

}  // namespace sharpscope
