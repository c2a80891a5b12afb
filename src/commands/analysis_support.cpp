#include "commands/analysis_support.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "commands/flag_value.h"
#include "commands/parse.h"
#include "sharpscope/ascent/ascent.h"
#include "sharpscope/core/error.h"
#include "sharpscope/io/direction_file.h"
#include "sharpscope/io/h5_writer.h"

namespace sharpscope::cli {

SplitObjective open_split(Session& session, const CommonOptions& options, Split split) {
  SplitObjective out;
  out.data = load_dataset(session.spec, split, Subset{options.subset, options.subset_seed});
  out.objective =
      std::make_unique<Objective>(session.model, out.data, session.objective->options());
  return out;
}

Split other_split(const CommonOptions& options) {
  return parse_split(options.split) == Split::kTrain ? Split::kTest : Split::kTrain;
}

void add_direction_flags(CLI::App& cmd, DirectionFlags& f, const std::string& default_dirs,
                         double default_rho) {
  f.dirs = default_dirs;
  f.rho = default_rho;
  cmd.add_option("--dirs", f.dirs,
                 "One or two directions: vN | rand[:SEED] | eigK | pca1 | pca2 | to:OTHER.pt | "
                 "file:F.h5:NAME")
      ->capture_default_str();
  cmd.add_option("--x", f.x, "Grid along the first direction, start:stop:count")
      ->capture_default_str();
  cmd.add_option("--y", f.y, "Grid along the second direction, start:stop:count")
      ->capture_default_str()
      ->each([&f](const std::string&) { f.y_given = true; });
  cmd.add_option("--rho", f.rho, "Ascent radius of vN directions")->capture_default_str();
  cmd.add_option("--ratio", f.ratio, "Relative ascent step sizes, e.g. 1:2 (default equal)");
  cmd.add_option("--scope", f.scope, "vN from the whole subset (full) or its first batch (batch)")
      ->capture_default_str();
  cmd.add_flag("--include-bn", f.include_bn,
               "rand: also perturb 1-D tensors (biases, BatchNorm weights)");
  cmd.add_flag("--orthogonalize", f.orthogonalize,
               "Gram-Schmidt: make the two directions orthonormal");
  cmd.add_option("--eigen-file", f.eigen_file,
                 "eigK directions: file written by 'hessian spectrum --save-vectors'");
  cmd.add_option("--trajectory", f.trajectory,
                 "pca1/pca2 directions: file written by 'landscape trajectory' (the model given "
                 "should be its last checkpoint)");
  cmd.add_flag("--resume", f.resume, "Continue an interrupted grid from its .partial.h5 file");
}

int64_t grid_points(const DirectionFlags& f) {
  const size_t directions = parse_name_list(f.dirs, "--dirs").size();
  const int64_t nx = parse_range(f.x, "--x").count;
  return directions == 2 ? nx * parse_range(f.y, "--y").count : nx;
}

GridSetup build_grid(Session& session, const CommonOptions& common, const DirectionFlags& f) {
  GridSetup setup;
  const std::vector<std::string> specs_text = parse_name_list(f.dirs, "--dirs");
  if (specs_text.size() > 2)
    throw UsageError(flag_value("--dirs", f.dirs) + ": give one or two directions");
  std::vector<DirectionSpec> specs;
  for (const std::string& text : specs_text) specs.push_back(parse_direction(text));
  setup.grid.x = parse_range(f.x, "--x").values();
  if (specs.size() == 2) {
    setup.grid.y = parse_range(f.y, "--y").values();
  } else if (f.y_given) {
    throw UsageError(flag_value("--y", f.y) + ": one direction (" + flag_value("--dirs", f.dirs) +
                     ") gives a line along --x; give two --dirs for a plane");
  }
  if (f.orthogonalize && specs.size() != 2) throw UsageError("--orthogonalize needs two --dirs");

  DirectionOptions options;
  options.ascent.rho = f.rho;
  if (!f.ratio.empty()) options.ascent.ratio = parse_ratio(f.ratio, "--ratio");
  options.ascent.validate();
  options.scope = parse_scope(f.scope);
  options.include_bn = f.include_bn;
  options.seed = common.seed;
  options.eigen_file = f.eigen_file;
  options.trajectory_file = f.trajectory;
  const std::vector<std::string>& names = session.model.parameter_names();
  options.read_stored = [&names, &weights = session.model.parameters()](const std::string& path,
                                                                        const std::string& name) {
    return read_direction(path, name, names, weights);
  };
  for (size_t i = 0; i < specs.size(); ++i) {
    if (specs[i].kind == DirectionKind::kAscent && !options.ascent.ratio.empty()) {
      AscentOptions{f.rho, specs[i].index, options.ascent.ratio}.validate();
    }
  }
  for (const DirectionSpec& spec : specs) {
    setup.pca_components.push_back(spec.kind == DirectionKind::kPca ? spec.index : 0);
  }
  for (size_t i = 0; i < specs.size(); ++i) {
    setup.directions.push_back(
        build_direction(specs[i], *session.objective, options, static_cast<int>(i)));
  }
  if (f.orthogonalize) orthonormalize(setup.directions[0].values, setup.directions[1].values);

  Metadata& a = setup.attributes;
  a["dirs"] = f.dirs;
  a["x"] = f.x;
  a["y"] = specs.size() == 2 ? f.y : "";
  a["rho"] = number_text(f.rho);
  a["ratio"] = f.ratio;
  a["scope"] = f.scope;
  a["include_bn"] = f.include_bn ? "true" : "false";
  a["orthogonalize"] = f.orthogonalize ? "true" : "false";
  a["eigen_file"] = f.eigen_file;
  a["trajectory"] = f.trajectory;
  return setup;
}

void write_trajectory_overlay(H5Writer& writer, const Session& session, const GridSetup& setup,
                              const DirectionFlags& f, const CommonOptions& common) {
  if (f.trajectory.empty()) return;
  // A path needs a coordinate on every axis of the grid: along a random or ascent direction the
  // checkpoints have none.
  if (std::any_of(setup.pca_components.begin(), setup.pca_components.end(),
                  [](int k) { return k == 0; })) {
    say(common, "warning: --trajectory " + f.trajectory +
                    ": the path is drawn only on a grid whose every direction is pca1 or pca2; "
                    "not drawn");
    return;
  }
  const H5Reader trajectory(f.trajectory);
  std::vector<int64_t> shape;
  const std::vector<double> coordinates = trajectory.read("coordinates", &shape);
  if (shape.size() != 2 || shape[1] != 2) {
    throw InputError(f.trajectory +
                     ": 'coordinates' is not [n, 2] (not a landscape trajectory "
                     "output?)");
  }
  const int64_t n = shape[0];
  const std::vector<double> epoch = trajectory.read("epoch");
  for (size_t axis = 0; axis < setup.pca_components.size(); ++axis) {
    const int k = setup.pca_components[axis];
    if (k == 0) continue;
    std::vector<double> along;
    for (int64_t i = 0; i < n; ++i)
      along.push_back(coordinates[static_cast<size_t>(2 * i + k - 1)]);
    writer.write(axis == 0 ? "trajectory/x" : "trajectory/y", along, "",
                 "the training path's checkpoints along d" + std::to_string(axis + 1) + " (pca" +
                     std::to_string(k) + ") from " + f.trajectory);
  }
  writer.write("trajectory/epoch", epoch, "", "epoch of each checkpoint (NaN when unknown)");
  const std::string reference = trajectory.attribute("/", "reference_sha256");
  writer.attribute("trajectory", "source", f.trajectory);
  writer.attribute("trajectory", "reference_sha256", reference);
  if (reference != session.provenance.values().at("model_sha256")) {
    say(common, "warning: " + session.provenance.values().at("model") +
                    " is not the trajectory's last checkpoint: the plane of " + f.trajectory +
                    " is centred on that checkpoint, so the path drawn on this grid is offset");
  }
}

std::string grid_signature(const Session& session, const Metadata& attributes) {
  std::ostringstream out;
  const Metadata& p = session.provenance.values();
  for (const char* key : {"model_sha256", "data", "split", "subset", "dtype", "bn_mode",
                          "label_smoothing", "device", "seed"}) {
    const auto it = p.find(key);
    out << key << "=" << (it == p.end() ? "" : it->second) << ";";
  }
  for (const auto& [key, value] : attributes) out << key << "=" << value << ";";
  return out.str();
}

void write_directions(H5Writer& writer, const Session& session,
                      const std::vector<Direction>& directions) {
  for (size_t i = 0; i < directions.size(); ++i) {
    const std::string group = "directions/d" + std::to_string(i + 1);
    write_direction(writer, group, session.model.parameter_names(), directions[i].values,
                    directions[i].description);
    writer.attribute(group, "spec", directions[i].spec);
  }
}

std::unique_ptr<PartialGrid> open_grid_rows(const std::string& out_path,
                                            const std::string& signature, int64_t points,
                                            int64_t width, bool resume,
                                            const CommonOptions& common) {
  auto rows = std::make_unique<PartialGrid>(out_path, signature, points, width, resume);
  if (rows->completed() > 0) {
    say(common, "resuming: " + std::to_string(rows->completed()) + " of " +
                    std::to_string(rows->points()) + " points from " + rows->partial_path());
  }
  return rows;
}

void commit_output(H5Writer& writer, PartialGrid* rows, const std::string& summary,
                   const CommonOptions& common) {
  try {
    writer.commit();
  } catch (const OutputError& e) {
    if (!rows) throw;
    // The partial file is far smaller than the output (no directions): it often still fits.
    std::string kept;
    try {
      rows->flush();
      kept = "; the " + std::to_string(rows->completed()) + " computed points are saved in " +
             rows->partial_path() + ": make room and rerun with --resume";
    } catch (const std::exception& second) {
      kept = "; the computed points could not be saved either (" + std::string(second.what()) + ")";
    }
    throw OutputError(e.what() + kept);
  }
  if (rows) rows->discard();  // only once the complete result is safely on disk
  say(common, summary);
  say(common, "wrote " + writer.path());
}

std::string cell(double value, int width) {
  char text[64];
  std::snprintf(text, sizeof text, "%*.6g", width, value);
  return text;
}

std::string label(const std::string& text, int width) {
  return text.size() >= static_cast<size_t>(width) ? " " + text
                                                   : std::string(width - text.size(), ' ') + text;
}

}  // namespace sharpscope::cli
