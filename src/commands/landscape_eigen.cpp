// sharpscope landscape eigen MODEL...: the loss along each model's top Hessian eigenvectors, over a
// series of checkpoints (003 Fig. 2).
#include <iostream>

#include "commands/analysis_support.h"
#include "commands/hessian_support.h"
#include "commands/landscape_subcommands.h"
#include "commands/parse.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/progress.h"
#include "sharpscope/io/h5_writer.h"
#include "sharpscope/io/landscape_writers.h"
#include "sharpscope/landscape/eigen_line.h"

namespace sharpscope::cli {
namespace {

struct EigenFlags {
  std::vector<std::string> models;
  int top = 1;
  std::string x = "-1:1:21";
  std::string method = "lanczos";
  double tol = 1e-3;
  int max_iter = 100;
  CurvatureFlags curvature;
  CommonOptions common;
};

void run_eigen(const EigenFlags& f) {
  SpectrumOptions spectrum;
  spectrum.method = parse_eigen_method(f.method);
  spectrum.k = f.top;
  spectrum.tol = f.tol;
  spectrum.max_iter = f.max_iter;
  spectrum.seed = f.common.seed;
  spectrum.validate();
  const CurvatureOptions curvature = curvature_options(f.curvature, f.common.seed);
  const std::vector<double> t = parse_range(f.x, "--x").values();
  const std::string out = output_path(f.common, f.models.front(), "eigenlines");
  const auto writer = open_output(out);

  const size_t nx = t.size();
  EigenLineSeries series{f.models, {}, f.top, {}, display_name(curvature.curvature)};
  Progress progress("landscape eigen", static_cast<int64_t>(f.models.size()), f.common.quiet);
  for (size_t m = 0; m < f.models.size(); ++m) {
    progress.update(static_cast<int64_t>(m), f.models[m]);
    Session s = open_session(f.models[m], f.common);
    const EigenLine& line =
        series.lines.emplace_back(eigen_line(*s.objective, spectrum, curvature, t));
    series.model_sha256.push_back(s.provenance.values().at("model_sha256"));
    if (!f.common.quiet) {
      std::cout << f.models[m] << ": lambda";
      for (double v : line.eigenvalues) std::cout << " " << cell(v, 0);
      std::cout << " (" << line.hvps << " HVPs)";
      if (!line.loss.empty()) {
        std::cout << "; along v1, L at t = " << cell(t.front(), 0) << ", " << cell(t[nx / 2], 0)
                  << ", " << cell(t.back(), 0) << ": " << cell(line.loss.front(), 0) << ", "
                  << cell(line.loss[nx / 2], 0) << ", " << cell(line.loss[nx - 1], 0);
      }
      std::cout << "\n";
    }
    if (m + 1 < f.models.size()) continue;
    // The preamble needs a live session: the last one. Its provenance names one model; the file is
    // about the whole series, so the model attributes point at the per-model datasets.
    write_preamble(*writer, s,
                   {{"models", std::to_string(f.models.size())},
                    {"top", std::to_string(f.top)},
                    {"x", f.x},
                    {"method", f.method},
                    {"tol", number_text(f.tol)},
                    {"max_iter", std::to_string(f.max_iter)}});
    writer->attribute("/", "model", std::to_string(f.models.size()) + " models (dataset 'models')");
    writer->attribute("/", "model_sha256", std::string("per model: dataset 'model_sha256'"));
  }
  progress.finish();
  write_result(*writer, series);
  commit_output(*writer, nullptr,
                std::to_string(f.models.size()) + " models x " + std::to_string(f.top) +
                    " eigenvectors x " + std::to_string(nx) + " points",
                f.common);
}

}  // namespace

void register_landscape_eigen(CLI::App& landscape) {
  auto f = std::make_shared<EigenFlags>();
  CLI::App* cmd =
      landscape.add_subcommand("eigen",
                               "Loss along each model's top Hessian (or GGN, Fisher) "
                               "eigenvectors, over a series of checkpoints (003 Fig. 2)");
  cmd->footer(
      "Examples:\n"
      "  sharpscope landscape eigen ckpt/sam.epoch1.pt ckpt/sam.epoch5.pt ckpt/sam.pt --top 1 --x "
      "-1:1:21\n"
      "  sharpscope landscape eigen sgd.pt sam.pt stablesam.pt --top 2 --subset 2048\n"
      "  sharpscope landscape eigen sgd.pt sam.pt --curvature ggn --top 1");
  cmd->add_option("models", f->models, "Checkpoints (a training series, or models to compare)")
      ->required();
  cmd->add_option("--top", f->top, "Eigenvectors per model")->capture_default_str();
  cmd->add_option("--x", f->x, "Steps t along each unit eigenvector, start:stop:count")
      ->capture_default_str();
  cmd->add_option("--method", f->method, "lanczos | power")->capture_default_str();
  cmd->add_option("--tol", f->tol, "Eigen-solver tolerance (as hessian spectrum)")
      ->capture_default_str();
  cmd->add_option("--max-iter", f->max_iter, "Eigen-solver iterations (as hessian spectrum)")
      ->capture_default_str();
  add_curvature_flags(*cmd, f->curvature);
  add_common_options(*cmd, f->common);
  cmd->callback([f] { run_eigen(*f); });
}

}  // namespace sharpscope::cli
