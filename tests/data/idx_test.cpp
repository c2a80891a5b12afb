#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>

#include "commands/parse.h"
#include "data/data_files.h"
#include "sharpscope/core/error.h"
#include "sharpscope/data/loader.h"
#include "support/scratch_dir.h"

namespace sharpscope {
using cli::parse_data_spec;
namespace {

using testing::Bytes;
using testing::ScratchDir;

// Float32 arithmetic on values of magnitude < 4 (a cast, a multiply, a subtract): a few ulps.
constexpr double kPixelTolerance = 2e-6;

constexpr uint32_t kCount = 3, kRows = 2, kCols = 5;

uint8_t pixel_byte(int64_t i, int64_t y, int64_t x) {
  return static_cast<uint8_t>(i * 80 + y * 11 + x * 3);
}

Bytes known_pixels() {
  Bytes pixels;
  for (uint32_t i = 0; i < kCount; ++i)
    for (uint32_t y = 0; y < kRows; ++y)
      for (uint32_t x = 0; x < kCols; ++x) pixels.push_back(pixel_byte(i, y, x));
  return pixels;
}

const Bytes kLabels = {7, 0, 9};

// A directory holding a valid MNIST-format train split; tests then break one file.
struct IdxFiles {
  ScratchDir dir;
  std::string images = dir.file("train-images-idx3-ubyte.gz");
  std::string labels = dir.file("train-labels-idx1-ubyte.gz");
  IdxFiles() {
    testing::write_gz(images, testing::idx_images(kCount, kRows, kCols, known_pixels()));
    testing::write_gz(labels, testing::idx_labels(kLabels));
  }
  Dataset load() const {
    return load_dataset(parse_data_spec("mnist:" + dir.str()), Split::kTrain);
  }
};

// Runs `load` and returns the InputError message, or fails the test when none is thrown.
template <class F>
std::string input_error(F load) {
  try {
    load();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no InputError";
  return "";
}

TEST(DataIdx, ReadsGzipFilesWithKnownPixels) {
  const IdxFiles files;
  const Dataset data = files.load();
  EXPECT_EQ(data.images.sizes(), (std::vector<int64_t>{kCount, 1, kRows, kCols}));
  EXPECT_EQ(data.images.scalar_type(), torch::kFloat);
  EXPECT_EQ(data.labels.scalar_type(), torch::kLong);
  EXPECT_EQ(data.num_classes, 10);
  EXPECT_EQ(data.name, "mnist/train");
  EXPECT_EQ(data.normalization, "x/255, (x-0.1307)/0.3081");
  for (int64_t i = 0; i < kCount; ++i) {
    EXPECT_EQ(data.labels[i].item<int64_t>(), kLabels[i]);
    for (int64_t y = 0; y < kRows; ++y)
      for (int64_t x = 0; x < kCols; ++x) {
        const double expected = (pixel_byte(i, y, x) / 255.0 - 0.1307) / 0.3081;
        EXPECT_NEAR(data.images[i][0][y][x].item<double>(), expected, kPixelTolerance);
      }
  }
}

TEST(DataIdx, ReadsRawFilesLikeGzipFiles) {
  const IdxFiles gz;
  ScratchDir raw;
  testing::write_raw(raw.file("train-images-idx3-ubyte"),
                     testing::idx_images(kCount, kRows, kCols, known_pixels()));
  testing::write_raw(raw.file("train-labels-idx1-ubyte"), testing::idx_labels(kLabels));
  const Dataset from_raw = load_dataset(parse_data_spec("mnist:" + raw.str()), Split::kTrain);
  const Dataset from_gz = gz.load();
  EXPECT_TRUE(torch::equal(from_raw.images, from_gz.images));
  EXPECT_TRUE(torch::equal(from_raw.labels, from_gz.labels));
}

TEST(DataIdx, WrongImageMagicNamesTheFile) {
  const IdxFiles files;
  testing::write_gz(files.images, testing::idx_images(kCount, kRows, kCols, known_pixels(), 2049));
  const std::string message = input_error([&] { files.load(); });
  EXPECT_EQ(message, files.images + ": bad magic number 2049: expected 2051 (IDX images)");
}

TEST(DataIdx, WrongLabelMagicNamesTheFile) {
  const IdxFiles files;
  testing::write_gz(files.labels, testing::idx_labels(kLabels, 2051));
  const std::string message = input_error([&] { files.load(); });
  EXPECT_EQ(message, files.labels + ": bad magic number 2051: expected 2049 (IDX labels)");
}

TEST(DataIdx, TruncatedImagesNameTheFileAndTheSizes) {
  const IdxFiles files;
  Bytes pixels = known_pixels();
  pixels.resize(pixels.size() - 4);
  testing::write_gz(files.images, testing::idx_images(kCount, kRows, kCols, pixels));
  const std::string message = input_error([&] { files.load(); });
  EXPECT_EQ(message, files.images + ": truncated: expected 30 bytes of image data, got 26");
}

TEST(DataIdx, TruncatedHeaderNamesTheFile) {
  const IdxFiles files;
  testing::write_raw(files.images, {0, 0, 8, 3, 0});
  const std::string message = input_error([&] { files.load(); });
  EXPECT_EQ(message, files.images + ": truncated: expected a 16-byte IDX header, got 5 bytes");
}

TEST(DataIdx, TrailingBytesAreRejected) {
  const IdxFiles files;
  Bytes pixels = known_pixels();
  pixels.push_back(0);
  testing::write_gz(files.images, testing::idx_images(kCount, kRows, kCols, pixels));
  const std::string message = input_error([&] { files.load(); });
  EXPECT_EQ(message, files.images + ": trailing data: expected 30 bytes of image data, got 31");
}

TEST(DataIdx, ImageAndLabelCountsMustAgree) {
  const IdxFiles files;
  testing::write_gz(files.labels, testing::idx_labels({1, 2}));
  const std::string message = input_error([&] { files.load(); });
  EXPECT_NE(message.find(files.labels), std::string::npos) << message;
  EXPECT_NE(message.find(files.images), std::string::npos) << message;
}

TEST(DataIdx, LabelOutOfRangeNamesTheFile) {
  const IdxFiles files;
  testing::write_gz(files.labels, testing::idx_labels({1, 10, 2}));
  const std::string message = input_error([&] { files.load(); });
  EXPECT_EQ(message, files.labels + ": label 10 of example 1: expected a class in [0, 10)");
}

TEST(DataIdx, ZeroImageSideIsRejected) {
  const IdxFiles files;
  testing::write_gz(files.images, testing::idx_images(kCount, 0, kCols, {}));
  const std::string message = input_error([&] { files.load(); });
  EXPECT_NE(message.find(files.images + ": image size 0x5"), std::string::npos) << message;
}

TEST(DataIdx, FirstNSubsetReadsOnlyThoseRecords) {
  const IdxFiles files;
  // Damage everything after the first two records of both files: a first-2 subset never reads
  // it, the whole split does and says so.
  Bytes pixels = known_pixels();
  pixels.resize(2 * kRows * kCols + 3);
  testing::write_gz(files.images, testing::idx_images(kCount, kRows, kCols, pixels));
  testing::write_gz(files.labels, testing::idx_labels({7, 0, 200}));
  const DataSpec spec = parse_data_spec("mnist:" + files.dir.str());
  const Dataset first = load_dataset(spec, Split::kTrain, {2, std::nullopt});
  ASSERT_EQ(first.size(), 2);
  EXPECT_EQ(first.labels[1].item<int64_t>(), 0);
  const double expected = (pixel_byte(1, 1, 4) / 255.0 - 0.1307) / 0.3081;
  EXPECT_NEAR(first.images[1][0][1][4].item<double>(), expected, kPixelTolerance);
  EXPECT_EQ(input_error([&] {
              load_dataset(spec, Split::kTrain, {3, std::nullopt});
            }),
            files.images + ": truncated: expected 30 bytes of image data, got 23");
  // A seeded subset draws from the whole split, so it reads it all.
  EXPECT_FALSE(input_error([&] { load_dataset(spec, Split::kTrain, {2, 1u}); }).empty());
  // The split's size still comes from the header: a subset beyond it is a usage error.
  const IdxFiles intact;
  EXPECT_THROW(
      load_dataset(parse_data_spec("mnist:" + intact.dir.str()), Split::kTrain, {4, std::nullopt}),
      UsageError);
}

TEST(DataIdx, MissingFileNamesThePath) {
  ScratchDir empty;
  const std::string message =
      input_error([&] { load_dataset(parse_data_spec("fmnist:" + empty.str()), Split::kTest); });
  EXPECT_NE(message.find(empty.file("t10k-images-idx3-ubyte.gz")), std::string::npos) << message;
}

}  // namespace
}  // namespace sharpscope
