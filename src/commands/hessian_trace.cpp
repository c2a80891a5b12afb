// sharpscope hessian trace MODEL: Hutchinson or Hutch++ trace with its standard error.
#include <cstdio>

#include "commands/hessian_subcommands.h"
#include "commands/hessian_support.h"
#include "commands/parse.h"
#include "sharpscope/hessian/trace.h"
#include "sharpscope/io/hessian_writers.h"

namespace sharpscope::cli {
namespace {

struct TraceFlags {
  HessianFlags hessian;
  TraceOptions options;
  std::string method = "hutchinson";
};

void run_trace(const TraceFlags& f) {
  TraceOptions options = f.options;
  options.method = parse_trace_method(f.method);
  options.seed = f.hessian.common.seed;
  options.validate();
  HessianRun run = open_hessian_run(f.hessian, "trace");
  const auto progress = hvp_progress(*run.op, "hessian trace", options.max_probes, f.hessian);
  const TraceResult result = estimate_trace(*run.op, options);
  progress->finish();
  say(f.hessian.common, result.brief_report());
  write_hessian_preamble(run, f.hessian, "trace",
                         {{"method", f.method},
                          {"sketch", std::to_string(options.sketch)},
                          {"probes", std::to_string(options.max_probes)},
                          {"tol", number_text(options.tol)},
                          {"rel_se", number_text(options.rel_se)}});
  write_trace(*run.writer, result);
  commit_hessian_output(run, f.hessian);
}

}  // namespace

void register_hessian_trace(CLI::App& hessian) {
  auto f = std::make_shared<TraceFlags>();
  CLI::App* cmd = hessian.add_subcommand(
      "trace", "Trace of the curvature by Hutchinson or Hutch++, with standard error");
  cmd->footer(
      "Examples:\n"
      "  sharpscope hessian trace model.pt                         # PyHessian trace()\n"
      "  sharpscope hessian trace model.pt --tol 0 --rel-se 0.01 --probes 1000\n"
      "  sharpscope hessian trace model.pt --method hutch++ --tol 0 --rel-se 0.01 --probes 1000\n"
      "  sharpscope hessian trace model.pt --curvature ef           # tr(F) = mean |g_i|^2");
  add_hessian_flags(*cmd, f->hessian);
  cmd->add_option("--method", f->method,
                  "hutchinson (Rademacher probes) | hutch++ (Meyer et al. 2021: deflates a "
                  "sketch of the top of the spectrum exactly, probes the rest)")
      ->capture_default_str();
  cmd->add_option("--probes", f->options.max_probes,
                  "Maximum number of HVPs (hutch++: sketch, its products and probes together)")
      ->capture_default_str();
  cmd->add_option("--sketch", f->options.sketch,
                  "hutch++ sketch rank (0 = grown while it pays off with --rel-se, else "
                  "--probes/3)")
      ->capture_default_str();
  cmd->add_option("--tol", f->options.tol,
                  "PyHessian's stop: running mean moves < tol relative (0 = off)")
      ->capture_default_str();
  cmd->add_option("--rel-se", f->options.rel_se,
                  "Stop when standard error / |trace| < this, from 10 probes on (0 = off)")
      ->capture_default_str();
  cmd->callback([f] { run_trace(*f); });
}

}  // namespace sharpscope::cli
