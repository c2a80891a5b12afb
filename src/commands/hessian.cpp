// sharpscope hessian spectrum|trace|density: eigenvalues, trace and spectral density of the
// Hessian of the mean loss, all on one HVP operator (docs/hessian.md).
#include <CLI/CLI.hpp>

#include "commands/hessian_subcommands.h"
#include "commands/registry.h"

namespace sharpscope::cli {

void register_hessian(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "hessian",
      "Hessian of the loss: extreme eigenvalues, trace, spectral density (PyHessian defaults)");
  cmd->require_subcommand(1);
  register_hessian_spectrum(*cmd);
  register_hessian_trace(*cmd);
  register_hessian_density(*cmd);
}

}  // namespace sharpscope::cli
