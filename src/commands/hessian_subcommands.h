#pragma once
/// The subcommands of `sharpscope hessian`, one file each, attached by hessian.cpp.
namespace CLI {
class App;
}

namespace sharpscope::cli {

void register_hessian_spectrum(CLI::App& hessian);
void register_hessian_trace(CLI::App& hessian);
void register_hessian_density(CLI::App& hessian);
void register_hessian_diagonal(CLI::App& hessian);
void register_hessian_layers(CLI::App& hessian);

}  // namespace sharpscope::cli
