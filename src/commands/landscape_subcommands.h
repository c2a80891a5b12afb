#pragma once
/// The subcommands of `sharpscope landscape`, one file each, attached by landscape.cpp.
namespace CLI {
class App;
}

namespace sharpscope::cli {

void register_landscape_ascent(CLI::App& landscape);
void register_landscape_interp(CLI::App& landscape);
void register_landscape_line(CLI::App& landscape);
void register_landscape_eigen(CLI::App& landscape);
void register_landscape_trajectory(CLI::App& landscape);

}  // namespace sharpscope::cli
