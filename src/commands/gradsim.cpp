// sharpscope gradsim MODEL: cosine similarities of the gradients at the perturbed weights w^{pN}
// (Kim et al. 000 Fig. 5), or with --field the cosine of ∇L(w^{p1}) with the gradient at every
// point of a grid w + x d1 + y d2 (Fig. 6).
#include <iostream>

#include "commands/analysis_support.h"
#include "commands/parse.h"
#include "commands/registry.h"
#include "sharpscope/ascent/ascent.h"
#include "sharpscope/io/h5_writer.h"
#include "sharpscope/io/landscape_writers.h"
#include "sharpscope/io/partial_grid.h"
#include "sharpscope/landscape/gradient_geometry.h"

namespace sharpscope::cli {
namespace {

struct GradsimFlags {
  std::string model;
  std::string steps = "0,1,2,3,4";
  bool field = false;
  int reference = 1;
  DirectionFlags directions;
  CommonOptions common;
};

void run_matrix(const GradsimFlags& f) {
  CosineMatrixOptions options;
  options.rho = f.directions.rho;
  if (!f.directions.ratio.empty()) options.ratio = parse_ratio(f.directions.ratio, "--ratio");
  options.steps = parse_int_list(f.steps, "--steps", 0);
  options.validate();
  Session s = open_session(f.model, f.common);
  const auto writer = open_output(output_path(f.common, f.model, "gradsim"));

  const CosineMatrix r = cosine_matrix(*s.objective, options);

  if (!f.common.quiet) {
    std::cout << "cos(grad L(w^pNi), grad L(w^pNj)), rho " << f.directions.rho << "\n"
              << label("N", 6);
    for (int n : r.steps) std::cout << label(std::to_string(n), 10);
    std::cout << label("|grad|", 12) << label("loss", 12) << "\n";
    const size_t n = r.steps.size();
    for (size_t i = 0; i < n; ++i) {
      std::cout << label(std::to_string(r.steps[i]), 6);
      for (size_t j = 0; j < n; ++j) std::cout << cell(r.cosine[i * n + j], 10);
      std::cout << cell(r.gradient_norm[i], 12) << cell(r.loss[i], 12) << "\n";
    }
  }
  write_result(*writer, r);
  write_preamble(
      *writer, s,
      {{"rho", number_text(options.rho)}, {"ratio", f.directions.ratio}, {"steps", f.steps}});
  commit_output(*writer, nullptr, r.summary(), f.common);
}

void run_field(const GradsimFlags& f) {
  Session s = open_session(f.model, f.common, grid_points(f.directions));
  const std::string out_path = output_path(f.common, f.model, "gradfield");
  const auto writer = open_output(out_path);
  CosineFieldOptions options;
  options.rho = f.directions.rho;
  if (!f.directions.ratio.empty()) options.ratio = parse_ratio(f.directions.ratio, "--ratio");
  options.reference_steps = f.reference;
  GridSetup setup = build_grid(s, f.common, f.directions);
  options.grid = setup.grid;
  options.validate();
  setup.attributes["reference"] = std::to_string(f.reference);

  const auto rows =
      open_grid_rows(out_path, grid_signature(s, setup.attributes), options.grid.points(),
                     kCosineFieldRowWidth, f.directions.resume, f.common);
  const CosineField r =
      cosine_field(*s.objective, setup.directions[0].values, setup.d2(), options, *rows);

  if (!f.common.quiet) {
    const size_t ny = std::max<size_t>(1, r.y.size());
    std::cout << "cos(grad L(w^p" << f.reference
              << "), grad L(w + x d1 + y d2)), rows x, columns y\n"
              << label("x \\ y", 9);
    for (size_t j = 0; j < ny; ++j) std::cout << cell(r.y.empty() ? 0.0 : r.y[j], 9);
    std::cout << "\n";
    for (size_t i = 0; i < r.x.size(); ++i) {
      std::cout << cell(r.x[i], 9);
      for (size_t j = 0; j < ny; ++j) std::cout << cell(r.cosine[i * ny + j], 9);
      std::cout << "\n";
    }
  }
  write_result(*writer, r);
  write_preamble(*writer, s, setup.attributes);
  write_directions(*writer, s, setup.directions);
  write_trajectory_overlay(*writer, s, setup, f.directions, f.common);
  commit_output(*writer, rows.get(), r.summary(), f.common);
}

}  // namespace

void register_gradsim(CLI::App& app) {
  auto f = std::make_shared<GradsimFlags>();
  CLI::App* cmd = app.add_subcommand("gradsim",
                                     "Cosine similarity of gradients at perturbed weights (000 "
                                     "Fig. 5), or a cosine field (Fig. 6)");
  cmd->footer(
      "Examples:\n"
      "  sharpscope gradsim model.pt --rho 0.1 --steps 0,1,2,3,4\n"
      "  sharpscope gradsim model.pt --field --rho 0.5 --dirs v1,v2 --x 0:0.5:6 --y 0:0.5:6");
  cmd->add_option("model", f->model, "Model: sharpscope checkpoint or TorchScript file")
      ->required();
  cmd->add_option("--steps", f->steps, "N of the perturbed weights w^pN (0 = w)")
      ->capture_default_str();
  cmd->add_flag("--field", f->field,
                "Cosine field over a grid spanned by --dirs instead of the matrix");
  cmd->add_option("--reference", f->reference, "--field: compare with grad L(w^pR), R = this")
      ->capture_default_str();
  f->directions.x = f->directions.y = "0:0.5:6";
  add_direction_flags(*cmd, f->directions, "v1,v2", 0.1);
  add_common_options(*cmd, f->common);
  cmd->callback([f] { f->field ? run_field(*f) : run_matrix(*f); });
}

}  // namespace sharpscope::cli
