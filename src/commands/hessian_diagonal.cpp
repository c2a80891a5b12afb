// sharpscope hessian diagonal MODEL: the diagonal of the Hessian, GGN or a Fisher, exactly on small
// models and by Hutchinson or Diag++ with standard errors on large ones, per parameter tensor.
#include <algorithm>
#include <cstdio>

#include "commands/hessian_subcommands.h"
#include "commands/hessian_support.h"
#include "commands/parse.h"
#include "sharpscope/hessian/diagonal.h"
#include "sharpscope/io/hessian_writers.h"

namespace sharpscope::cli {
namespace {

struct DiagonalFlags {
  HessianFlags hessian;
  std::string method = "auto";
  int probes = 150;
  int64_t exact_max = 2048;
};

void print_table(const DiagonalResult& r, const std::vector<std::string>& names,
                 const std::vector<Eigen::Index>& offsets) {
  std::printf("%-28s %9s %15s %11s %13s %13s\n", "tensor", "size", "trace(block)", "SE", "min diag",
              "max diag");
  for (size_t j = 0; j < names.size(); ++j) {
    const Eigen::VectorXd block = r.diagonal.segment(offsets[j], offsets[j + 1] - offsets[j]);
    std::printf("%-28s %9lld %15.8g %11.3g %13.5g %13.5g\n", names[j].c_str(),
                static_cast<long long>(block.size()), r.block_sums[j], r.block_sums_se[j],
                block.minCoeff(), block.maxCoeff());
  }
  std::fflush(stdout);
}

// The selected tensors of a full parameter list (to_params fills the others with zeros).
ParamList selected_tensors(const CurvatureOperator& op, const Eigen::VectorXd& flat) {
  const ParamList full = op.to_params(flat);
  ParamList out;
  for (size_t i : op.selected()) out.push_back(full[i]);
  return out;
}

void run_diagonal(const DiagonalFlags& f) {
  DiagonalOptions options;
  options.method = parse_diagonal_method(f.method);
  options.probes = f.probes;
  options.exact_max = f.exact_max;
  options.seed = f.hessian.common.seed;
  options.validate();
  HessianRun run = open_hessian_run(f.hessian, "diagonal");
  const int64_t d = run.op->rows();
  const DiagonalMethod method = options.resolved(d);
  const auto progress =
      hvp_progress(*run.op, "hessian diagonal (" + to_string(method) + ")",
                   method == DiagonalMethod::kExact ? d : options.probes, f.hessian);
  const std::vector<Eigen::Index> offsets = run.op->offsets();
  const DiagonalResult result = estimate_diagonal(*run.op, options, offsets);
  progress->finish();
  const std::vector<std::string> names = run.op->selected_names();
  if (!f.hessian.common.quiet) print_table(result, names, offsets);
  say(f.hessian.common, result.brief_report());

  write_hessian_preamble(run, f.hessian, "diagonal",
                         {{"method", f.method},
                          {"probes", std::to_string(f.probes)},
                          {"exact_max", std::to_string(f.exact_max)}});
  write_diagonal(*run.writer, result, names, selected_tensors(*run.op, result.diagonal),
                 selected_tensors(*run.op, result.standard_error));
  commit_hessian_output(run, f.hessian);
}

}  // namespace

void register_hessian_diagonal(CLI::App& hessian) {
  auto f = std::make_shared<DiagonalFlags>();
  CLI::App* cmd = hessian.add_subcommand(
      "diagonal",
      "Diagonal of the Hessian, GGN or a Fisher per parameter tensor (exact, Hutchinson, Diag++)");
  cmd->footer(
      "Examples:\n"
      "  sharpscope hessian diagonal model.pt                        # exact when d <= 2048\n"
      "  sharpscope hessian diagonal model.pt --method diag++ --probes 300\n"
      "  sharpscope hessian diagonal model.pt --curvature ggn --params '^fc2\\.'");
  add_hessian_flags(*cmd, f->hessian);
  cmd->add_option("--method", f->method,
                  "auto (exact when d <= --exact-max, else diag++) | exact (d products) | "
                  "hutchinson | diag++ (low-rank sketch + Hutchinson on the rest)")
      ->capture_default_str();
  cmd->add_option("--probes", f->probes,
                  "Products an estimator spends (diag++: a third each for sketch, its product, "
                  "probes)")
      ->capture_default_str();
  cmd->add_option("--exact-max", f->exact_max, "auto: largest d computed exactly")
      ->capture_default_str();
  cmd->callback([f] { run_diagonal(*f); });
}

}  // namespace sharpscope::cli
