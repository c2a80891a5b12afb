// sharpscope hessian layers MODEL: per parameter tensor or module, the top eigenvalues and trace of
// its diagonal block of the Hessian, GGN or a Fisher (PyHessian issue #10), as a table and HDF5.
#include <cstdio>

#include "commands/hessian_subcommands.h"
#include "commands/hessian_support.h"
#include "commands/parse.h"
#include "sharpscope/core/model.h"
#include "sharpscope/hessian/layers.h"
#include "sharpscope/io/hessian_writers.h"

namespace sharpscope::cli {
namespace {

struct LayersFlags {
  HessianFlags hessian;
  std::string group_by = "tensor";
  int top = 1;
  std::string method = "lanczos";
  double tol = 1e-3;
  int max_iter = 100;
  int probes = 100;
  double trace_tol = 1e-3;
  double rel_se = 0.0;
  int64_t dense_max = 256;
};

void print_table(const std::vector<LayerCurvature>& layers, int k, const std::string& method) {
  std::printf("%-28s %9s", "group", "size");
  for (int j = 0; j < k; ++j) std::printf(" %14s", ("lambda" + std::to_string(j + 1)).c_str());
  std::printf(" %15s %11s %7s %8s\n", "trace", "trace SE", "how", "HVPs");
  for (const LayerCurvature& l : layers) {
    std::printf("%-28s %9lld", l.group.name.c_str(), static_cast<long long>(l.group.size));
    for (int j = 0; j < k; ++j) {
      if (static_cast<size_t>(j) < l.eigenvalues.size()) {
        std::printf(" %14.8g", l.eigenvalues[static_cast<size_t>(j)]);
      } else {
        std::printf(" %14s", "-");
      }
    }
    std::printf(" %15.8g %11.3g %7s %8lld%s\n", l.trace, l.trace_se,
                l.dense ? "exact" : method.c_str(), static_cast<long long>(l.hvps),
                l.converged ? "" : "  (not converged)");
  }
  std::fflush(stdout);
}

void run_layers(const LayersFlags& f) {
  LayerOptions options;
  options.spectrum.method = parse_eigen_method(f.method);
  options.spectrum.k = f.top;
  options.spectrum.tol = f.tol;
  options.spectrum.max_iter = f.max_iter;
  options.spectrum.seed = f.hessian.common.seed;
  options.trace.max_probes = f.probes;
  options.trace.tol = f.trace_tol;
  options.trace.rel_se = f.rel_se;
  options.trace.seed = f.hessian.common.seed;
  options.dense_max = f.dense_max;
  options.validate();
  const GroupBy by = parse_group_by(f.group_by);
  // The whole-model operator checks the flags and says what is analysed; the blocks are its
  // principal sub-blocks.
  HessianRun run = open_hessian_run(f.hessian, "layers");
  std::vector<int64_t> sizes;
  for (const at::Tensor& t : run.session.model.parameters()) sizes.push_back(t.numel());
  const std::vector<ParameterGroup> groups =
      group_parameters(run.session.model.parameter_names(), sizes, run.op->selected(), by);
  Progress progress(
      "hessian layers (products, at most " + std::to_string(max_layer_hvps(groups, options)) + ")",
      max_layer_hvps(groups, options), f.hessian.common.quiet);
  const std::vector<LayerCurvature> layers = analyze_layers(
      *run.session.objective, run.options, groups, options,
      [&](size_t g, int64_t, int64_t total) { progress.update(total, groups[g].name); });
  progress.finish();
  int64_t total = 0;
  for (const LayerCurvature& l : layers) total += l.hvps;
  if (!f.hessian.common.quiet) print_table(layers, f.top, f.method);
  say(f.hessian.common, std::to_string(groups.size()) + " groups by " + f.group_by + ", " +
                            std::to_string(total) + " products");

  write_hessian_preamble(run, f.hessian, "layers",
                         {{"group_by", f.group_by},
                          {"top", std::to_string(f.top)},
                          {"method", f.method},
                          {"tol", number_text(f.tol)},
                          {"max_iter", std::to_string(f.max_iter)},
                          {"probes", std::to_string(f.probes)},
                          {"trace_tol", number_text(f.trace_tol)},
                          {"rel_se", number_text(f.rel_se)},
                          {"dense_max", std::to_string(f.dense_max)}});
  run.writer->attribute("/", "group_by", to_string(by));
  write_layers(*run.writer, layers, f.top);
  commit_hessian_output(run, f.hessian);
}

}  // namespace

void register_hessian_layers(CLI::App& hessian) {
  auto f = std::make_shared<LayersFlags>();
  CLI::App* cmd = hessian.add_subcommand(
      "layers",
      "Per tensor or module: top eigenvalues and trace of its diagonal block of the curvature");
  cmd->footer(
      "Examples:\n"
      "  sharpscope hessian layers model.pt                          # per tensor, lambda1 + "
      "trace\n"
      "  sharpscope hessian layers model.pt --group-by module --top 3 --curvature ggn");
  add_hessian_flags(*cmd, f->hessian);
  cmd->add_option("--group-by", f->group_by, "tensor | module (name before the last '.')")
      ->capture_default_str();
  cmd->add_option("--top", f->top, "Eigenvalues per block")->capture_default_str();
  cmd->add_option("--method", f->method, "Eigen-solver of large blocks: lanczos | power")
      ->capture_default_str();
  cmd->add_option("--tol", f->tol, "Eigen-solver tolerance (as hessian spectrum)")
      ->capture_default_str();
  cmd->add_option("--max-iter", f->max_iter, "Eigen-solver iterations (as hessian spectrum)")
      ->capture_default_str();
  cmd->add_option("--probes", f->probes, "Trace of large blocks: maximum Hutchinson probes")
      ->capture_default_str();
  cmd->add_option("--trace-tol", f->trace_tol, "Trace: PyHessian's stop (as hessian trace --tol)")
      ->capture_default_str();
  cmd->add_option("--rel-se", f->rel_se, "Trace: stop when SE/|trace| < this (0 = off)")
      ->capture_default_str();
  cmd->add_option("--dense-max", f->dense_max,
                  "Blocks of at most this many scalars are assembled exactly (d_g products)")
      ->capture_default_str();
  cmd->callback([f] { run_layers(*f); });
}

}  // namespace sharpscope::cli
