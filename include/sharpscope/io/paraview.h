#pragma once
/// ParaView export of a 2-D grid (docs/math.md §20; loss-landscape's `h52vtp.py`): a landscape
/// surface or a cosine field as a polygon mesh whose height is one field, with every field as
/// point data, in VTK's XML PolyData format (.vtp) or the legacy ASCII format (.vtk). Both are
/// ASCII, written atomically (core/atomic_file.h).
///
/// Mesh: point p = i·ny + j at (x_i, y_j, h_ij) for the [nx, ny] row-major grid; one quad per grid
/// cell, corners p(i,j), p(i+1,j), p(i+1,j+1), p(i,j+1) (counter-clockwise seen from +z), with
/// cell data `mean_height`, the mean of its corners' heights (h52vtp's "averaged zvalue").
/// Height: h = v clipped to [zmin, zmax], then ln(h + log_offset) with --log (h52vtp clips at
/// zmax, then takes log(v + 0.1)). A point whose height is not finite (NaN, or the log of a
/// non-positive number) is kept with `valid` = 0, every field written 0 there and its height set
/// to the lowest valid one, and the quads touching it are left out, so the surface has a hole
/// instead of a spike ParaView cannot draw.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sharpscope/core/types.h"

namespace sharpscope {

enum class VtkFormat {
  kXml,     ///< .vtp: VTK XML PolyData, ASCII data arrays
  kLegacy,  ///< .vtk: legacy VTK, ASCII, DATASET POLYDATA
};
/// The format of an output path by its extension; UsageError naming --out otherwise.
VtkFormat vtk_format_of(const std::string& path);

struct VtkOptions {
  std::string height = "loss";  ///< the field that gives z
  bool log = false;
  double log_offset = 0.1;  ///< h = ln(v + log_offset) with --log
  std::optional<double> zmin, zmax;
  VtkFormat format = VtkFormat::kXml;
  /// UsageError naming --log-offset / --zmin / --zmax (zmin < zmax, finite).
  void validate() const;
};

/// A 2-D grid and its fields, each [nx·ny] row-major [nx, ny] (x on the first axis).
struct GridFields {
  std::vector<double> x, y;
  std::vector<std::pair<std::string, std::vector<double>>> fields;
};

/// The heights of `values` after clipping and the log (NaN where not finite).
std::vector<double> surface_heights(const std::vector<double>& values, const VtkOptions& options);

struct VtkSummary {
  int64_t points = 0, cells = 0, invalid_points = 0;
  double height_min = 0.0, height_max = 0.0;  ///< over valid points
};

/// Writes the surface to `path` (atomically). `comment` lines (e.g. provenance, key = value) go
/// into an XML comment (.vtp) or, joined, the title line (.vtk, cut to 255 characters).
/// UsageError when the grid is not 2-D (nx, ny ≥ 2), the height field is missing, a field has the
/// wrong size or no point is valid; OutputError when the file cannot be written.
VtkSummary write_vtk_surface(const std::string& path, const GridFields& grid,
                             const VtkOptions& options, const Metadata& comment = {});

}  // namespace sharpscope
