#include "support/cli.h"

#include <gtest/gtest.h>

#include "commands/app.h"

namespace sharpscope::testing {

int run_cli(std::vector<std::string> args, std::string* error) {
  args.insert(args.begin(), "sharpscope");
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());
  if (error) ::testing::internal::CaptureStderr();
  const int code = cli::run(static_cast<int>(argv.size()), argv.data());
  if (error) *error = ::testing::internal::GetCapturedStderr();
  return code;
}

}  // namespace sharpscope::testing
