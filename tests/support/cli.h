#pragma once
/// Runs the command-line application in-process, as `sharpscope ARGS...` would run it.
#include <string>
#include <vector>

namespace sharpscope::testing {

/// The exit code of `sharpscope args...`; with `error`, what it printed to stderr.
int run_cli(std::vector<std::string> args, std::string* error = nullptr);

}  // namespace sharpscope::testing
