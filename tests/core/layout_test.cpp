// The channels-last input layout and the automatic batch size change only the order of float
// operations: loss, gradient and HVP of convolutional models (a native zoo CNN with BatchNorm and
// a TorchScript one) agree with NCHW within 1e-6 relative in float32 and 1e-12 in float64.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "commands/parse.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/params.h"
#include "sharpscope/core/zoo.h"
#include "sharpscope/data/loader.h"
#include "support/testing.h"

namespace sharpscope {
namespace {

const std::string kTorchScript = std::string(SHARPSCOPE_SOURCE_DIR) + "/tests/fixtures/tiny_cnn.pt";

// The bounds. Both layouts run the same kernels' arithmetic in another order (oneDNN's
// channels-last convolution blocks the channel sums differently, pooling and BatchNorm are
// elementwise per channel): float32 sums of up to ~10⁴ terms reorder to a few 1e-7 relative,
// float64 to ~1e-15.
double tolerance(at::ScalarType dtype) { return dtype == torch::kFloat ? 1e-6 : 1e-12; }

double relative(const ParamList& a, const ParamList& b) {
  ParamList difference = clone(a);
  axpy(-1.0, b, difference);
  return norm(difference) / norm(b);
}

void expect_layouts_agree(Model& model, const Dataset& data, at::ScalarType dtype, int64_t batch) {
  model.to(torch::kCPU, dtype);
  ObjectiveOptions nchw{batch}, last{batch};
  nchw.layout = InputLayout::kContiguous;
  last.layout = InputLayout::kChannelsLast;
  const Objective a(model, data, nchw), b(model, data, last);
  ASSERT_EQ(a.layout(), InputLayout::kContiguous);
  ASSERT_EQ(b.layout(), InputLayout::kChannelsLast);
  const double tol = tolerance(dtype);
  const Evaluation ea = a.evaluate(), eb = b.evaluate();
  EXPECT_NEAR(eb.loss, ea.loss, tol * std::abs(ea.loss));
  EXPECT_EQ(eb.accuracy, ea.accuracy);
  const LossGradient ga = a.gradient(), gb = b.gradient();
  EXPECT_NEAR(gb.loss, ga.loss, tol * std::abs(ga.loss));
  EXPECT_LE(relative(gb.gradient, ga.gradient), tol);
  at::Generator generator = at::detail::createCPUGenerator(3);
  ParamList v;
  for (const at::Tensor& p : model.parameters())
    v.push_back(at::randn(p.sizes(), generator, dtype));
  EXPECT_LE(relative(b.hvp(v), a.hvp(v)), tol);
}

TEST(CoreLayout, NativeCnnChannelsLastMatchesNchw) {
  torch::manual_seed(0);
  const InputShape shape{3, 16, 16, 5};
  Model model(make_network("cnn:8,16", shape), "cnn:8,16");
  const Dataset data =
      load_dataset(cli::parse_data_spec("synthetic:96,3,16,16,5,2"), Split::kTrain);
  for (at::ScalarType dtype : {torch::kFloat, torch::kDouble}) {
    SCOPED_TRACE(dtype == torch::kFloat ? "float32" : "float64");
    expect_layouts_agree(model, data, dtype, 40);  // 96 = 40 + 40 + 16: a partial batch
  }
}

TEST(CoreLayout, TorchScriptCnnChannelsLastMatchesNchw) {
  Model model = Model::load(kTorchScript);
  const Dataset data =
      load_dataset(cli::parse_data_spec("synthetic:64,1,28,28,10,3"), Split::kTrain);
  for (at::ScalarType dtype : {torch::kFloat, torch::kDouble}) {
    SCOPED_TRACE(dtype == torch::kFloat ? "float32" : "float64");
    expect_layouts_agree(model, data, dtype, 24);
  }
}

TEST(CoreLayout, AutoPicksChannelsLastForConvolutionsOnly) {
  torch::manual_seed(0);
  const Dataset images =
      load_dataset(cli::parse_data_spec("synthetic:8,1,28,28,10,0"), Split::kTrain);
  Model cnn(make_network("cnn:32,64", {1, 28, 28, 10}), "cnn:32,64");
  Model mlp(make_network("mlp:20", {1, 28, 28, 10}), "mlp:20");
  EXPECT_EQ(resolve_layout(InputLayout::kAuto, cnn, images), InputLayout::kChannelsLast);
  EXPECT_EQ(resolve_layout(InputLayout::kAuto, mlp, images), InputLayout::kContiguous);
  EXPECT_EQ(resolve_layout(InputLayout::kContiguous, cnn, images), InputLayout::kContiguous);
  EXPECT_EQ(Objective(cnn, images).layout(), InputLayout::kChannelsLast);

  // The cache model: 32 channels × 28 × 28 float32 = 98 KiB per example, a power of two in
  // [16, 1024] that fits a third of the last-level cache; float64 halves it; no convolution: 1024.
  const BatchSizeChoice f32 = choose_batch_size(cnn, images, InputLayout::kAuto);
  EXPECT_GE(f32.size, 16);
  EXPECT_LE(f32.size, 1024);
  EXPECT_EQ(f32.size & (f32.size - 1), 0);
  EXPECT_NE(f32.reason.find("98 KiB"), std::string::npos) << f32.reason;
  cnn.to(torch::kCPU, torch::kDouble);
  const BatchSizeChoice f64 = choose_batch_size(cnn, images, InputLayout::kAuto);
  EXPECT_EQ(f64.size, std::max<int64_t>(16, f32.size / 2));
  EXPECT_EQ(choose_batch_size(mlp, images, InputLayout::kAuto).size, 1024);
  EXPECT_EQ(choose_batch_size(cnn, images, InputLayout::kContiguous).size, 1024);
}

TEST(CoreLayout, BatchSizeFlagParses) {
  EXPECT_EQ(cli::parse_batch_size("auto"), std::nullopt);
  EXPECT_EQ(cli::parse_batch_size("128"), 128);
  EXPECT_THROW(cli::parse_batch_size("0"), UsageError);
  EXPECT_THROW(cli::parse_batch_size("big"), UsageError);
  EXPECT_EQ(cli::parse_layout("channels-last"), InputLayout::kChannelsLast);
  EXPECT_THROW(cli::parse_layout("nhwc"), UsageError);
}

}  // namespace
}  // namespace sharpscope
