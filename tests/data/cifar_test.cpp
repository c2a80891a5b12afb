#include <gtest/gtest.h>
#include <torch/torch.h>

#include <array>
#include <filesystem>
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
constexpr int64_t kImageBytes = 3 * 32 * 32;

const std::array<double, 3> kCifar10Mean = {0.4914, 0.4822, 0.4465};
const std::array<double, 3> kCifar10Std = {0.2470, 0.2435, 0.2616};
const std::array<double, 3> kCifar100Mean = {0.5071, 0.4865, 0.4409};
const std::array<double, 3> kCifar100Std = {0.2673, 0.2564, 0.2762};

// Image bytes of record `r` of file `f`, distinct across records and channels.
uint8_t pixel_byte(int64_t f, int64_t r, int64_t c, int64_t y, int64_t x) {
  return static_cast<uint8_t>(f * 50 + r * 17 + c * 85 + y * 7 + x);
}

Bytes records(int64_t file, int64_t count, const Bytes& label_prefix_per_record) {
  const auto label_bytes = static_cast<int64_t>(label_prefix_per_record.size());
  Bytes bytes;
  for (int64_t r = 0; r < count; ++r) {
    for (int64_t l = 0; l < label_bytes; ++l) {
      bytes.push_back(static_cast<uint8_t>(label_prefix_per_record[l] + r));
    }
    for (int64_t i = 0; i < kImageBytes; ++i) {
      bytes.push_back(pixel_byte(file, r, i / 1024, (i / 32) % 32, i % 32));
    }
  }
  return bytes;
}

// The normalized image the reader must produce for record `r` of file `f`.
at::Tensor expected_image(int64_t f, int64_t r, const std::array<double, 3>& mean,
                          const std::array<double, 3>& std) {
  at::Tensor image = torch::empty({3, 32, 32}, torch::kDouble);
  auto a = image.accessor<double, 3>();
  for (int64_t c = 0; c < 3; ++c)
    for (int64_t y = 0; y < 32; ++y)
      for (int64_t x = 0; x < 32; ++x)
        a[c][y][x] = (pixel_byte(f, r, c, y, x) / 255.0 - mean[c]) / std[c];
  return image;
}

void expect_image(const at::Tensor& actual, const at::Tensor& expected) {
  ASSERT_EQ(actual.sizes(), expected.sizes());
  const double error = (actual.to(torch::kDouble) - expected).abs().max().item<double>();
  EXPECT_LE(error, kPixelTolerance);
}

// CIFAR-10 layout: five train batches of 2 records (labels 0,1 | 2,3 | ...) and a test batch of 3.
struct Cifar10Files {
  ScratchDir dir;
  Cifar10Files() {
    for (int f = 1; f <= 5; ++f) {
      testing::write_raw(batch(f), records(f, 2, {static_cast<uint8_t>(2 * f - 2)}));
    }
    testing::write_raw(dir.file("test_batch.bin"), records(0, 3, {4}));
  }
  std::string batch(int f) const { return dir.file("data_batch_" + std::to_string(f) + ".bin"); }
  Dataset load(Split split) const {
    return load_dataset(parse_data_spec("cifar10:" + dir.str()), split);
  }
};

TEST(DataCifar, Cifar10TrainConcatenatesTheFiveBatches) {
  const Cifar10Files files;
  const Dataset data = files.load(Split::kTrain);
  EXPECT_EQ(data.images.sizes(), (std::vector<int64_t>{10, 3, 32, 32}));
  EXPECT_TRUE(data.images.is_contiguous());
  EXPECT_EQ(data.num_classes, 10);
  EXPECT_EQ(data.name, "cifar10/train");
  EXPECT_EQ(data.normalization,
            "x/255, per channel (x-(0.4914,0.4822,0.4465))/(0.2470,0.2435,0.2616)");
  EXPECT_TRUE(torch::equal(data.labels, torch::arange(10, torch::kLong)));
  for (int64_t f = 1; f <= 5; ++f)
    for (int64_t r = 0; r < 2; ++r)
      expect_image(data.images[2 * (f - 1) + r], expected_image(f, r, kCifar10Mean, kCifar10Std));
}

TEST(DataCifar, Cifar10KnownPixel) {
  const Cifar10Files files;
  const Dataset data = files.load(Split::kTest);
  ASSERT_EQ(data.size(), 3);
  EXPECT_TRUE(torch::equal(data.labels, torch::tensor({4, 5, 6}, torch::kLong)));
  // Record 2, channel 1 (green), row 3, column 4: byte 2*17 + 85 + 21 + 4 = 144.
  ASSERT_EQ(pixel_byte(0, 2, 1, 3, 4), 144);
  EXPECT_NEAR(data.images[2][1][3][4].item<double>(), (144 / 255.0 - 0.4822) / 0.2435,
              kPixelTolerance);
}

TEST(DataCifar, Cifar100UsesTheFineLabel) {
  ScratchDir dir;
  testing::write_raw(dir.file("train.bin"), records(1, 4, {3, 90}));  // coarse 3+r, fine 90+r
  testing::write_raw(dir.file("test.bin"), records(2, 2, {0, 50}));
  const DataSpec spec = parse_data_spec("cifar100:" + dir.str());
  const Dataset train = load_dataset(spec, Split::kTrain);
  const Dataset test = load_dataset(spec, Split::kTest);
  EXPECT_EQ(train.images.sizes(), (std::vector<int64_t>{4, 3, 32, 32}));
  EXPECT_EQ(train.num_classes, 100);
  EXPECT_TRUE(torch::equal(train.labels, torch::tensor({90, 91, 92, 93}, torch::kLong)));
  EXPECT_TRUE(torch::equal(test.labels, torch::tensor({50, 51}, torch::kLong)));
  for (int64_t r = 0; r < 4; ++r) {
    expect_image(train.images[r], expected_image(1, r, kCifar100Mean, kCifar100Std));
  }
  expect_image(test.images[1], expected_image(2, 1, kCifar100Mean, kCifar100Std));
}

TEST(DataCifar, TruncatedFileNamesTheFileAndTheRecordSize) {
  const Cifar10Files files;
  Bytes bytes = records(3, 2, {5});
  bytes.pop_back();
  testing::write_raw(files.batch(3), bytes);
  try {
    files.load(Split::kTrain);
    FAIL() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(
        std::string(e.what()),
        files.batch(3) +
            ": size 6145 bytes: expected a positive multiple of the 3073-byte CIFAR-10 record");
  }
}

TEST(DataCifar, MissingBatchNamesTheFile) {
  const Cifar10Files files;
  std::filesystem::remove(files.batch(4));
  try {
    files.load(Split::kTrain);
    FAIL() << "no InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), files.batch(4) + ": no such file");
  }
}

TEST(DataCifar, LabelOutOfRangeIsAnInputError) {
  const Cifar10Files files;
  testing::write_raw(files.dir.file("test_batch.bin"), records(0, 1, {10}));
  EXPECT_THROW(files.load(Split::kTest), InputError);
}

}  // namespace
}  // namespace sharpscope
