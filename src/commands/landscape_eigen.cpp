// sharpscope landscape eigen MODEL...: the loss along each model's top Hessian eigenvectors, over a
// series of checkpoints (003 Fig. 2).
#include <iostream>

#include "commands/analysis_support.h"
#include "commands/landscape_subcommands.h"
#include "sharpscope/core/error.h"
#include "sharpscope/io/direction_file.h"
#include "sharpscope/io/h5_writer.h"
#include "sharpscope/io/progress.h"
#include "sharpscope/io/provenance.h"
#include "sharpscope/landscape/eigen_line.h"
#include "sharpscope/landscape/range.h"

namespace sharpscope::cli {
namespace {

struct EigenFlags {
  std::vector<std::string> models;
  int top = 1;
  std::string x = "-1:1:21";
  std::string method = "lanczos";
  double tol = 1e-3;
  int max_iter = 100;
  std::string params;
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
  HvpOperatorOptions hvp;
  hvp.params_regex = f.params;
  const std::vector<double> t = parse_range(f.x, "--x").values();
  const std::string out = output_path(f.common, f.models.front(), "eigenlines");
  const auto writer = open_output(out);

  const int64_t models = static_cast<int64_t>(f.models.size()), nx = static_cast<int64_t>(t.size());
  std::vector<double> eigenvalues, residuals, loss, accuracy;
  std::vector<std::string> hashes;
  int64_t k = 0;
  Progress progress("landscape eigen", models, f.common.quiet);
  for (int64_t m = 0; m < models; ++m) {
    progress.update(m, f.models[static_cast<size_t>(m)]);
    Session s = open_session(f.models[static_cast<size_t>(m)], f.common);
    const EigenLine line = eigen_line(*s.objective, spectrum, hvp, t);
    k = static_cast<int64_t>(line.eigenvalues.size());
    eigenvalues.insert(eigenvalues.end(), line.eigenvalues.begin(), line.eigenvalues.end());
    residuals.insert(residuals.end(), line.residuals.begin(), line.residuals.end());
    loss.insert(loss.end(), line.loss.begin(), line.loss.end());
    accuracy.insert(accuracy.end(), line.accuracy.begin(), line.accuracy.end());
    hashes.push_back(s.provenance.values().at("model_sha256"));
    for (int64_t i = 0; i < k; ++i) {
      write_direction(*writer, "directions/model" + std::to_string(m) + "/eig" + std::to_string(i + 1),
                      s.model.parameter_names(), line.vectors[static_cast<size_t>(i)],
                      "unit Hessian eigenvector, eigenvalue " + number_text(line.eigenvalues[static_cast<size_t>(i)]));
    }
    if (!f.common.quiet) {
      std::cout << f.models[static_cast<size_t>(m)] << ": lambda";
      for (double v : line.eigenvalues) std::cout << " " << cell(v, 0);
      std::cout << " (" << line.hvps << " HVPs); along v1, L at t = " << cell(t.front(), 0) << ", "
                << cell(t[static_cast<size_t>(nx / 2)], 0) << ", " << cell(t.back(), 0) << ": "
                << cell(line.loss.front(), 0) << ", " << cell(line.loss[static_cast<size_t>(nx / 2)], 0) << ", "
                << cell(line.loss[static_cast<size_t>(nx - 1)], 0) << "\n";
    }
    if (m + 1 == models) {
      writer->write_strings("models", f.models);
      writer->write_strings("model_sha256", hashes);
      write_preamble(*writer, s, {{"models", std::to_string(models)}, {"top", std::to_string(f.top)}, {"x", f.x},
                                  {"method", f.method}, {"tol", number_text(f.tol)},
                                  {"max_iter", std::to_string(f.max_iter)}, {"params", f.params}});
      // The provenance names the last session's model; the file is about the whole series.
      writer->attribute("/", "model", std::to_string(models) + " models (dataset 'models')");
      writer->attribute("/", "model_sha256", std::string("per model: dataset 'model_sha256'"));
    }
  }
  progress.finish();
  std::vector<double> model_index(static_cast<size_t>(models)), eig_index(static_cast<size_t>(k));
  for (int64_t m = 0; m < models; ++m) model_index[static_cast<size_t>(m)] = static_cast<double>(m);
  for (int64_t i = 0; i < k; ++i) eig_index[static_cast<size_t>(i)] = static_cast<double>(i + 1);
  writer->write("model", model_index, "", "model index (models)");
  writer->write("eig", eig_index, "", "eigenvector rank (1 = largest)");
  writer->write("t", t, "", "step along the unit eigenvector: w + t v");
  writer->write("eigenvalue", eigenvalues, {models, k}, {"model", "eig"}, "", "top Hessian eigenvalues");
  writer->write("residual", residuals, {models, k}, {"model", "eig"}, "", "||Hv - lambda v||, measured");
  writer->write("loss", loss, {models, k, nx}, {"model", "eig", "t"}, "nats", "L(w + t v)");
  writer->write("accuracy", accuracy, {models, k, nx}, {"model", "eig", "t"}, "fraction", "accuracy at w + t v");
  writer->attribute("/", "result_kind", std::string("eigen_lines"));
  commit_output(*writer, nullptr, std::to_string(models) + " models x " + std::to_string(k) + " eigenvectors x " +
                                      std::to_string(nx) + " points", f.common);
}

}  // namespace

void register_landscape_eigen(CLI::App& landscape) {
  auto f = std::make_shared<EigenFlags>();
  CLI::App* cmd = landscape.add_subcommand(
      "eigen", "Loss along each model's top Hessian eigenvectors, over a series of checkpoints (003 Fig. 2)");
  cmd->footer(
      "Examples:\n"
      "  sharpscope landscape eigen ckpt/sam.epoch1.pt ckpt/sam.epoch5.pt ckpt/sam.pt --top 1 --x -1:1:21\n"
      "  sharpscope landscape eigen sgd.pt sam.pt stablesam.pt --top 2 --subset 2048");
  cmd->add_option("models", f->models, "Checkpoints (a training series, or models to compare)")->required();
  cmd->add_option("--top", f->top, "Eigenvectors per model")->capture_default_str();
  cmd->add_option("--x", f->x, "Steps t along each unit eigenvector, start:stop:count")->capture_default_str();
  cmd->add_option("--method", f->method, "lanczos | power")->capture_default_str();
  cmd->add_option("--tol", f->tol, "Eigen-solver tolerance (as hessian spectrum)")->capture_default_str();
  cmd->add_option("--max-iter", f->max_iter, "Eigen-solver iterations (as hessian spectrum)")->capture_default_str();
  cmd->add_option("--params", f->params, "Regex: restrict the Hessian to these parameters");
  add_common_options(*cmd, f->common);
  cmd->callback([f] { run_eigen(*f); });
}

}  // namespace sharpscope::cli
