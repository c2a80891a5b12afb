#include "sharpscope/core/progress.h"

#include <gtest/gtest.h>

#include "core/progress_line.h"

namespace sharpscope {
namespace {

TEST(IoProgress, FormatsDurations) {
  EXPECT_EQ(format_duration(0.0), "0:00");
  EXPECT_EQ(format_duration(18.4), "0:18");
  EXPECT_EQ(format_duration(59.6), "1:00");
  EXPECT_EQ(format_duration(3723.0), "1:02:03");
  EXPECT_EQ(format_duration(-5.0), "0:00");
}

TEST(IoProgress, FormatsLineWithBarRateAndEta) {
  EXPECT_EQ(progress_line("landscape", 42, 100, 3.1, "loss 0.25"),
            "landscape [########............] 42/100 3.1/s ETA 0:19 loss 0.25");
  EXPECT_EQ(progress_line("sweep", 0, 10, 0.0, ""), "sweep [....................] 0/10 ?/s ETA ?");
  EXPECT_EQ(progress_line("done", 10, 10, 2.0, ""),
            "done [####################] 10/10 2.0/s ETA 0:00");
}

// Under ctest and in CI stderr is not a terminal: nothing may be printed.
TEST(IoProgress, SilentWhenQuietOrNotATerminal) {
  testing::internal::CaptureStderr();
  {
    Progress quiet("quiet", 10, true);
    EXPECT_FALSE(quiet.visible());
    Progress piped("piped", 10);  // stderr is captured into a file, so not a tty
    EXPECT_FALSE(piped.visible());
    for (int64_t i = 0; i <= 10; ++i) piped.update(i, "detail");
    piped.finish();
    Progress::set_quiet(true);
    EXPECT_FALSE(Progress("globally quiet", 10).visible());
    Progress::set_quiet(false);
  }
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

}  // namespace
}  // namespace sharpscope
