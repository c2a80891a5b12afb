// sharpscope hessian density MODEL: stochastic Lanczos quadrature spectral density, with the raw
// Ritz values and weights saved for re-smoothing.
#include "commands/hessian_subcommands.h"
#include "commands/hessian_support.h"
#include "commands/parse.h"
#include "sharpscope/hessian/density.h"
#include "sharpscope/io/hessian_writers.h"

namespace sharpscope::cli {
namespace {

struct DensityFlags {
  HessianFlags hessian;
  DensityOptions options;
  std::string probe = "rademacher";
};

void run_density(const DensityFlags& f) {
  DensityOptions options = f.options;
  options.probe = parse_probe_kind(f.probe);
  options.seed = f.hessian.common.seed;
  options.validate();
  HessianRun run = open_hessian_run(f.hessian, "density");
  const auto progress =
      hvp_progress(*run.op, "hessian density",
                   static_cast<int64_t>(options.runs) * options.lanczos_steps, f.hessian);
  const DensityResult result = slq_density(*run.op, options);
  progress->finish();
  say(f.hessian.common, result.brief_report());
  write_hessian_preamble(run, f.hessian, "density",
                         {{"runs", std::to_string(options.runs)},
                          {"lanczos_steps", std::to_string(options.lanczos_steps)},
                          {"sigma_squared", number_text(options.variance)},
                          {"grid", std::to_string(options.bins)},
                          {"overhead", number_text(options.overhead)},
                          {"probe", f.probe}});
  write_density(*run.writer, result);
  commit_hessian_output(run, f.hessian);
}

}  // namespace

void register_hessian_density(CLI::App& hessian) {
  auto f = std::make_shared<DensityFlags>();
  CLI::App* cmd = hessian.add_subcommand(
      "density", "Spectral density by stochastic Lanczos quadrature (Ghorbani et al. 2019)");
  cmd->footer(
      "Examples:\n"
      "  sharpscope hessian density model.pt                       # PyHessian density()\n"
      "  sharpscope hessian density model.pt --runs 10 --lanczos-steps 90 --grid 1000\n"
      "  sharpscope hessian density model.pt --curvature ggn");
  add_hessian_flags(*cmd, f->hessian);
  cmd->add_option("--runs", f->options.runs, "Random start vectors (PyHessian n_v)")
      ->capture_default_str();
  cmd->add_option("--lanczos-steps", f->options.lanczos_steps,
                  "Lanczos steps per run (HVPs; PyHessian iter), capped at the dimension")
      ->capture_default_str();
  cmd->add_option("--sigma", f->options.variance,
                  "Gaussian broadening VARIANCE (PyHessian sigma_squared), scaled by "
                  "max(1, spectral range)")
      ->capture_default_str();
  cmd->add_option("--grid", f->options.bins, "Grid points")->capture_default_str();
  cmd->add_option("--probe", f->probe, "rademacher | gaussian start vectors")
      ->capture_default_str();
  cmd->callback([f] { run_density(*f); });
}

}  // namespace sharpscope::cli
