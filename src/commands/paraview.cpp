// sharpscope paraview FILE.h5: a landscape surface or a cosine field as a ParaView mesh (.vtp or
// .vtk), with log scale and clipping (loss-landscape's h52vtp.py).
#include "sharpscope/io/paraview.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "commands/common.h"
#include "commands/registry.h"
#include "sharpscope/core/command_line.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/number_text.h"
#include "sharpscope/core/version.h"
#include "sharpscope/io/h5_writer.h"
#include "sharpscope/io/provenance.h"

namespace sharpscope::cli {
namespace {

struct ParaviewFlags {
  std::string input;
  std::string field;
  bool log = false;
  double log_offset = 0.1;
  std::optional<double> zmin, zmax;
  std::string out;
  bool quiet = false;
};

// The grid and fields of a surface or cosine-field file.
GridFields read_grid(const std::string& path, std::string* kind) {
  const H5Reader file(path);
  *kind = file.has_attribute("/", "result_kind") ? file.attribute("/", "result_kind") : "";
  std::vector<std::string> names;
  if (*kind == "surface") {
    names = {"loss", "accuracy"};
  } else if (*kind == "cosine_field") {
    names = {"cosine", "gradient_norm", "loss"};
  } else {
    throw InputError(path + ": result_kind '" + *kind +
                     "' is not a surface (landscape interp) or cosine field (gradsim --field)");
  }
  if (!file.has("y")) {
    throw UsageError(path + ": a 1-D line; paraview export needs a 2-D grid (two --dirs)");
  }
  GridFields grid;
  grid.x = file.read("x");
  grid.y = file.read("y");
  for (const std::string& name : names) grid.fields.emplace_back(name, file.read(name));
  return grid;
}

void run_paraview(const ParaviewFlags& f) {
  std::string kind;
  const GridFields grid = read_grid(f.input, &kind);
  VtkOptions options;
  options.height = !f.field.empty() ? f.field : kind == "surface" ? "loss" : "cosine";
  options.log = f.log;
  options.log_offset = f.log_offset;
  options.zmin = f.zmin;
  options.zmax = f.zmax;
  options.validate();
  const std::string out = !f.out.empty() ? f.out
                                         : std::filesystem::path(f.input).stem().string() + "." +
                                               options.height + (f.log ? ".log" : "") + ".vtp";
  options.format = vtk_format_of(out);

  Metadata comment;
  comment["tool"] = std::string("sharpscope ") + tool_version();
  comment["command_line"] = process_command_line();
  comment["source"] = f.input;
  comment["source_sha256"] = sha256_file(f.input);
  comment["source_result_kind"] = kind;
  comment["height"] =
      options.height + (f.log ? " (ln(v + " + number_text(f.log_offset) + "))" : "");
  if (f.zmin) comment["zmin"] = number_text(*f.zmin);
  if (f.zmax) comment["zmax"] = number_text(*f.zmax);
  const VtkSummary s = write_vtk_surface(out, grid, options, comment);
  if (!f.quiet) {
    std::printf(
        "%lld points, %lld quads, %lld invalid points; height %s in [%.6g, %.6g]\nwrote %s\n",
        static_cast<long long>(s.points), static_cast<long long>(s.cells),
        static_cast<long long>(s.invalid_points), comment["height"].c_str(), s.height_min,
        s.height_max, out.c_str());
  }
}

}  // namespace

void register_paraview(CLI::App& app) {
  auto f = std::make_shared<ParaviewFlags>();
  CLI::App* cmd = app.add_subcommand("paraview",
                                     "Export a surface (landscape interp) or cosine field (gradsim "
                                     "--field) to ParaView .vtp/.vtk");
  cmd->footer(
      "Examples:\n"
      "  sharpscope paraview model.interp.h5                       # model.interp.loss.vtp\n"
      "  sharpscope paraview model.interp.h5 --log --zmax 10 --out surface.vtp\n"
      "  sharpscope paraview model.gradfield.h5 --field cosine --out field.vtk   # legacy VTK");
  cmd->add_option("input", f->input, "Output of landscape interp or gradsim --field (HDF5)")
      ->required();
  cmd->add_option("--field", f->field,
                  "Height field: loss | accuracy (surface), cosine | gradient_norm | loss (cosine "
                  "field); default loss / cosine");
  cmd->add_flag("--log", f->log, "Height ln(v + --log-offset), as h52vtp --log");
  cmd->add_option("--log-offset", f->log_offset, "Added before the log")->capture_default_str();
  cmd->add_option("--zmin", f->zmin, "Clip values below this (before the log)");
  cmd->add_option("--zmax", f->zmax, "Clip values above this (before the log), as h52vtp --zmax");
  cmd->add_option("--out", f->out, "Output .vtp (VTK XML) or .vtk (legacy VTK)");
  cmd->add_flag("--quiet,-q", f->quiet, "Print nothing");
  cmd->callback([f] { run_paraview(*f); });
}

}  // namespace sharpscope::cli
