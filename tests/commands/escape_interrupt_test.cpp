// Ctrl-C during `sharpscope escape-test` loses no finished trial: the trials run through the one
// resumable point loop, which saves every finished row when interrupted (regression: the command
// used to keep only the rows of its last periodic save, every 5 s).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "sharpscope/io/h5_writer.h"
#include "support/cli.h"
#include "support/scratch_dir.h"

namespace sharpscope {
namespace {

std::vector<std::string> escape_args(const std::string& model, const std::string& out, int trials) {
  return {"escape-test",
          model,
          "--optimizer",
          "sgd",
          "--lr",
          "0.1",
          "--batch-size",
          "16",
          "--trials",
          std::to_string(trials),
          "--max-steps",
          "3",
          "--threshold",
          "0",
          "--subset",
          "32",
          "--threads",
          "1",
          "--quiet",
          "--out",
          out};
}

TEST(EscapeInterrupt, CtrlCKeepsEveryFinishedTrial) {
  const testing::ScratchDir scratch("escape-interrupt");
  const std::string model = scratch.file("m.pt");
  ASSERT_EQ(testing::run_cli({"train", "--arch", "mlp:8", "--data", "synthetic:128,1,8,8,3,0",
                              "--epochs", "1", "--threads", "1", "--quiet", "--out", model}),
            0);
  // Enough trials that the run is still going when the signal comes 3 s in, before the partial
  // file's first periodic save (5 s): what the file holds then is what the interrupt saved.
  const std::string out = scratch.file("escape.h5");
  std::vector<std::string> args = escape_args(model, out, 100000);
  args.insert(args.begin(), SHARPSCOPE_BINARY);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    execv(argv[0], argv.data());
    _exit(127);
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));
  kill(child, SIGINT);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_FALSE(std::filesystem::exists(out));

  const H5Reader partial(out + ".partial.h5");
  const std::vector<int64_t> done = partial.read_int("done");
  std::vector<int64_t> shape;
  const std::vector<double> values = partial.read("values", &shape);
  int64_t finished = 0;
  while (finished < static_cast<int64_t>(done.size()) && done[finished]) ++finished;
  ASSERT_GE(finished, 1) << "no trial finished in 3 s";
  EXPECT_EQ(std::count(done.begin(), done.end(), 1), finished) << "trials run in order";

  // The saved rows are the rows an uninterrupted run computes (trial k's seed depends on k only).
  const int64_t check = std::min<int64_t>(finished, 5);
  const std::string reference = scratch.file("reference.h5");
  ASSERT_EQ(testing::run_cli(escape_args(model, reference, static_cast<int>(check))), 0);
  const std::vector<double> accuracy =
      H5Reader(reference).read("accuracy");  // [1, trial, step 0..3]
  for (int64_t k = 0; k < check; ++k) {
    for (int64_t s = 0; s <= 3; ++s)
      EXPECT_EQ(values[k * shape[1] + 2 + s], accuracy[k * 4 + s]) << k << "," << s;
  }
}

}  // namespace
}  // namespace sharpscope
