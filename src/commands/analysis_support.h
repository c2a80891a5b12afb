#pragma once
/// Pieces the landscape, gradient-geometry and sharpness commands share: the second data split
/// (train/test gaps), direction flags, grid signatures for --resume, and the directions written
/// into outputs.
#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "commands/common.h"
#include "sharpscope/core/number_text.h"
#include "sharpscope/io/partial_grid.h"
#include "sharpscope/landscape/directions.h"
#include "sharpscope/landscape/surface.h"

namespace sharpscope {
class H5Writer;
}

namespace sharpscope::cli {

/// The same data set and subset as the session, on another split, bound to the session's model.
struct SplitObjective {
  Dataset data;
  std::unique_ptr<Objective> objective;
};
SplitObjective open_split(Session& session, const CommonOptions& options, Split split);

/// The other split of the session's (train ↔ test).
Split other_split(const CommonOptions& options);

/// Flags of a grid spanned by one or two directions (interp, gradsim --field).
struct DirectionFlags {
  std::string dirs = "v1,v10";
  std::string x = "-0.2:0.2:21";
  std::string y = "-0.2:0.2:21";
  bool y_given = false;  // --y was set: a mistake with one direction, whose grid is a line
  double rho = 0.1;
  std::string ratio;
  std::string scope = "full";
  bool include_bn = false;
  bool orthogonalize = false;
  std::string eigen_file;
  std::string trajectory;
  bool resume = false;
};
void add_direction_flags(CLI::App& command, DirectionFlags& flags, const std::string& default_dirs,
                         double default_rho);

/// Points of the grid the flags describe (|x| · |y| for two directions), for the parallel mode
/// (open_session); parses --dirs, --x and --y (UsageError as build_grid).
int64_t grid_points(const DirectionFlags& flags);

/// Parsed grid and built directions (one or two), with the options recorded in the output.
struct GridSetup {
  SurfaceOptions grid;
  std::vector<Direction> directions;
  const ParamList* d2() const { return directions.size() > 1 ? &directions[1].values : nullptr; }
  /// dirs, x, y, rho, ratio, scope, include_bn, orthogonalize, eigen_file, trajectory
  Metadata attributes;
  /// The PCA index K (1 or 2) of each direction that is pcaK, 0 for the others.
  std::vector<int> pca_components;
};
/// Validates every flag before any pass over the data. Cost: the directions' (vN: N gradients).
GridSetup build_grid(Session& session, const CommonOptions& common, const DirectionFlags& flags);

/// When every direction of the grid is pcaK (--trajectory FILE), writes the training path in the
/// grid's coordinates: group `trajectory` with `epoch` and `x` (along d1) and, on a 2-D grid, `y`
/// (along d2) — the checkpoints' coordinates from FILE, so that a plot can overlay the path on the
/// surface (plots/plot_landscape.py). Nothing otherwise (with a warning when --trajectory was
/// given for a grid with other directions). Warns when the session's model is not the trajectory's
/// reference w_final, the point the plane is centred on.
void write_trajectory_overlay(H5Writer& writer, const Session& session, const GridSetup& setup,
                              const DirectionFlags& flags, const CommonOptions& common);

/// The text a --resume partial file must match: everything that changes a grid value (model
/// hash, data, split, subset, dtype, BN mode, smoothing, device) plus the analysis attributes.
std::string grid_signature(const Session& session, const Metadata& attributes);

/// The directions of a grid as groups directions/d1, directions/d2 by parameter name, each with its
/// spec and description.
void write_directions(H5Writer& writer, const Session& session,
                      const std::vector<Direction>& directions);

/// Opens a grid's resumable rows (PartialGrid) under `signature` and says when points are resumed.
std::unique_ptr<PartialGrid> open_grid_rows(const std::string& out_path,
                                            const std::string& signature, int64_t points,
                                            int64_t width, bool resume,
                                            const CommonOptions& common);

/// Commits the output, drops the grid's partial file if there is one, and prints the summary and
/// the path written. When the output cannot be written (OutputError), the grid's rows are saved to
/// their partial file first, where the disk allows, and the error says where they are.
void commit_output(H5Writer& writer, PartialGrid* rows, const std::string& summary,
                   const CommonOptions& common);

/// Compact number for tables: 6 significant digits, "nan"/"inf" spelled out.
std::string cell(double value, int width = 10);

/// `text` right-aligned in `width` columns (table headers).
std::string label(const std::string& text, int width);

}  // namespace sharpscope::cli
