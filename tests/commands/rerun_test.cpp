// Every output records its options (`option.*`, `command_path`, `config`), and a result re-runs
// from its own file: `sharpscope rerun OUT.h5` and `sharpscope COMMAND --config FILE`.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "sharpscope/io/h5_writer.h"
#include "support/cli.h"
#include "support/scratch_dir.h"

namespace sharpscope {
namespace {

using testing::run_cli;

class Rerun : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = scratch_.file("m.pt");
    ASSERT_EQ(run_cli({"train", "--arch", "mlp:8", "--data", "synthetic:64,1,8,8,3,0", "--epochs",
                       "1", "--batch-size", "16", "--threads", "1", "--quiet", "--out", model_}),
              0);
  }
  // Every listed dataset of the two files, bit for bit.
  static void expect_same(const std::string& a, const std::string& b,
                          const std::vector<std::string>& datasets) {
    const H5Reader first(a), second(b);
    for (const std::string& name : datasets) {
      const std::vector<double> x = first.read(name), y = second.read(name);
      ASSERT_EQ(x.size(), y.size()) << name;
      for (size_t i = 0; i < x.size(); ++i) {
        EXPECT_TRUE(x[i] == y[i] || (std::isnan(x[i]) && std::isnan(y[i])))
            << name << "[" << i << "]";
      }
    }
  }
  testing::ScratchDir scratch_{"rerun"};
  std::string model_;
};

TEST_F(Rerun, GridRerunsFromItsFileAndFromItsConfig) {
  const std::string first = scratch_.file("grid.h5");
  ASSERT_EQ(run_cli({"landscape", "interp", model_, "--dirs", "v1,rand:2", "--x", "-0.1:0.1:3",
                     "--y", "-0.1:0.1:4", "--rho", "0.05", "--subset", "0", "--threads", "1",
                     "--quiet", "--out", first}),
            0);
  const H5Reader grid(first);
  EXPECT_EQ(grid.attribute("/", "command_path"), "landscape interp");
  EXPECT_EQ(grid.attribute("/", "option.dirs"), "v1,rand:2");
  EXPECT_EQ(grid.attribute("/", "option.subset"), "0");
  EXPECT_EQ(grid.attribute("/", "option.batch_size"), "1024");  // a default, recorded too
  EXPECT_NE(grid.attribute("/", "config").find("[landscape.interp]"), std::string::npos);

  const std::string again = scratch_.file("again.h5");
  ASSERT_EQ(run_cli({"rerun", first, "--out", again}), 0);
  expect_same(first, again, {"x", "y", "loss", "accuracy"});

  // The recorded config is an ordinary --config file; flags on the command line win.
  const std::string config = scratch_.file("grid.toml");
  std::ofstream(config) << grid.attribute("/", "config");
  const std::string from_config = scratch_.file("config.h5");
  ASSERT_EQ(run_cli({"landscape", "interp", "--config", config, "--out", from_config}), 0);
  expect_same(first, from_config, {"loss", "accuracy"});
  const std::string changed = scratch_.file("changed.h5");
  ASSERT_EQ(run_cli({"rerun", first, "--out", changed, "--", "--x", "0:0.1:2"}), 0);
  EXPECT_EQ(H5Reader(changed).read("x"), (std::vector<double>{0.0, 0.1}));
}

TEST_F(Rerun, SpectrumRerunsBitForBit) {
  const std::string first = scratch_.file("spectrum.h5");
  ASSERT_EQ(run_cli({"hessian", "spectrum", model_, "--top", "2", "--dtype", "float64", "--subset",
                     "0", "--threads", "1", "--quiet", "--out", first}),
            0);
  const std::string again = scratch_.file("spectrum-again.h5");
  ASSERT_EQ(run_cli({"rerun", first, "--out", again}), 0);
  expect_same(first, again, {"eigenvalues", "residuals", "iterations", "hvps"});
  EXPECT_EQ(H5Reader(again).attribute("/", "option.dtype"), "float64");
}

TEST_F(Rerun, RefusesToOverwriteItsInputAndNamesAFileWithoutConfig) {
  const std::string first = scratch_.file("grid.h5");
  ASSERT_EQ(run_cli({"landscape", "interp", model_, "--dirs", "rand:1", "--x", "0:0.1:2",
                     "--subset", "0", "--threads", "1", "--quiet", "--out", first}),
            0);
  std::string error;
  EXPECT_EQ(run_cli({"rerun", first, "--out", first}, &error), 2);
  EXPECT_NE(error.find("would overwrite"), std::string::npos) << error;
  {
    H5Writer bare(scratch_.file("bare.h5"));
    bare.write("x", std::vector<double>{1.0});
    bare.commit();
  }
  EXPECT_EQ(run_cli({"rerun", scratch_.file("bare.h5"), "--out", scratch_.file("x.h5")}, &error),
            3);
  EXPECT_NE(error.find("bare.h5: records no config"), std::string::npos) << error;
}

}  // namespace
}  // namespace sharpscope
