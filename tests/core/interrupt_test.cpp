#include "sharpscope/core/interrupt.h"

#include <gtest/gtest.h>

#include <csignal>
#include <string>

#include "sharpscope/core/error.h"

namespace sharpscope {
namespace {

TEST(CoreInterrupt, NoInterruptMeansNoThrow) {
  EXPECT_NO_THROW(throw_if_interrupted("out.h5.partial.h5"));
}

// In a child process: signals change global state that other tests must not see.
TEST(CoreInterrupt, FirstSignalSetsFlagSecondExitsWith130) {
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
      ::testing::ExitedWithCode(130), "interrupting");
}

}  // namespace
}  // namespace sharpscope
