#include <gtest/gtest.h>
#include <torch/torch.h>

#include <set>
#include <tuple>

#include "sharpscope/data/loader.h"

namespace sharpscope {
namespace {

constexpr int64_t kPad = 4;

// Strictly positive pixels, so the zero padding is distinguishable from image content.
at::Tensor positive_batch(int64_t count, int64_t channels, int64_t height, int64_t width) {
  at::Generator generator = at::detail::createCPUGenerator(5);
  return torch::rand({count, channels, height, width}, generator, torch::kFloat).add_(0.5);
}

at::Tensor augment(const at::Tensor& batch, uint64_t seed) {
  at::Generator generator = at::detail::createCPUGenerator(seed);
  return augment_crop_flip(batch, generator);
}

// The (row offset, column offset, flip) that turns `image` into `output`, if one does exactly.
std::optional<std::tuple<int64_t, int64_t, bool>> explain(const at::Tensor& image,
                                                          const at::Tensor& output) {
  const at::Tensor padded = torch::constant_pad_nd(image, {kPad, kPad, kPad, kPad}, 0);
  for (int64_t dy = 0; dy <= 2 * kPad; ++dy)
    for (int64_t dx = 0; dx <= 2 * kPad; ++dx)
      for (bool flip : {false, true}) {
        at::Tensor crop = padded.narrow(1, dy, image.size(1)).narrow(2, dx, image.size(2));
        if (torch::equal(flip ? crop.flip({2}) : crop, output))
          return std::make_tuple(dy, dx, flip);
      }
  return std::nullopt;
}

TEST(DataAugment, KeepsShapeAndDtypeAndReturnsANewTensor) {
  const at::Tensor batch = positive_batch(8, 3, 32, 32);
  const at::Tensor out = augment(batch, 1);
  EXPECT_EQ(out.sizes(), batch.sizes());
  EXPECT_EQ(out.scalar_type(), batch.scalar_type());
  EXPECT_TRUE(out.is_contiguous());
  EXPECT_NE(out.data_ptr(), batch.data_ptr());
}

TEST(DataAugment, SameGeneratorSeedGivesTheSameBatch) {
  const at::Tensor batch = positive_batch(16, 3, 32, 32);
  EXPECT_TRUE(torch::equal(augment(batch, 7), augment(batch, 7)));
  EXPECT_FALSE(torch::equal(augment(batch, 7), augment(batch, 8)));
}

TEST(DataAugment, AdvancesTheGeneratorBetweenCalls) {
  const at::Tensor batch = positive_batch(16, 1, 8, 8);
  at::Generator generator = at::detail::createCPUGenerator(3);
  const at::Tensor first = augment_crop_flip(batch, generator);
  EXPECT_FALSE(torch::equal(first, augment_crop_flip(batch, generator)));
}

// Every output is exactly a pad-4 crop of its own input, flipped or not; across 1024 draws all
// 9 offsets occur on both axes (each is missed with probability (8/9)^1024 < 1e-50), both flip
// states occur, and the identity (offset (4,4), no flip) occurs, as it must with probability
// 1/162 per draw. Flips are Bernoulli(1/2): over 1024 draws the fraction is 0.5 ± 0.016 (1 sd),
// so 0.5 ± 0.1 is a 6-sigma bound.
TEST(DataAugment, EachOutputIsAPaddedCropOptionallyFlipped) {
  const at::Tensor batch = positive_batch(64, 2, 6, 5);  // non-square: H and W must not be mixed
  std::set<int64_t> rows, cols;
  int64_t flips = 0, identities = 0, draws = 0;
  for (uint64_t seed = 0; seed < 16; ++seed) {
    const at::Tensor out = augment(batch, seed);
    for (int64_t i = 0; i < batch.size(0); ++i, ++draws) {
      const auto how = explain(batch[i], out[i]);
      ASSERT_TRUE(how.has_value()) << "image " << i << " with seed " << seed;
      const auto [dy, dx, flip] = *how;
      rows.insert(dy);
      cols.insert(dx);
      flips += flip;
      identities += torch::equal(out[i], batch[i]);
    }
  }
  EXPECT_EQ(rows.size(), 9u);
  EXPECT_EQ(cols.size(), 9u);
  EXPECT_GT(identities, 0);
  EXPECT_NEAR(static_cast<double>(flips) / draws, 0.5, 0.1);
}

}  // namespace
}  // namespace sharpscope
