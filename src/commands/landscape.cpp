// sharpscope landscape ascent|interp|line: the loss around a model and between two models.
#include <CLI/CLI.hpp>

#include "commands/landscape_subcommands.h"
#include "commands/registry.h"

namespace sharpscope::cli {

void register_landscape(CLI::App& app) {
  CLI::App* cmd = app.add_subcommand(
      "landscape",
      "Loss landscapes: along ascent directions, on 2-D grids, between two checkpoints");
  cmd->require_subcommand(1);
  register_landscape_ascent(*cmd);
  register_landscape_interp(*cmd);
  register_landscape_line(*cmd);
  register_landscape_eigen(*cmd);
}

}  // namespace sharpscope::cli
