#include "sharpscope/core/point_loop.h"

#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <stdexcept>

#include "sharpscope/core/error.h"
#include "sharpscope/io/partial_grid.h"
#include "support/scratch_dir.h"

namespace sharpscope {
namespace {

std::vector<double> row_of(int64_t point) { return {static_cast<double>(point), -2.0 * point}; }

TEST(CorePointLoop, ComputesOnlyPendingPointsInOrder) {
  MemoryPoints rows(6, 2);
  rows.record(1, row_of(1));
  rows.record(4, row_of(4));
  std::vector<int64_t> computed;
  run_pending_points(rows, "test", [&](int64_t i) {
    computed.push_back(i);
    return row_of(i);
  });
  EXPECT_EQ(computed, (std::vector<int64_t>{0, 2, 3, 5}));
  EXPECT_EQ(rows.completed(), 6);
  for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(rows.value(i, 1), -2.0 * i) << i;
}

TEST(CorePointLoop, AFailureKeepsThePointsBeforeIt) {
  const testing::ScratchDir dir;
  {
    PartialGrid rows(dir.file("out.h5"), "sig", 5, 2, false);
    EXPECT_THROW(run_pending_points(rows, "test",
                                    [](int64_t i) -> std::vector<double> {
                                      if (i == 3) throw std::runtime_error("point 3 failed");
                                      return row_of(i);
                                    }),
                 std::runtime_error);
  }
  const PartialGrid resumed(dir.file("out.h5"), "sig", 5, 2, true);
  EXPECT_EQ(resumed.completed(), 3);
  EXPECT_EQ(resumed.value(2, 1), -4.0);
}

// Ctrl-C during point 3: points 0..3 are saved, however recently the store flushed (in a child
// process: the interrupt flag is process-wide and stays set).
TEST(CorePointLoop, CtrlCSavesEveryFinishedPoint) {
  const testing::ScratchDir dir;
  EXPECT_EXIT(
      {
        PartialGrid rows(dir.file("out.h5"), "sig", 8, 2, false);
        rows.flush_seconds = 1e9;  // no periodic save: only the loop's own
        try {
          run_pending_points(rows, "test", [](int64_t i) {
            if (i == 3) std::raise(SIGINT);
            return row_of(i);
          });
          std::_Exit(1);
        } catch (const Interrupted&) {
        }
        const PartialGrid saved(dir.file("out.h5"), "sig", 8, 2, true);
        std::_Exit(saved.completed() == 4 && saved.done(3) && !saved.done(4) ? 0 : 2);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace sharpscope
