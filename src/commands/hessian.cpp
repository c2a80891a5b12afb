// sharpscope hessian spectrum|trace|density|diagonal|layers: eigenvalues, trace, spectral density,
// diagonal and per-layer blocks of the Hessian, the GGN or a Fisher of the mean loss, all on the
// one curvature operator concept (docs/hessian.md).
#include <CLI/CLI.hpp>

#include "commands/hessian_subcommands.h"
#include "commands/registry.h"

namespace sharpscope::cli {

void register_hessian(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "hessian",
      "Hessian (or GGN, Fisher) of the loss: extreme eigenvalues, trace, spectral density, "
      "diagonal, per-layer blocks (PyHessian defaults)");
  cmd->require_subcommand(1);
  register_hessian_spectrum(*cmd);
  register_hessian_trace(*cmd);
  register_hessian_density(*cmd);
  register_hessian_diagonal(*cmd);
  register_hessian_layers(*cmd);
}

}  // namespace sharpscope::cli
