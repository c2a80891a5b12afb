#pragma once
/// What the `sharpscope hessian` subcommands share: the curvature-operator flags (--curvature,
/// --mc-samples, --hvp, --params, --fd-step), opening the session and operator, and the output
/// preamble.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "commands/common.h"
#include "sharpscope/core/number_text.h"
#include "sharpscope/core/progress.h"
#include "sharpscope/hessian/curvature.h"
#include "sharpscope/io/h5_writer.h"

namespace sharpscope::cli {

/// The curvature flags, shared by the hessian subcommands and `landscape eigen`.
struct CurvatureFlags {
  std::string curvature = "hessian";
  int mc_samples = 1;
  std::string hvp = "exact";
  std::string params;
  double fd_step = 0.0;
};
/// --curvature, --mc-samples, --hvp, --params, --fd-step.
void add_curvature_flags(CLI::App& command, CurvatureFlags& flags);
/// The typed, validated options (UsageError naming the flag); `seed` draws mc-fisher's labels.
CurvatureOptions curvature_options(const CurvatureFlags& flags, uint64_t seed);

/// Flags of every hessian subcommand: the model, the shared options and the operator's.
struct HessianFlags {
  std::string model;
  CommonOptions common;
  CurvatureFlags curvature;
};
void add_hessian_flags(CLI::App& command, HessianFlags& flags);

/// The session, the operator over it and the output file (opened first, so an unwritable --out
/// fails before any product is spent).
struct HessianRun {
  Session session;
  CurvatureOptions options;
  std::unique_ptr<CurvatureOperator> op;
  std::unique_ptr<H5Writer> writer;
};
/// Validates the operator flags, opens the session and output "<model>.<curvature>-<suffix>.h5"
/// (or --out; <curvature> is "hessian", "ggn", "ef" or "mc-fisher"), binds the operator and prints
/// one line describing it.
HessianRun open_hessian_run(const HessianFlags& flags, const std::string& suffix);

/// A progress bar over the operator's products, `bound` an upper bound on their number (the ETA
/// is then an upper bound too); finish() it when the analysis ends.
std::unique_ptr<Progress> hvp_progress(CurvatureOperator& op, const std::string& label,
                                       int64_t bound, const HessianFlags& flags);

/// The preamble (common.h) with the analysis `attributes` as options, and what describes the
/// result on "/": result_kind = hessian_<suffix>, curvature, curvature_description, the HVP mode,
/// the operator's dimension and the selected parameter names.
void write_hessian_preamble(HessianRun& run, const HessianFlags& flags, const std::string& suffix,
                            const Metadata& attributes);

/// Commits the output and says where it went.
void commit_hessian_output(HessianRun& run, const HessianFlags& flags);

}  // namespace sharpscope::cli
