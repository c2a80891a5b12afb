#include "sharpscope/core/interrupt.h"

#include <unistd.h>

#include <csignal>

#include "sharpscope/core/error.h"

namespace sharpscope {

namespace {

volatile std::sig_atomic_t g_interrupted = 0;

// Only async-signal-safe calls here: write(2) and _exit(2).
void on_signal(int) {
  if (g_interrupted) _exit(130);
  g_interrupted = 1;
  static const char kMessage[] =
      "\nsharpscope: interrupting after the current step (Ctrl-C again to quit at once)\n";
  [[maybe_unused]] const ssize_t written = ::write(2, kMessage, sizeof kMessage - 1);
}

}  // namespace

void install_interrupt_handler() {
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // file I/O in progress continues rather than failing with EINTR
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

bool interrupt_requested() { return g_interrupted != 0; }

void throw_if_interrupted(const std::string& where) {
  if (interrupt_requested())
    throw Interrupted("interrupted: partial results saved to " + where +
                      "; rerun with --resume to continue");
}

}  // namespace sharpscope
