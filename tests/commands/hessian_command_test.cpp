// `sharpscope hessian spectrum|trace|density` end to end, in-process: a native checkpoint on
// synthetic data, outputs read back from HDF5.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <string>
#include <vector>

#include "commands/app.h"
#include "sharpscope/core/checkpoint.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/zoo.h"
#include "sharpscope/io/h5_writer.h"
#include "support/cli.h"
#include "support/testing.h"

namespace sharpscope {
namespace {

using testing::run_cli;

class HessianCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = scratch_.str();
    model_ = dir_ + "/mlp.pt";
    torch::manual_seed(0);
    const InputShape shape{1, 8, 8, 3};
    Model model(make_network("mlp:6", shape), "mlp:6");
    model.metadata()["input_shape"] = to_string(shape);
    model.metadata()["data"] = "synthetic:64,1,8,8,3,0";
    save_checkpoint(model_, model);
  }
  std::vector<std::string> common(const std::string& out) const {
    return {model_, "--subset",  "0", "--dtype", "float64", "--batch-size",
            "20",   "--threads", "1", "--quiet", "--out",   dir_ + "/" + out};
  }
  std::string dir_, model_;
};

TEST_F(HessianCommand, LanczosAndPowerAgreeAndVectorsAreSaved) {
  std::vector<std::string> lanczos = {"hessian",        "spectrum", "--top", "2",
                                      "--save-vectors", "--tol",    "1e-8"};
  for (const auto& a : common("lanczos.h5")) lanczos.push_back(a);
  ASSERT_EQ(run_cli(lanczos), 0);
  std::vector<std::string> power = {"hessian", "spectrum", "--method", "power",      "--top",
                                    "1",       "--tol",    "1e-8",     "--max-iter", "5000"};
  for (const auto& a : common("power.h5")) power.push_back(a);
  ASSERT_EQ(run_cli(power), 0);

  const H5Reader l(dir_ + "/lanczos.h5"), p(dir_ + "/power.h5");
  const double top = l.read("eigenvalues")[0];
  EXPECT_GT(top, 0.0);
  // Power iteration finds the largest magnitude; on this small network it is the top eigenvalue.
  EXPECT_NEAR(p.read("eigenvalues")[0], top, 1e-6 * top);
  EXPECT_LE(l.read("residuals")[0], 1e-6 * top);
  EXPECT_EQ(l.attribute("/", "result_kind"), "hessian_spectrum");
  EXPECT_EQ(l.attribute("/", "method"), "lanczos");
  EXPECT_EQ(l.attribute("/", "hvp"), "exact");
  // mlp:6 on 1×8×8 inputs: fc 64→6 and 6→3 = 390 + 21 = 411 parameters.
  EXPECT_EQ(l.read("directions/eig1_flat").size(), 411u);
  EXPECT_TRUE(l.has("directions/eig2_flat"));
}

TEST_F(HessianCommand, TraceAndDensityWriteTheirDatasets) {
  std::vector<std::string> trace = {"hessian", "trace", "--probes", "20", "--tol", "0"};
  for (const auto& a : common("trace.h5")) trace.push_back(a);
  ASSERT_EQ(run_cli(trace), 0);
  std::vector<std::string> density = {"hessian",         "density", "--runs", "2",
                                      "--lanczos-steps", "10",      "--grid", "200"};
  for (const auto& a : common("density.h5")) density.push_back(a);
  ASSERT_EQ(run_cli(density), 0);

  const H5Reader t(dir_ + "/trace.h5");
  EXPECT_EQ(t.read("probes").size(), 20u);
  EXPECT_TRUE(std::isfinite(t.read("standard_error")[0]));
  const H5Reader d(dir_ + "/density.h5");
  std::vector<int64_t> shape;
  d.read("ritz_values", &shape);
  EXPECT_EQ(shape, (std::vector<int64_t>{2, 10}));
  EXPECT_EQ(d.read("density").size(), 200u);
  EXPECT_NEAR(d.attribute_number("/", "mass_on_grid"), 1.0, 1e-3);
}

TEST_F(HessianCommand, BadFlagsAreUsageErrors) {
  std::vector<std::string> args = {"hessian", "spectrum", "--top", "0"};
  for (const auto& a : common("bad.h5")) args.push_back(a);
  EXPECT_EQ(run_cli(args), 2);
  args = {"hessian", "trace", "--params", "^nothing"};
  for (const auto& a : common("bad.h5")) args.push_back(a);
  EXPECT_EQ(run_cli(args), 2);
}

}  // namespace
}  // namespace sharpscope
