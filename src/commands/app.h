#pragma once
/// The sharpscope command-line application: builds the CLI11 tree of subcommands, runs the chosen
/// one and maps errors to exit codes. main() and the in-process CLI tests both call run().
namespace CLI {
class App;
}

namespace sharpscope::cli {

/// Exit codes: 0 ok, 1 internal failure, 2 usage (bad flag value), 3 bad input (model or data),
/// 4 output not writable, 5 a distributed run lost a rank (docs/distributed.md), 130 interrupted
/// (partial results saved).
int run(int argc, const char* const* argv);

/// Adds every subcommand and the shared settings (--config, recorded defaults) to `app`; run()
/// uses it, and `rerun` builds a second application with it.
void build_application(CLI::App& app);

}  // namespace sharpscope::cli
