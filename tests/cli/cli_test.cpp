// In-process command-line tests: parse real argument vectors through cli::run and read the HDF5
// back. Each bad input must give its exit code and leave no output file behind.
#include "support/cli.h"

#include <filesystem>
#include <fstream>

#include "commands/app.h"
#include "sharpscope/io/h5_writer.h"
#include "support/scratch_dir.h"
#include "support/testing.h"

namespace sharpscope {
namespace {

const std::string kFixture = std::string(SHARPSCOPE_SOURCE_DIR) + "/tests/fixtures/tiny_cnn.pt";

int run(std::vector<std::string> args) { return testing::run_cli(std::move(args)); }

TEST(Cli, InfoWritesSelfDescribingHdf5) {
  const testing::ScratchDir scratch("cli");
  const std::string out = scratch.file("info.h5");
  ASSERT_EQ(run({"info", kFixture, "--data", "fmnist", "--split", "test", "--subset", "64",
                 "--dtype", "float64", "--threads", "1", "--out", out, "--quiet"}),
            0);
  const H5Reader file(out);
  std::ifstream expected(std::string(SHARPSCOPE_SOURCE_DIR) +
                         "/tests/fixtures/tiny_cnn.expected.txt");
  double loss = 0.0;
  expected >> loss;
  // Python normalizes the float32 pixels in another order of operations (see model_test.cpp).
  EXPECT_NEAR(file.read("loss").at(0), loss, 1e-7 * loss);
  for (const char* key :
       {"command_line", "tool_version", "model", "model_sha256", "data", "split", "subset", "seed",
        "dtype", "device", "threads", "start_time", "duration_s"}) {
    EXPECT_NO_THROW(file.attribute("/", key)) << key;
  }
  EXPECT_EQ(file.attribute("/", "dtype"), "float64");
  EXPECT_EQ(file.attribute("/", "subset"), "first 64");
  EXPECT_NE(file.attribute("/", "command_line").find("--subset 64"), std::string::npos);
}

struct BadInput {
  std::vector<std::string> args;
  int exit_code;
};

TEST(Cli, BadInputGivesItsExitCodeAndNoOutput) {
  const testing::ScratchDir scratch("cli-bad");
  const std::string dir = scratch.str();
  const std::string out = dir + "/out.h5";
  const std::string corrupt = dir + "/corrupt.pt";
  std::ofstream(corrupt) << "garbage";
  const std::vector<BadInput> cases{
      {{"info", dir + "/missing.pt", "--out", out}, 3},
      {{"info", corrupt, "--out", out}, 3},
      {{"info", kFixture, "--data", "imagenet", "--out", out}, 2},
      {{"info", kFixture, "--data", "fmnist:" + dir, "--out", out}, 3},  // no IDX files there
      {{"info", kFixture, "--data", "synthetic:8,3,32,32,10,0", "--out", out}, 3},  // input shape
      {{"info", kFixture, "--data", "synthetic:8,1,28,28,4,0", "--out", out}, 3},   // class count
      {{"info", kFixture, "--batch-size", "0", "--out", out}, 2},
      {{"info", kFixture, "--subset", "-5", "--out", out}, 2},
      {{"info", kFixture, "--subset", "100000", "--out", out}, 2},
      {{"info", kFixture, "--split", "validation", "--out", out}, 2},
      {{"info", kFixture, "--dtype", "float16", "--out", out}, 2},
      {{"info", kFixture, "--device", "tpu", "--out", out}, 2},
      {{"info", kFixture, "--subset", "8", "--out", dir + "/no/such/dir/out.h5"}, 4},
      {{"escape-test", kFixture, "--threshold", "0.9", "--drop", "0.1", "--out", out}, 2},
      {{"escape-test", kFixture, "--optimizer", "adam", "--out", out}, 2},
      {{"escape-test", kFixture, "--rho", "0.1,-1", "--out", out}, 2},
      {{"toy", "saddle", "--lrs", "0:0.3:10:log", "--out", out}, 2},
      {{"toy", "saddle", "--optimizers", "gd,adam", "--out", out}, 2},
      {{"toy", "saddle", "--criterion", "close", "--out", out}, 2},
      {{"toy", "valley", "--loss", "cubic", "--out", out}, 2},
      {{"stability", "--optimizer", "sgd", "--train-subset", "1", "--out", out}, 2},
  };
  for (const BadInput& c : cases) {
    EXPECT_EQ(run(c.args), c.exit_code) << c.args[1] << " " << (c.args.size() > 3 ? c.args[3] : "");
    EXPECT_FALSE(std::filesystem::exists(out));
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();
  }
}

// The dynamics commands end to end on small cases: the files carry their layout and provenance.
TEST(Cli, DynamicsCommandsWriteTheirLayouts) {
  const testing::ScratchDir scratch("cli-dynamics");
  const std::string dir = scratch.str();
  const std::string model = dir + "/minimum.pt";
  ASSERT_EQ(run({"train", "--arch", "mlp:16", "--data", "synthetic:256,1,8,8,3,0", "--epochs", "4",
                 "--lr", "0.1", "--threads", "1", "--out", model, "--quiet"}),
            0);
  ASSERT_EQ(run({"escape-test",  model,
                 "--optimizer",  "sgd,sam",
                 "--rho",        "0.05,0.1",
                 "--lr",         "0.1",
                 "--batch-size", "32",
                 "--trials",     "3",
                 "--max-steps",  "4",
                 "--threshold",  "0",
                 "--subset",     "64",
                 "--threads",    "1",
                 "--out",        dir + "/escape.h5",
                 "--quiet"}),
            0);
  const H5Reader escape(dir + "/escape.h5");
  EXPECT_EQ(escape.attribute("/", "result_kind"), "escape_time");
  std::vector<int64_t> shape;
  escape.read("accuracy", &shape);
  EXPECT_EQ(shape, (std::vector<int64_t>{3, 3, 5}));
  EXPECT_EQ(escape.read_int("censored"),
            std::vector<int64_t>(9, 1));  // threshold 0: nobody escapes
  EXPECT_EQ(escape.read_int("steps"), std::vector<int64_t>(9, 4));
  EXPECT_EQ(escape.attribute("/", "option.threshold"), "0");
  EXPECT_NO_THROW(escape.attribute("/", "model_sha256"));

  // landscape eigen over a two-checkpoint series (the same model twice: identical rows).
  ASSERT_EQ(
      run({"landscape", "eigen", model, model, "--top", "2", "--x", "-1:1:5", "--subset", "64",
           "--dtype", "float64", "--threads", "1", "--out", dir + "/eigen.h5", "--quiet"}),
      0);
  const H5Reader eigen(dir + "/eigen.h5");
  EXPECT_EQ(eigen.attribute("/", "result_kind"), "eigen_lines");
  const std::vector<double> lines = eigen.read("loss", &shape);
  EXPECT_EQ(shape, (std::vector<int64_t>{2, 2, 5}));
  for (size_t i = 0; i < 10; ++i) EXPECT_DOUBLE_EQ(lines[i], lines[10 + i]);
  const std::vector<double> lambda = eigen.read("eigenvalue");
  EXPECT_GE(lambda[0], lambda[1]);
  EXPECT_TRUE(eigen.has("directions/model1/eig2"));

  ASSERT_EQ(run({"toy", "saddle", "--starts", "50", "--lrs", "0.01:0.1:3:log", "--rho", "0.2",
                 "--iters", "200", "--out", dir + "/saddle.h5", "--quiet"}),
            0);
  const H5Reader saddle(dir + "/saddle.h5");
  saddle.read("success_rate", &shape);
  EXPECT_EQ(shape, (std::vector<int64_t>{3, 3}));  // gd, sam 0.2, stablesam 0.2 × 3 learning rates
  EXPECT_NEAR(saddle.read("lr")[1], std::sqrt(0.01 * 0.1), 1e-15);
  EXPECT_EQ(saddle.attribute("/", "criterion"), "basin");

  ASSERT_EQ(run({"toy", "valley", "--loss", "linex", "--rho", "1,2", "--out", dir + "/valley.h5",
                 "--quiet"}),
            0);
  const H5Reader valley(dir + "/valley.h5");
  valley.read("sam_objective", &shape);
  EXPECT_EQ(shape, (std::vector<int64_t>{2, 4001}));
  EXPECT_EQ(valley.read("sam_minima/w").size(), 2u);
}

TEST(Cli, EveryCommandHelpShowsAnExample) {
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(run({"info", "--help"}), 0);
  EXPECT_NE(::testing::internal::GetCapturedStdout().find("Example"), std::string::npos);
}

}  // namespace
}  // namespace sharpscope
