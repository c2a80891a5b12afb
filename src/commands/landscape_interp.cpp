// sharpscope landscape interp MODEL: L(w + x d1 + y d2) on a grid (Kim et al. 000 Fig. 4) or along
// one direction; resumable, with loss-landscape compatible output names.
#include <iostream>

#include "commands/analysis_support.h"
#include "commands/landscape_subcommands.h"
#include "sharpscope/io/h5_writer.h"
#include "sharpscope/io/landscape_writers.h"
#include "sharpscope/io/partial_grid.h"
#include "sharpscope/landscape/surface.h"

namespace sharpscope::cli {
namespace {

struct InterpFlags {
  std::string model;
  DirectionFlags directions;
  CommonOptions common;
};

// At most 11 rows and columns: every point for small grids, an even stride for large ones.
std::vector<size_t> shown(size_t n) {
  const size_t stride = (n + 10) / 11;
  std::vector<size_t> out;
  for (size_t i = 0; i < n; i += stride) out.push_back(i);
  if (out.back() != n - 1) out.push_back(n - 1);
  return out;
}

void print_surface(const Surface& r) {
  const size_t ny = std::max<size_t>(1, r.y.size());
  std::cout << "loss L(w + x d1" << (r.y.empty() ? "" : " + y d2") << "), rows x"
            << (r.y.empty() ? "" : ", columns y") << "\n"
            << label("x \\ y", 9);
  if (!r.y.empty()) {
    for (size_t j : shown(ny)) std::cout << cell(r.y[j], 10);
  } else {
    std::cout << label("loss", 10) << label("accuracy", 10);
  }
  std::cout << "\n";
  for (size_t i : shown(r.x.size())) {
    std::cout << cell(r.x[i], 9);
    if (r.y.empty()) {
      std::cout << cell(r.loss[i], 10) << cell(r.accuracy[i], 10);
    } else {
      for (size_t j : shown(ny)) std::cout << cell(r.loss[i * ny + j], 10);
    }
    std::cout << "\n";
  }
}

void run_interp(const InterpFlags& f) {
  Session s = open_session(f.model, f.common, grid_points(f.directions));
  const std::string out_path = output_path(f.common, f.model, "interp");
  const auto writer = open_output(out_path);
  const GridSetup setup = build_grid(s, f.common, f.directions);
  for (const Direction& d : setup.directions) say(f.common, "direction " + d.description);

  const auto rows =
      open_grid_rows(out_path, grid_signature(s, setup.attributes), setup.grid.points(),
                     kSurfaceRowWidth, f.directions.resume, f.common);
  const Surface r =
      evaluate_surface(*s.objective, setup.directions[0].values, setup.d2(), setup.grid, *rows);

  if (!f.common.quiet) print_surface(r);
  write_result(*writer, r, f.common.split);
  write_preamble(*writer, s, setup.attributes);
  write_directions(*writer, s, setup.directions);
  write_trajectory_overlay(*writer, s, setup, f.directions, f.common);
  commit_output(*writer, rows.get(), r.summary(), f.common);
}

}  // namespace

void register_landscape_interp(CLI::App& landscape) {
  auto f = std::make_shared<InterpFlags>();
  CLI::App* cmd = landscape.add_subcommand(
      "interp",
      "Loss on a 2-D grid L(w + x d1 + y d2), or a 1-D line with one direction (000 Fig. 4)");
  cmd->footer(
      "Examples:\n"
      "  sharpscope landscape interp model.pt --dirs v1,v10 --x -0.2:0.2:21 --y -0.2:0.2:21\n"
      "  sharpscope landscape interp model.pt --dirs rand:1,rand:2 --x -1:1:41 --y -1:1:41\n"
      "  sharpscope landscape interp model.pt --dirs to:other.pt --x -0.5:1.5:41\n"
      "  sharpscope landscape interp ck/sgd.pt --dirs pca1,pca2 --trajectory t.h5 --x -1:1:21 --y "
      "-1:1:21");
  cmd->add_option("model", f->model, "Model: sharpscope checkpoint or TorchScript file")
      ->required();
  add_direction_flags(*cmd, f->directions, "v1,v10", 0.1);
  add_common_options(*cmd, f->common);
  cmd->callback([f] { run_interp(*f); });
}

}  // namespace sharpscope::cli
