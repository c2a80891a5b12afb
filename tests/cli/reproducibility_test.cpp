// Reproducibility: every command run twice with the same flags writes bit-identical datasets
// (only the timing attributes differ), and --threads and --batch-size change float32 results by
// less than 1e-6 relative.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "sharpscope/io/h5_writer.h"
#include "support/cli.h"
#include "support/scratch_dir.h"

namespace sharpscope {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

const std::string kFixture = std::string(SHARPSCOPE_SOURCE_DIR) + "/tests/fixtures/tiny_cnn.pt";
const std::string kData = "synthetic:96,1,28,28,10,3";

// Flags every analysis below shares: the fixture's input shape, a subset small enough to be quick.
std::vector<std::string> analysis(std::vector<std::string> command, const std::string& out,
                                  const std::string& batch_size = "32") {
  command.insert(command.end(), {"--data", kData, "--subset", "96", "--batch-size", batch_size,
                                 "--out", out, "--quiet"});
  return command;
}

// Every dataset of `a` is in `b` with the same shape and the same bits (NaN where NaN).
::testing::AssertionResult same_datasets(const std::string& a, const std::string& b) {
  const H5Reader first(a), second(b);
  const std::vector<std::string> names = first.datasets();
  if (names != second.datasets()) return ::testing::AssertionFailure() << "dataset lists differ";
  if (names.empty()) return ::testing::AssertionFailure() << a << " has no datasets";
  for (const std::string& name : names) {
    // Wall-clock times (hessian spectrum's per-eigenvalue "seconds") are measurements, not results.
    if (name == "seconds" || (name.size() > 8 && name.compare(name.size() - 8, 8, "/seconds") == 0))
      continue;
    std::vector<int64_t> shape_a, shape_b;
    std::vector<double> x, y;
    try {
      x = first.read(name, &shape_a);
      y = second.read(name, &shape_b);
    } catch (const std::exception&) {
      continue;  // string datasets (parameter names): compared through the lists above
    }
    if (shape_a != shape_b) return ::testing::AssertionFailure() << name << ": shapes differ";
    for (size_t i = 0; i < x.size(); ++i) {
      const bool same = std::isnan(x[i]) ? std::isnan(y[i]) : x[i] == y[i];
      if (!same)
        return ::testing::AssertionFailure()
               << name << "[" << i << "]: " << x[i] << " then " << y[i];
    }
  }
  return ::testing::AssertionSuccess();
}

struct Command {
  std::string name;
  std::vector<std::string> args;  // with "{out}" where the output goes
};

std::vector<std::string> substituted(const std::vector<std::string>& args, const std::string& out) {
  std::vector<std::string> result;
  for (const std::string& a : args) result.push_back(a == "{out}" ? out : a);
  return result;
}

TEST(CliReproducibility, EveryCommandTwiceGivesBitIdenticalDatasets) {
  const ScratchDir dir("cli-repro");
  const std::string model = dir.file("m.pt");
  // The trainer itself: its checkpoint's weights are compared below through `landscape line`.
  const std::vector<std::string> train{
      "train",    "--arch", "mlp:16", "--data",    "synthetic:128,1,8,8,3,0",
      "--epochs", "2",      "--lr",   "0.1",       "--optimizer",
      "sam",      "--rho",  "0.05",   "--threads", "2",
      "--out",    "{out}",  "--quiet"};
  ASSERT_EQ(testing::run_cli(substituted(train, model)), 0);
  ASSERT_EQ(testing::run_cli(substituted(train, dir.file("m2.pt"))), 0);

  const std::string f = kFixture;
  const std::vector<Command> commands{
      {"info", analysis({"info", f}, "{out}")},
      {"interp", analysis({"landscape", "interp", f, "--dirs", "rand:1,rand:2", "--x", "-1:1:3",
                           "--y", "-1:1:3"},
                          "{out}")},
      {"interp-v",
       analysis({"landscape", "interp", f, "--dirs", "v1,v2", "--x", "-0.5:0.5:3"}, "{out}")},
      {"ascent", analysis({"landscape", "ascent", f, "--steps", "1,2", "--k", "0:0.2:3"}, "{out}")},
      {"spectrum", analysis({"hessian", "spectrum", f, "--top", "2"}, "{out}")},
      {"trace", analysis({"hessian", "trace", f, "--probes", "4", "--tol", "0"}, "{out}")},
      {"density",
       analysis({"hessian", "density", f, "--runs", "1", "--lanczos-steps", "8"}, "{out}")},
      {"sharpness", analysis({"sharpness", f, "--kinds", "asc,max,avg"}, "{out}")},
      {"gradsim", analysis({"gradsim", f, "--steps", "0,1,2"}, "{out}")},
      {"loss-decrease", analysis({"loss-decrease", f, "--steps", "0,1"}, "{out}")},
      {"line",
       {"landscape", "line", model, dir.file("m2.pt"), "--alpha", "0:1:3", "--subset", "64",
        "--out", "{out}", "--quiet"}},
      {"escape",
       {"escape-test", model, "--optimizer", "sgd,sam", "--rho", "0.05", "--trials", "2",
        "--max-steps", "3", "--threshold", "0", "--subset", "32", "--out", "{out}", "--quiet"}},
      {"saddle", {"toy", "saddle", "--starts", "20", "--iters", "50", "--out", "{out}", "--quiet"}},
  };
  for (const Command& c : commands) {
    const std::string first = dir.file(c.name + ".1.h5"), second = dir.file(c.name + ".2.h5");
    std::string error;
    ASSERT_EQ(testing::run_cli(substituted(c.args, first), &error), 0) << c.name << ": " << error;
    ASSERT_EQ(testing::run_cli(substituted(c.args, second), &error), 0) << c.name << ": " << error;
    EXPECT_TRUE(same_datasets(first, second)) << c.name;
  }
}

// One value per grid point and command, float32 throughout. The objective sums per-batch float64
// totals, so the batch size changes only the float32 rounding inside each batch's forward pass
// (~1e-7 relative per logit); thread counts change how LibTorch splits its kernels. Both stay
// well inside 1e-6 relative of the loss.
TEST(CliReproducibility, ThreadsAndBatchSizeAgreeWithin1e6InFloat32) {
  const ScratchDir dir("cli-threads");
  const std::vector<std::string> grid{"landscape", "interp", kFixture, "--dirs", "rand:1,rand:2",
                                      "--x",       "-1:1:5", "--y",    "-1:1:5"};
  const std::vector<std::string> trace{"hessian", "trace", kFixture, "--probes", "4", "--tol", "0"};
  for (const auto& [name, command, dataset] :
       std::vector<std::tuple<std::string, std::vector<std::string>, std::string>>{
           {"grid", grid, "loss"}, {"trace", trace, "trace"}}) {
    std::vector<std::vector<double>> results;
    for (const auto& [threads, batch] : std::vector<std::pair<std::string, std::string>>{
             {"1", "96"}, {"2", "96"}, {"1", "7"}, {"2", "32"}}) {
      const std::string out = dir.file(name + "-" + threads + "-" + batch + ".h5");
      std::vector<std::string> args = analysis(command, out, batch);
      args.insert(args.end(), {"--threads", threads, "--dtype", "float32"});
      std::string error;
      ASSERT_EQ(testing::run_cli(args, &error), 0) << error;
      results.push_back(H5Reader(out).read(dataset));
    }
    for (size_t r = 1; r < results.size(); ++r) {
      ASSERT_EQ(results[r].size(), results[0].size());
      for (size_t i = 0; i < results[0].size(); ++i) {
        EXPECT_NEAR(results[r][i], results[0][i], 1e-6 * std::abs(results[0][i]))
            << name << " run " << r << " value " << i;
      }
    }
  }
}

}  // namespace
}  // namespace sharpscope
