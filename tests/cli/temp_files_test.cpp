// Temp files across processes: a killed run's leftovers are removed by the next run of the same
// --out (and reported), a live run's temp file is never touched, and two runs writing the same
// --out at once both succeed with one complete file in place.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "sharpscope/core/atomic_file.h"
#include "sharpscope/io/h5_writer.h"
#include "support/cli.h"
#include "support/processes.h"
#include "support/scratch_dir.h"

namespace sharpscope {
namespace {

namespace fs = std::filesystem;
using testing::ScratchDir;

const std::string kFixture = std::string(SHARPSCOPE_SOURCE_DIR) + "/tests/fixtures/tiny_cnn.pt";

// A grid on the fixture over synthetic data: no data files needed.
std::vector<std::string> grid(const std::string& out, const std::string& axis) {
  return {"landscape",
          "interp",
          kFixture,
          "--dirs",
          "rand:1,rand:2",
          "--x",
          axis,
          "--y",
          axis,
          "--data",
          "synthetic:64,1,28,28,10,0",
          "--subset",
          "64",
          "--threads",
          "1",
          "--out",
          out,
          "--quiet"};
}

std::vector<std::string> with(std::vector<std::string> args, const std::string& flag) {
  args.push_back(flag);
  return args;
}

// The temp file of `out` written by process `pid` (this host).
std::string temp_of(const std::string& out, pid_t pid) {
  const std::string ours = temp_path_for(out);
  const std::string prefix = out + ".tmp." + std::to_string(::getpid()) + ".";
  return out + ".tmp." + std::to_string(pid) + "." + ours.substr(prefix.size());
}

// Waits until `path` exists (the child created it) or the child has run for a minute.
bool wait_for(const std::string& path) {
  for (int i = 0; i < 12000; ++i) {
    if (fs::exists(path)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

TEST(CliTempFiles, DeadRunsLeftoversAreRemovedAndReportedLiveAndForeignOnesKept) {
  const ScratchDir dir("cli-stale");
  const std::string out = dir.file("g.h5");
  const pid_t dead = static_cast<pid_t>(testing::dead_pid());
  const std::string stale = temp_of(out, dead);
  const std::string stale_partial = temp_of(out + ".partial.h5", dead);
  const std::string live = temp_of(out, 1);
  const std::string foreign = out + ".tmp." + std::to_string(dead) + ".another-node";
  for (const std::string& f : {stale, stale_partial, live, foreign}) std::ofstream(f) << "left";

  std::string error;
  ASSERT_EQ(testing::run_cli(grid(out, "-1:1:3"), &error), 0) << error;
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_FALSE(fs::exists(stale_partial));
  EXPECT_TRUE(fs::exists(live));
  EXPECT_TRUE(fs::exists(foreign));
  for (const std::string& f : {stale, stale_partial}) {
    EXPECT_NE(error.find("removed '" + f + "', left by process " + std::to_string(dead) +
                         ", which no longer runs"),
              std::string::npos)
        << error;
  }
  EXPECT_EQ(H5Reader(out).read("loss").size(), 9u);
}

// The case: SIGKILL mid-run used to leave OUT.tmp.PID for ever. While the killed run was
// alive, another run of the same --out finished without touching its temp file; after the kill,
// the next run (here with --resume) removes it.
TEST(CliTempFiles, KilledRunsTempIsKeptWhileItLivesAndRemovedByTheNextRun) {
  const ScratchDir dir("cli-kill");
  const std::string out = dir.file("g.h5");
  testing::Child slow(grid(out, "-1:1:301"));  // 90601 points: runs far longer than this test
  const std::string its_temp = temp_of(out, slow.pid());
  ASSERT_TRUE(wait_for(its_temp)) << "the child never created " << its_temp;

  std::string error;
  ASSERT_EQ(testing::run_cli(grid(out, "-1:1:3"), &error), 0) << error;
  EXPECT_TRUE(fs::exists(its_temp)) << "a live run's temp file was removed";
  EXPECT_EQ(error.find("removed"), std::string::npos) << error;
  ASSERT_TRUE(fs::exists(out));
  fs::remove(out);

  slow.kill(SIGKILL);
  EXPECT_EQ(slow.wait().signal, SIGKILL);
  EXPECT_TRUE(fs::exists(its_temp)) << "SIGKILL leaves the temp file";
  std::error_code ignored;
  fs::remove(out + ".partial.h5", ignored);  // a flush may have happened: other grid options

  ASSERT_EQ(testing::run_cli(with(grid(out, "-1:1:3"), "--resume"), &error), 0) << error;
  EXPECT_FALSE(fs::exists(its_temp));
  EXPECT_NE(error.find("removed '" + its_temp + "', left by process " + std::to_string(slow.pid()) +
                       ", which no longer runs"),
            std::string::npos)
      << error;
  EXPECT_EQ(testing::temp_files_in(dir.str()), std::vector<std::string>{});
}

// Two processes on one --out: each writes its own temp file and the last rename wins, so both
// succeed and the file in place is one complete result, equal to a run alone.
TEST(CliTempFiles, ConcurrentRunsOnTheSameOutNeverCorruptEachOther) {
  const ScratchDir dir("cli-concurrent");
  const std::string alone = dir.file("alone.h5");
  ASSERT_EQ(testing::run_cli(grid(alone, "-1:1:21")), 0);
  const std::vector<double> expected = H5Reader(alone).read("loss");

  const std::string out = dir.file("shared.h5");
  const std::string err_a = dir.file("a.err"), err_b = dir.file("b.err");
  testing::Child a(grid(out, "-1:1:21"), err_a), b(grid(out, "-1:1:21"), err_b);
  const testing::ProcessEnd end_a = a.wait(), end_b = b.wait();
  EXPECT_TRUE(end_a.exited(0)) << "exit " << end_a.exit_code << " signal " << end_a.signal;
  EXPECT_TRUE(end_b.exited(0)) << "exit " << end_b.exit_code << " signal " << end_b.signal;

  const H5Reader result(out);
  EXPECT_EQ(result.read("loss"), expected);  // deterministic: bit-identical
  EXPECT_EQ(testing::temp_files_in(dir.str()), std::vector<std::string>{});
  EXPECT_FALSE(fs::exists(out + ".partial.h5"));
}

}  // namespace
}  // namespace sharpscope
