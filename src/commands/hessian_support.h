#pragma once
/// What the three `sharpscope hessian` subcommands share: the HVP-operator flags (--hvp, --params,
/// --fd-step), opening the session and operator, and the output preamble.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "commands/common.h"
#include "sharpscope/core/number_text.h"
#include "sharpscope/core/progress.h"
#include "sharpscope/hessian/hvp_operator.h"
#include "sharpscope/io/h5_writer.h"

namespace sharpscope::cli {

/// Flags of every hessian subcommand: the model, the shared options and the operator's.
struct HessianFlags {
  std::string model;
  CommonOptions common;
  std::string hvp = "exact";
  std::string params;
  double fd_step = 0.0;
};
void add_hessian_flags(CLI::App& command, HessianFlags& flags);

/// The session, the operator over it and the output file (opened first, so an unwritable --out
/// fails before any HVP is spent).
struct HessianRun {
  Session session;
  std::unique_ptr<HvpOperator> op;
  std::unique_ptr<H5Writer> writer;
};
/// Validates the operator flags, opens the session and output "<model>.hessian-<suffix>.h5" (or
/// --out), binds the operator and prints one line describing it.
HessianRun open_hessian_run(const HessianFlags& flags, const std::string& suffix);

/// A progress bar over the operator's HVPs, `bound` an upper bound on their number (the ETA is then
/// an upper bound too); finish() it when the analysis ends.
std::unique_ptr<Progress> hvp_progress(HvpOperator& op, const std::string& label, int64_t bound,
                                       const HessianFlags& flags);

/// The preamble (common.h) with the analysis `attributes` as options, and what describes the result
/// on "/": result_kind = hessian_<suffix>, the HVP mode, the operator's dimension and the selected
/// parameter names.
void write_hessian_preamble(HessianRun& run, const HessianFlags& flags, const std::string& suffix,
                            const Metadata& attributes);

/// Commits the output and says where it went.
void commit_hessian_output(HessianRun& run, const HessianFlags& flags);

}  // namespace sharpscope::cli
