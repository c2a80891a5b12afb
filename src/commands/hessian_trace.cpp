// sharpscope hessian trace MODEL: Hutchinson trace with its standard error.
#include <cstdio>

#include "commands/hessian_subcommands.h"
#include "commands/hessian_support.h"
#include "sharpscope/hessian/trace.h"
#include "sharpscope/io/hessian_writers.h"

namespace sharpscope::cli {
namespace {

struct TraceFlags {
  HessianFlags hessian;
  TraceOptions options;
};

void run_trace(const TraceFlags& f) {
  TraceOptions options = f.options;
  options.seed = f.hessian.common.seed;
  options.validate();
  HessianRun run = open_hessian_run(f.hessian, "trace");
  const auto progress = hvp_progress(*run.op, "hessian trace", options.max_probes, f.hessian);
  const TraceResult result = hutchinson_trace(*run.op, options);
  progress->finish();
  say(f.hessian.common, result.brief_report());
  write_hessian_preamble(run, f.hessian, "trace",
                         {{"probes", std::to_string(options.max_probes)},
                          {"tol", number_text(options.tol)},
                          {"rel_se", number_text(options.rel_se)}});
  write_trace(*run.writer, result);
  commit_hessian_output(run, f.hessian);
}

}  // namespace

void register_hessian_trace(CLI::App& hessian) {
  auto f = std::make_shared<TraceFlags>();
  CLI::App* cmd =
      hessian.add_subcommand("trace", "Hutchinson trace of the Hessian with standard error");
  cmd->footer(
      "Examples:\n"
      "  sharpscope hessian trace model.pt                         # PyHessian trace()\n"
      "  sharpscope hessian trace model.pt --tol 0 --rel-se 0.01 --probes 1000");
  add_hessian_flags(*cmd, f->hessian);
  cmd->add_option("--probes", f->options.max_probes, "Maximum number of Rademacher probes (HVPs)")
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
