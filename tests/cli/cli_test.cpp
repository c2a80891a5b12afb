// In-process command-line tests: parse real argument vectors through cli::run and read the HDF5
// back. Each bad input must give its exit code and leave no output file behind.
#include <filesystem>
#include <fstream>

#include "commands/app.h"
#include "sharpscope/io/h5_writer.h"
#include "support/testing.h"

namespace sharpscope {
namespace {

const std::string kFixture = std::string(SHARPSCOPE_SOURCE_DIR) + "/tests/fixtures/tiny_cnn.pt";

int run(std::vector<std::string> args) {
  args.insert(args.begin(), "sharpscope");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  return cli::run(static_cast<int>(argv.size()), argv.data());
}

TEST(Cli, InfoWritesSelfDescribingHdf5) {
  const std::string out = testing::temp_directory("cli") + "/info.h5";
  ASSERT_EQ(run({"info", kFixture, "--data", "fmnist", "--split", "test", "--subset", "64",
                 "--dtype", "float64", "--threads", "1", "--out", out, "--quiet"}),
            0);
  const H5Reader file(out);
  std::ifstream expected(std::string(SHARPSCOPE_SOURCE_DIR) + "/tests/fixtures/tiny_cnn.expected.txt");
  double loss = 0.0;
  expected >> loss;
  // Python normalizes the float32 pixels in another order of operations (see model_test.cpp).
  EXPECT_NEAR(file.read("loss").at(0), loss, 1e-7 * loss);
  for (const char* key : {"command_line", "tool_version", "model", "model_sha256", "data", "split",
                          "subset", "seed", "dtype", "device", "threads", "start_time", "duration_s"}) {
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
  const std::string dir = testing::temp_directory("cli-bad");
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
  };
  for (const BadInput& c : cases) {
    EXPECT_EQ(run(c.args), c.exit_code) << c.args[1] << " " << (c.args.size() > 3 ? c.args[3] : "");
    EXPECT_FALSE(std::filesystem::exists(out));
  }
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();
  }
}

TEST(Cli, EveryCommandHelpShowsAnExample) {
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(run({"info", "--help"}), 0);
  EXPECT_NE(::testing::internal::GetCapturedStdout().find("Example"), std::string::npos);
}

}  // namespace
}  // namespace sharpscope
