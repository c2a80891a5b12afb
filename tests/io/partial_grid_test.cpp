#include "sharpscope/io/partial_grid.h"

#include <gtest/gtest.h>

#include <cmath>
#include <csignal>
#include <filesystem>

#include "sharpscope/core/error.h"
#include "support/scratch_dir.h"

namespace sharpscope {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kPoints = 5;
constexpr int64_t kWidth = 3;

std::vector<double> row_for(int64_t point) {
  return {double(point), -0.5 * double(point), point == 3 ? INFINITY : 1.0 / (point + 1)};
}

TEST(IoPartialGrid, FreshGridHasNothingDoneAndNaNValues) {
  testing::ScratchDir dir;
  const PartialGrid grid(dir.file("out.h5"), "sig", kPoints, kWidth, true);
  EXPECT_EQ(grid.partial_path(), dir.file("out.h5") + ".partial.h5");
  EXPECT_EQ(grid.completed(), 0);
  for (double v : grid.values()) EXPECT_TRUE(std::isnan(v));
}

TEST(IoPartialGrid, ResumeRestoresRecordedRows) {
  testing::ScratchDir dir;
  const std::string out = dir.file("out.h5");
  {
    PartialGrid grid(out, "landscape rho=0.05", kPoints, kWidth, false);
    grid.record(1, row_for(1));
    grid.record(3, row_for(3));
    EXPECT_FALSE(fs::exists(grid.partial_path())) << "flush_seconds has not passed";
    grid.flush();
    EXPECT_TRUE(fs::exists(grid.partial_path()));
  }
  const PartialGrid resumed(out, "landscape rho=0.05", kPoints, kWidth, true);
  EXPECT_EQ(resumed.completed(), 2);
  for (int64_t p = 0; p < kPoints; ++p) {
    EXPECT_EQ(resumed.done(p), p == 1 || p == 3) << "point " << p;
    for (int64_t c = 0; c < kWidth; ++c) {
      if (resumed.done(p))
        EXPECT_EQ(resumed.value(p, c), row_for(p)[c]) << p << "," << c;
      else
        EXPECT_TRUE(std::isnan(resumed.value(p, c))) << p << "," << c;
    }
  }
}

TEST(IoPartialGrid, RecordFlushesOnceFlushSecondsPassed) {
  testing::ScratchDir dir;
  PartialGrid grid(dir.file("out.h5"), "sig", kPoints, kWidth, false);
  grid.flush_seconds = 0.0;
  grid.record(0, row_for(0));
  EXPECT_TRUE(fs::exists(grid.partial_path()));
  EXPECT_EQ(PartialGrid(dir.file("out.h5"), "sig", kPoints, kWidth, true).completed(), 1);
  grid.discard();
  EXPECT_FALSE(fs::exists(grid.partial_path()));
  EXPECT_TRUE(fs::is_empty(dir.path())) << "no temp files left behind";
}

TEST(IoPartialGrid, SignatureOrShapeMismatchIsInputError) {
  testing::ScratchDir dir;
  const std::string out = dir.file("out.h5");
  PartialGrid grid(out, "rho=0.05", kPoints, kWidth, false);
  grid.record(2, row_for(2));
  grid.flush();
  try {
    PartialGrid other(out, "rho=0.1", kPoints, kWidth, true);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), grid.partial_path() +
                                         ": written by different options (signature mismatch); "
                                         "remove it or run without --resume");
  }
  EXPECT_THROW(PartialGrid(out, "rho=0.05", kPoints + 1, kWidth, true), InputError);
}

TEST(IoPartialGrid, WithoutResumeAnExistingPartialFileIsIgnoredThenOverwritten) {
  testing::ScratchDir dir;
  const std::string out = dir.file("out.h5");
  PartialGrid old(out, "old options", kPoints, kWidth, false);
  old.record(4, row_for(4));
  old.flush();

  PartialGrid fresh(out, "new options", kPoints, kWidth, false);
  EXPECT_EQ(fresh.completed(), 0);
  fresh.record(0, row_for(0));
  fresh.flush();
  const PartialGrid resumed(out, "new options", kPoints, kWidth, true);
  EXPECT_TRUE(resumed.done(0));
  EXPECT_FALSE(resumed.done(4));
}

TEST(IoPartialGrid, RecordRejectsWrongRowWidth) {
  testing::ScratchDir dir;
  PartialGrid grid(dir.file("out.h5"), "sig", kPoints, kWidth, false);
  EXPECT_THROW(grid.record(0, {1.0}), std::invalid_argument);
  EXPECT_THROW(grid.record(kPoints, row_for(0)), std::invalid_argument);
}

TEST(IoPartialGrid, NoInterruptMeansNoThrow) {
  EXPECT_NO_THROW(throw_if_interrupted("out.h5.partial.h5"));
}

// In a child process: signals change global state that other tests must not see.
TEST(IoPartialGrid, FirstSignalSetsFlagSecondExitsWith130) {
  EXPECT_EXIT(
      {
        install_interrupt_handler();
        std::raise(SIGINT);
        if (!interrupt_requested()) std::_Exit(1);
        try {
          throw_if_interrupted("out.h5.partial.h5");
          std::_Exit(2);
        } catch (const Interrupted& e) {
          if (std::string(e.what()) !=
              "interrupted: partial results saved to out.h5.partial.h5; "
              "rerun with --resume to continue")
            std::_Exit(3);
        }
        std::raise(SIGTERM);
        std::_Exit(4);
      },
      testing::ExitedWithCode(130), "interrupting");
}

}  // namespace
}  // namespace sharpscope
