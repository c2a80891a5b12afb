#pragma once
/// One line per subcommand: each src/commands/<name>.cpp defines its register function, which adds
/// the subcommand, its options and its callback to the application.
namespace CLI {
class App;
}

namespace sharpscope::cli {

void register_info(CLI::App& app);
void register_train(CLI::App& app);
void register_landscape(CLI::App& app);
void register_gradsim(CLI::App& app);
void register_loss_decrease(CLI::App& app);
void register_sharpness(CLI::App& app);
void register_hessian(CLI::App& app);
void register_escape_test(CLI::App& app);
void register_stability(CLI::App& app);
void register_toy(CLI::App& app);
void register_rerun(CLI::App& app);
void register_paraview(CLI::App& app);

}  // namespace sharpscope::cli
