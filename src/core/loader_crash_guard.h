#pragma once
// LibTorch's readers of model files are not safe against hostile bytes: a crafted TorchScript
// archive makes torch::jit::load dereference a wild pointer in its type parser (LibTorch 1.13,
// ScriptTypeParser::parseClassConstant; tests/fuzz/libtorch_findings/README.md). Such a fault
// cannot be caught as an exception. While a guard lives, a SIGSEGV, SIGBUS or SIGFPE ends the
// process with one line naming the file and exit code 3 (an input at fault), instead of a core
// dump; nothing else can be trusted after such a fault, so the handler only writes and exits.
#include <csignal>
#include <iterator>
#include <string>

namespace sharpscope {

class LoaderCrashGuard {
 public:
  /// Installs the handlers for a read of `path` by LibTorch; one guard at a time (the main
  /// thread's model loading).
  explicit LoaderCrashGuard(const std::string& path);
  ~LoaderCrashGuard();
  LoaderCrashGuard(const LoaderCrashGuard&) = delete;
  LoaderCrashGuard& operator=(const LoaderCrashGuard&) = delete;

 private:
  static constexpr int kSignals[] = {SIGSEGV, SIGBUS, SIGFPE};
  struct sigaction previous_[std::size(kSignals)];
};

}  // namespace sharpscope
