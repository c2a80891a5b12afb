#include "core/loader_crash_guard.h"

#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "sharpscope/core/printable_text.h"

namespace sharpscope {
namespace {

// Written before the read starts: the handler may only call async-signal-safe functions.
char message[4096];
size_t message_length = 0;

void report_and_exit(int /*signal*/) {
  (void)!::write(STDERR_FILENO, message, message_length);
  ::_exit(3);
}

}  // namespace

LoaderCrashGuard::LoaderCrashGuard(const std::string& path) {
  const std::string text = "sharpscope: " + printable_text(path) +
                           ": LibTorch crashed reading this file (a corrupt or hostile model "
                           "archive; only load model files you trust)\n";
  message_length = std::min(text.size(), sizeof message);
  std::memcpy(message, text.data(), message_length);
  struct sigaction action {};
  action.sa_handler = report_and_exit;
  sigemptyset(&action.sa_mask);
  for (size_t i = 0; i < std::size(kSignals); ++i) sigaction(kSignals[i], &action, &previous_[i]);
}

LoaderCrashGuard::~LoaderCrashGuard() {
  for (size_t i = 0; i < std::size(kSignals); ++i) sigaction(kSignals[i], &previous_[i], nullptr);
}

}  // namespace sharpscope
