// sharpscope landscape eigen MODEL...: the loss along each model's top Hessian eigenvectors, over a
// series of checkpoints (003 Fig. 2).
#include <ATen/ATen.h>

#include <iostream>
#include <optional>

#include "commands/analysis_support.h"
#include "commands/hessian_support.h"
#include "commands/landscape_subcommands.h"
#include "commands/parse.h"
#include "sharpscope/core/distributed.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/packed_row.h"
#include "sharpscope/core/params.h"
#include "sharpscope/core/point_loop.h"
#include "sharpscope/io/h5_writer.h"
#include "sharpscope/io/landscape_writers.h"
#include "sharpscope/io/provenance.h"
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
  const int64_t models = static_cast<int64_t>(f.models.size());
  // Each checkpoint is one point of the loop (core/point_loop.h): dealt to ranks when there are at
  // least as many as ranks, else each split over the examples. Rows carry the numbers; the
  // eigenvectors, P values each, stay with the rank that computed them until the loop is over.
  Session first = open_session(f.models.front(), f.common, models);
  const int64_t top = f.top, cells = top * static_cast<int64_t>(nx);
  const int64_t width = packed_width(3, {top, top, cells, cells});
  MemoryPoints rows(models, width);
  std::vector<std::optional<EigenLine>> computed(static_cast<size_t>(models));
  const auto solve = [&](Session& s, int64_t m) {
    const EigenLine& line =
        computed[static_cast<size_t>(m)].emplace(eigen_line(*s.objective, spectrum, curvature, t));
    return std::move(RowPacker(width)
                         .scalar(world().rank())
                         .scalar(static_cast<double>(s.model.parameter_count()))
                         .scalar(static_cast<double>(line.hvps))
                         .array(line.eigenvalues)
                         .array(line.residuals)
                         .array(line.loss)
                         .array(line.accuracy))
        .row();
  };
  run_pending_points(rows, "landscape eigen", [&](int64_t m) {
    if (m == 0) return solve(first, m);
    // Initialized in place: a Session is never moved (its objective refers to its model).
    Session s = open_session(f.models[static_cast<size_t>(m)], f.common, models);
    return solve(s, m);
  });

  EigenLineSeries series{f.models, {}, f.top, {}, display_name(curvature.curvature)};
  for (int64_t m = 0; m < models; ++m) {
    const std::string& path = f.models[static_cast<size_t>(m)];
    RowUnpacker row(rows, m);
    const int owner = static_cast<int>(row.scalar());
    const int64_t parameters = static_cast<int64_t>(row.scalar());
    EigenLine line;
    line.t = t;
    line.hvps = static_cast<int64_t>(row.scalar());
    line.eigenvalues = row.array();
    line.residuals = row.array();
    line.loss = row.array();
    line.accuracy = row.array();
    std::optional<EigenLine>& mine = computed[static_cast<size_t>(m)];
    if (mine) {
      line.vectors = mine->vectors;
      line.parameter_names = mine->parameter_names;
    }
    // A checkpoint another rank solved: its eigenvectors come to rank 0 in one broadcast.
    const int64_t k = static_cast<int64_t>(line.eigenvalues.size());
    if (owner != 0 && k > 0 && world().size() > 1 && parallel_mode() == ParallelMode::kPoints) {
      std::vector<at::Tensor> parts;
      if (mine) {
        for (const ParamList& v : mine->vectors) parts.push_back(flatten(v));
      }
      at::Tensor flat = mine ? at::cat(parts) : at::zeros({k * parameters}, at::kDouble);
      world().broadcast(flat, owner);
      if (world().rank() == 0) {
        Model like = Model::load(path);
        like.to(first.runtime.device, first.runtime.dtype);
        line.parameter_names = like.parameter_names();
        for (int64_t i = 0; i < k; ++i)
          line.vectors.push_back(
              unflatten(flat.narrow(0, i * parameters, parameters), like.parameters()));
      }
    }
    series.model_sha256.push_back(sha256_file(path));
    if (!f.common.quiet) {
      std::cout << path << ": lambda";
      for (double v : line.eigenvalues) std::cout << " " << cell(v, 0);
      std::cout << " (" << line.hvps << " HVPs)";
      if (!line.loss.empty()) {
        std::cout << "; along v1, L at t = " << cell(t.front(), 0) << ", " << cell(t[nx / 2], 0)
                  << ", " << cell(t.back(), 0) << ": " << cell(line.loss.front(), 0) << ", "
                  << cell(line.loss[nx / 2], 0) << ", " << cell(line.loss[nx - 1], 0);
      }
      std::cout << "\n";
    }
    series.lines.push_back(std::move(line));
  }
  // The provenance names the first model; the file is about the whole series, so the model
  // attributes point at the per-model datasets.
  write_preamble(*writer, first,
                 {{"models", std::to_string(f.models.size())},
                  {"top", std::to_string(f.top)},
                  {"x", f.x},
                  {"method", f.method},
                  {"tol", number_text(f.tol)},
                  {"max_iter", std::to_string(f.max_iter)}});
  writer->attribute("/", "model", std::to_string(f.models.size()) + " models (dataset 'models')");
  writer->attribute("/", "model_sha256", std::string("per model: dataset 'model_sha256'"));
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
