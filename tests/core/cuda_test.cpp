// The CUDA path: the same objective on a GPU gives the CPU's numbers. Skips itself where LibTorch
// has no CUDA device (the Debian build is CPU-only; point -DTorch_DIR at a CUDA LibTorch to run
// it).
#include "sharpscope/core/error.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/params.h"
#include "sharpscope/core/runtime.h"
#include "support/testing.h"

namespace sharpscope {
namespace {

TEST(CoreCuda, ObjectiveOnGpuMatchesCpuInFloat64) {
  if (!torch::cuda::is_available()) GTEST_SKIP() << "no CUDA device";
  Model model = testing::tiny_model(9, /*batch_norm=*/true);
  const Dataset data = testing::tiny_dataset(50);
  const Objective cpu(model, data, {16});
  const Evaluation e_cpu = cpu.evaluate();
  const ParamList v = normalized(clone(model.parameters()));
  const ParamList hv_cpu = cpu.hvp(v);
  model.to(torch::Device("cuda"), torch::kDouble);
  const Objective gpu(model, data, {16});
  EXPECT_NEAR(gpu.evaluate().loss, e_cpu.loss, testing::kFloat64Exact);
  ParamList v_gpu;
  for (const auto& t : v) v_gpu.push_back(t.to(torch::Device("cuda")));
  ParamList hv_gpu = gpu.hvp(v_gpu);
  for (auto& t : hv_gpu) t = t.cpu();
  EXPECT_TRUE(testing::params_near(hv_gpu, hv_cpu, testing::kFloat64Exact, 1e-14));
}

TEST(CoreCuda, UnavailableDeviceIsAUsageError) {
  if (torch::cuda::is_available()) GTEST_SKIP() << "a CUDA device is present";
  EXPECT_THROW(configure_runtime({1, 0, c10::Device(c10::kCUDA), c10::kFloat}), UsageError);
}

}  // namespace
}  // namespace sharpscope
