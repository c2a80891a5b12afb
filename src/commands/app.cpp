#include "commands/app.h"

#include <c10/util/Exception.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>

#include "commands/effective_options.h"
#include "commands/registry.h"
#include "sharpscope/core/command_line.h"
#include "sharpscope/core/distributed.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/printable_text.h"
#include "sharpscope/core/version.h"

namespace sharpscope::cli {

void build_application(CLI::App& app) {
  app.set_version_flag("--version", tool_version());
  app.set_config("--config", "",
                 "Read options from a TOML/INI file, as every output records them in its 'config' "
                 "attribute (flags on the command line take precedence)");
  // Every option records its default, so an output's config reruns it exactly; subcommands take
  // their options from a config file and pass --config up to this level.
  app.option_defaults()->always_capture_default();
  app.configurable();
  app.fallthrough();
  app.require_subcommand(1);
  register_info(app);
  register_train(app);
  register_landscape(app);
  register_gradsim(app);
  register_loss_decrease(app);
  register_sharpness(app);
  register_hessian(app);
  register_escape_test(app);
  register_stability(app);
  register_toy(app);
  register_rerun(app);
  register_paraview(app);
}

namespace {

// "landscape interp": the subcommands the parse reached, for the --help hint of an error.
std::string parsed_command_path(const CLI::App& app) {
  std::string path;
  const CLI::App* at = &app;
  while (true) {
    const auto chosen = at->get_subcommands();
    if (chosen.empty()) break;
    at = chosen.front();
    path += (path.empty() ? "" : " ") + at->get_name();
  }
  return path;
}

// The launch as the environment describes it, or one rank when its variables are malformed (that
// is then the error being reported).
LaunchEnvironment launch_or_single() {
  try {
    return launch_environment();
  } catch (const UsageError&) {
    return {};
  }
}

// One line per error; in a distributed run it names the rank. After an error a rank leaves at
// once (_exit): c10d's destructors would wait for collectives the others can no longer finish.
int fail(int code, const std::string& message) {
  const LaunchEnvironment launch = launch_or_single();
  // Before the rendezvous completes the launcher's variables say who this is.
  const std::string who = world().size() > 1 ? world().who() : launch.who();
  // A DistributedError names its rank already ("rank 1/3: ..."): the prefix says it once.
  const bool named = !who.empty() && message.rfind(who + ": ", 0) == 0;
  std::cerr << "sharpscope" << (who.empty() ? "" : " [" + who + "]") << ": "
            << printable_text(named ? message.substr(who.size() + 2) : message) << "\n";
  if (launch.distributed()) {
    std::cout.flush();
    std::cerr.flush();
    std::fflush(nullptr);
    ::_exit(code);
  }
  return code;
}

}  // namespace

int run(int argc, const char* const* argv) {
  // Past a file-size limit (ulimit -f) the kernel sends SIGXFSZ, which kills by default; ignored,
  // the write fails with EFBIG instead and the output's writer reports it like a full disk.
  std::signal(SIGXFSZ, SIG_IGN);
  CLI::App app{
      "sharpscope: loss landscapes, sharpness and Hessian spectra of trained networks, and a "
      "trainer for every SAM variant.\nRun 'sharpscope COMMAND --help' for a command's options "
      "and an example."};
  build_application(app);
  set_process_command_line(joined_command_line(argc, argv));
  set_running_application(&app);
  try {
    app.parse(argc, argv);
    finish_distributed();
  } catch (const CLI::ParseError& e) {
    // --help and --version end here too, with exit code 0.
    if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
    // CLI11's own codes (104-114) and two-line message would break the exit-code contract of
    // docs/foundation.md: a flag CLI11 rejects is a usage error like any other, and a --config
    // file that is missing or malformed is an input file at fault.
    const bool file_at_fault = dynamic_cast<const CLI::FileError*>(&e) != nullptr ||
                               dynamic_cast<const CLI::ConfigError*>(&e) != nullptr;
    std::cerr << "sharpscope: " << printable_text(e.what()) << " (see 'sharpscope "
              << (parsed_command_path(app).empty() ? "" : parsed_command_path(app) + " ")
              << "--help')\n";
    return file_at_fault ? 3 : 2;
  } catch (const UsageError& e) {  // raised by option validation inside callbacks
    return fail(2, e.what());
  } catch (const InputError& e) {
    return fail(3, e.what());
  } catch (const OutputError& e) {
    return fail(4, e.what());
  } catch (const DistributedError& e) {
    return fail(5, e.what());
  } catch (const Interrupted& e) {
    return fail(130, e.what());
  } catch (const c10::Error& e) {
    return fail(1, std::string("internal error in LibTorch: ") + e.what_without_backtrace());
  } catch (const std::exception& e) {
    return fail(1, std::string("internal error: ") + e.what());
  }
  return 0;
}

}  // namespace sharpscope::cli
