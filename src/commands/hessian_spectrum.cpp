// sharpscope hessian spectrum MODEL: extreme eigenvalues by Lanczos or power iteration, with
// measured residuals, iterations, HVP counts and optionally the eigenvectors as directions.
#include <cstdio>
#include <iostream>

#include "commands/hessian_subcommands.h"
#include "commands/hessian_support.h"
#include "commands/parse.h"
#include "sharpscope/hessian/spectrum.h"
#include "sharpscope/io/hessian_writers.h"

namespace sharpscope::cli {
namespace {

struct SpectrumFlags {
  HessianFlags hessian;
  int top = 5;
  std::string method = "lanczos";
  std::string which = "largest";
  double tol = 1e-3;
  int max_iter = 100;
  bool save_vectors = false;
};

void print_table(const SpectrumResult& r) {
  std::printf("%4s %-9s %16s %12s %10s %8s %9s\n", "#", "end", "eigenvalue", "residual",
              "iterations", "HVPs", "seconds");
  for (size_t j = 0; j < r.pairs.size(); ++j) {
    const Eigenpair& p = r.pairs[j];
    std::printf("%4zu %-9s %16.9g %12.3e %10lld %8lld %9.2f%s\n", j + 1, to_string(p.end).c_str(),
                p.value, p.residual, static_cast<long long>(p.iterations),
                static_cast<long long>(p.hvps), p.seconds, p.converged ? "" : "  (not converged)");
  }
  std::fflush(stdout);
}

void run_spectrum(const SpectrumFlags& f) {
  SpectrumOptions options;
  options.method = parse_eigen_method(f.method);
  options.which = parse_spectrum_end(f.which);
  options.k = f.top;
  options.tol = f.tol;
  options.max_iter = f.max_iter;
  options.seed = f.hessian.common.seed;
  options.validate();
  HessianRun run = open_hessian_run(f.hessian, "spectrum");
  const auto progress = hvp_progress(*run.op, "hessian spectrum",
                                     max_spectrum_hvps(options, run.op->rows()), f.hessian);
  const SpectrumResult result = compute_spectrum(*run.op, options);
  progress->finish();
  if (!f.hessian.common.quiet) print_table(result);
  say(f.hessian.common, result.brief_report(options.method));

  write_hessian_preamble(run, f.hessian, "spectrum",
                         {{"method", f.method},
                          {"which", f.which},
                          {"k", std::to_string(f.top)},
                          {"tol", number_text(f.tol)},
                          {"max_iter", std::to_string(f.max_iter)},
                          {"save_vectors", f.save_vectors ? "true" : "false"}});
  run.writer->attribute("/", "method", to_string(options.method));
  write_spectrum(*run.writer, result);
  if (f.save_vectors) {
    const std::vector<std::string>& names = run.session.model.parameter_names();
    for (size_t j = 0; j < result.pairs.size(); ++j) {
      const Eigenpair& p = result.pairs[j];
      write_eigenvector(*run.writer, static_cast<int>(j + 1), names, run.op->to_params(p.vector),
                        "unit " + display_name(run.options.curvature) + " eigenvector, " +
                            to_string(p.end) + " end, eigenvalue " + number_text(p.value));
    }
  }
  commit_hessian_output(run, f.hessian);
}

}  // namespace

void register_hessian_spectrum(CLI::App& hessian) {
  auto f = std::make_shared<SpectrumFlags>();
  CLI::App* cmd = hessian.add_subcommand(
      "spectrum", "Extreme eigenvalues of the Hessian, GGN or a Fisher, with residuals");
  cmd->footer(
      "Examples:\n"
      "  sharpscope hessian spectrum model.pt --top 5 --save-vectors\n"
      "  sharpscope hessian spectrum model.pt --method power --top 1   # PyHessian eigenvalues()\n"
      "  sharpscope hessian spectrum model.pt --which both --params '^fc2\\.' --dtype float64\n"
      "  sharpscope hessian spectrum model.pt --curvature ggn --top 5 --save-vectors");
  add_hessian_flags(*cmd, f->hessian);
  cmd->add_option("--top", f->top, "Eigenvalues per end")->capture_default_str();
  cmd->add_option("--method", f->method,
                  "lanczos (full reorthogonalization, stops as soon as the pairs meet --tol; "
                  "thick restarts) | power (PyHessian: power iteration with deflation; finds the "
                  "largest magnitudes)")
      ->capture_default_str();
  cmd->add_option("--which", f->which, "largest | smallest | both")->capture_default_str();
  cmd->add_option("--tol", f->tol,
                  "Lanczos: relative residual bound ‖Hv − λv‖ ≤ tol·|λ|, checked after every HVP; "
                  "power: PyHessian's relative change of λ")
      ->capture_default_str();
  cmd->add_option("--max-iter", f->max_iter,
                  "Lanczos thick restarts of its basis / power iterations per eigenvalue")
      ->capture_default_str();
  cmd->add_flag("--save-vectors", f->save_vectors,
                "Save eigenvectors as directions/eigK (usable as landscape directions eigK)");
  cmd->callback([f] { run_spectrum(*f); });
}

}  // namespace sharpscope::cli
