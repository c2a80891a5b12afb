// sharpscope landscape ascent|interp|line|eigen|trajectory: the loss around a model, between two
// models, along eigenvectors, and a training path's PCA plane.
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
  register_landscape_trajectory(*cmd);
}

}  // namespace sharpscope::cli
