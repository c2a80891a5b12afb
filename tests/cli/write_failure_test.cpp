// Full disks and every other write failure, end to end: exit 4 with one line naming the file and
// the cause, no final or temp file, the grid's computed points kept where they fit, and never a
// signal. Two ways to make writes fail: a file-size limit (EFBIG; needs no privilege, so it always
// runs) and a real, tiny tmpfs (ENOSPC; needs root to mount, skipped otherwise).
#include <gtest/gtest.h>

#include <filesystem>

#include "sharpscope/io/h5_writer.h"
#include "support/cli.h"
#include "support/processes.h"
#include "support/scratch_dir.h"

namespace sharpscope {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

const std::string kFixture = std::string(SHARPSCOPE_SOURCE_DIR) + "/tests/fixtures/tiny_cnn.pt";
const std::string kData = "synthetic:64,1,28,28,10,0";

std::vector<std::string> grid(const std::string& out) {
  return {"landscape", "interp", kFixture, "--dirs", "rand:1,rand:2", "--x", "-1:1:5",
          "--y",       "-1:1:5", "--data", kData,    "--subset",      "64",  "--threads",
          "1",         "--out",  out,      "--quiet"};
}

std::vector<std::string> train(const std::string& out) {
  return {"train",    "--arch", "mlp:256", "--data", "synthetic:64,1,8,8,3,0",
          "--epochs", "1",      "--lr",    "0.1",    "--threads",
          "1",        "--out",  out,       "--quiet"};
}

size_t lines(const std::string& text) {
  size_t n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

// The result file is ~90 kB (two directions of the fixture's parameters); the partial file of the
// 25 points ~7 kB. Limits in between fail the result and keep the points; 0 keeps nothing.
TEST(CliWriteFailure, InjectedFailureKeepsComputedPointsAndResumeFinishesTheSameFile) {
  const ScratchDir dir("cli-efbig");
  const std::string reference = dir.file("reference.h5");
  ASSERT_EQ(testing::run_cli(grid(reference)), 0);

  const std::string out = dir.file("g.h5");
  std::string error;
  {
    const testing::FileSizeLimit limit(20000);
    ASSERT_EQ(testing::run_cli(grid(out), &error), 4) << error;
  }
  EXPECT_EQ(lines(error), 1u) << error;
  EXPECT_EQ(error.rfind("sharpscope: " + out + ": cannot write the file: File too large", 0), 0u)
      << error;
  EXPECT_NE(error.find("the 25 computed points are saved in " + out + ".partial.h5"),
            std::string::npos)
      << error;
  EXPECT_FALSE(fs::exists(out));
  EXPECT_TRUE(fs::exists(out + ".partial.h5"));
  EXPECT_EQ(testing::temp_files_in(dir.str()), std::vector<std::string>{});

  // With room again, --resume computes nothing and writes what the uninterrupted run wrote.
  ASSERT_EQ(testing::run_cli(
                [&] {
                  auto args = grid(out);
                  args.push_back("--resume");
                  return args;
                }(),
                &error),
            0)
      << error;
  EXPECT_EQ(H5Reader(out).read("loss"), H5Reader(reference).read("loss"));
  EXPECT_FALSE(fs::exists(out + ".partial.h5"));

  fs::remove(out);
  // Nothing fits at 0 bytes, not even gtest's capture file of stderr: a child process, whose
  // stderr is a pipe.
  const testing::ProcessEnd end = testing::run_binary(grid(out), {0});
  EXPECT_TRUE(end.exited(4)) << "exit " << end.exit_code << ", signal " << end.signal;
  EXPECT_EQ(lines(end.error), 1u) << end.error;
  EXPECT_NE(end.error.find("the computed points could not be saved either"), std::string::npos)
      << end.error;
  EXPECT_TRUE(testing::directory_names(dir.str()) == std::vector<std::string>{"reference.h5"})
      << "left behind: " << testing::directory_names(dir.str()).size() << " entries";
}

TEST(CliWriteFailure, InjectedFailureOfACheckpointIsExit4WithNothingLeft) {
  const ScratchDir dir("cli-efbig-train");
  const std::string out = dir.file("m.pt");
  std::string error;
  {
    const testing::FileSizeLimit limit(30000);  // the checkpoint is ~70 kB (16 643 floats)
    ASSERT_EQ(testing::run_cli(train(out), &error), 4) << error;
  }
  EXPECT_EQ(lines(error), 1u) << error;
  EXPECT_NE(error.find(out + ": cannot write the file: File too large"), std::string::npos)
      << error;
  EXPECT_EQ(testing::temp_files_in(dir.str()), std::vector<std::string>{});
  EXPECT_FALSE(fs::exists(out));
}

// In its own process, so what happens after main returns counts: HDF5 1.10's exit handler used to
// crash on a file whose close had failed (SIGSEGV instead of exit 4).
TEST(CliWriteFailure, ExecutableExits4NeverASignal) {
  const ScratchDir dir("cli-efbig-process");
  for (const uint64_t limit : {0, 4096, 20000, 60000}) {
    const std::string out = dir.file("g" + std::to_string(limit) + ".h5");
    const testing::ProcessEnd end = testing::run_binary(grid(out), {limit});
    EXPECT_TRUE(end.exited(4)) << "limit " << limit << ": exit " << end.exit_code << ", signal "
                               << end.signal << ": " << end.error;
    EXPECT_NE(end.error.find("File too large"), std::string::npos) << end.error;
    EXPECT_FALSE(fs::exists(out));
  }
  const testing::ProcessEnd end = testing::run_binary(train(dir.file("m.pt")), {30000});
  EXPECT_TRUE(end.exited(4)) << "exit " << end.exit_code << ", signal " << end.signal << ": "
                             << end.error;
  EXPECT_EQ(testing::temp_files_in(dir.str()), std::vector<std::string>{});
}

// A real full disk: a 64 KiB tmpfs holds neither the grid's result nor the checkpoint.
TEST(CliWriteFailure, FullFileSystemIsExit4NamingTheFileAndNoSpace) {
  const testing::SmallFileSystem disk(64 * 1024);
  if (!disk.mounted()) GTEST_SKIP() << disk.why_not();
  for (const auto& args : {grid(disk.file("g.h5")), train(disk.file("m.pt"))}) {
    const testing::ProcessEnd end = testing::run_binary(args);
    EXPECT_TRUE(end.exited(4)) << args[0] << ": exit " << end.exit_code << ", signal " << end.signal
                               << ": " << end.error;
    EXPECT_EQ(lines(end.error), 1u) << end.error;
    EXPECT_NE(end.error.find("No space left on device"), std::string::npos) << end.error;
    EXPECT_NE(end.error.find(disk.path()), std::string::npos) << end.error;
  }
  EXPECT_FALSE(fs::exists(disk.file("g.h5")));
  EXPECT_FALSE(fs::exists(disk.file("m.pt")));
  EXPECT_EQ(testing::temp_files_in(disk.path()), std::vector<std::string>{});
  // The grid's points fit (a few kB) and are kept for --resume.
  EXPECT_TRUE(fs::exists(disk.file("g.h5.partial.h5")));
}

}  // namespace
}  // namespace sharpscope
