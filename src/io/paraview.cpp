#include "sharpscope/io/paraview.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>
#include <type_traits>

#include "sharpscope/core/atomic_file.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/number_text.h"

namespace sharpscope {

VtkFormat vtk_format_of(const std::string& path) {
  const auto ends_with = [&](const std::string& suffix) {
    return path.size() >= suffix.size() &&
           path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with(".vtp")) return VtkFormat::kXml;
  if (ends_with(".vtk")) return VtkFormat::kLegacy;
  throw UsageError("--out = '" + path + "': expected a .vtp (VTK XML) or .vtk (legacy) file name");
}

void VtkOptions::validate() const {
  if (!std::isfinite(log_offset)) {
    throw UsageError("--log-offset = " + number_text(log_offset) + ": must be finite");
  }
  if (zmin && !std::isfinite(*zmin)) throw UsageError("--zmin: must be finite");
  if (zmax && !std::isfinite(*zmax)) throw UsageError("--zmax: must be finite");
  if (zmin && zmax && !(*zmin < *zmax)) {
    throw UsageError("--zmin = " + number_text(*zmin) + ", --zmax = " + number_text(*zmax) +
                     ": need zmin < zmax");
  }
}

std::vector<double> surface_heights(const std::vector<double>& values, const VtkOptions& o) {
  std::vector<double> out;
  out.reserve(values.size());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (double v : values) {
    if (std::isnan(v)) {
      out.push_back(nan);
      continue;
    }
    if (o.zmax) v = std::min(v, *o.zmax);
    if (o.zmin) v = std::max(v, *o.zmin);
    if (o.log) v = v + o.log_offset > 0.0 ? std::log(v + o.log_offset) : nan;
    out.push_back(std::isfinite(v) ? v : nan);
  }
  return out;
}

namespace {

// Round-trip text of a double (17 significant digits) for the ASCII arrays.
void put(std::ostream& out, double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", value);
  out << text;
}

// XML comments may not contain "--"; command lines do.
std::string comment_safe(std::string text) {
  for (size_t at = text.find("--"); at != std::string::npos; at = text.find("--", at)) {
    text.replace(at, 2, "-\\-");
  }
  return text;
}

struct Mesh {
  int64_t nx = 0, ny = 0;
  std::vector<double> height;  // [points], invalid points filled
  std::vector<uint8_t> valid;  // [points]
  std::vector<std::array<int64_t, 4>> quads;
  std::vector<double> mean_height;                                  // [quads]
  std::vector<std::pair<std::string, std::vector<double>>> fields;  // non-finite → 0
};

Mesh build_mesh(const GridFields& grid, const VtkOptions& o, VtkSummary& summary) {
  Mesh m;
  m.nx = static_cast<int64_t>(grid.x.size());
  m.ny = static_cast<int64_t>(grid.y.size());
  if (m.nx < 2 || m.ny < 2) {
    throw UsageError("paraview export needs a 2-D grid (at least 2 x 2 points); this one is " +
                     std::to_string(m.nx) + " x " + std::to_string(m.ny));
  }
  const size_t points = static_cast<size_t>(m.nx * m.ny);
  const std::vector<double>* height_values = nullptr;
  std::string names;
  for (const auto& [name, values] : grid.fields) {
    if (values.size() != points) {
      throw UsageError("field '" + name + "' has " + std::to_string(values.size()) +
                       " values for a grid of " + std::to_string(points) + " points");
    }
    if (name == o.height) height_values = &values;
    names += (names.empty() ? "" : ", ") + name;
  }
  if (!height_values) {
    throw UsageError("--field = '" + o.height + "': not in the file (it has " + names + ")");
  }
  m.height = surface_heights(*height_values, o);
  m.valid.assign(points, 0);
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (size_t p = 0; p < points; ++p) {
    if (std::isnan(m.height[p])) continue;
    m.valid[p] = 1;
    lo = std::min(lo, m.height[p]);
    hi = std::max(hi, m.height[p]);
  }
  if (!(lo <= hi)) throw UsageError("--field = '" + o.height + "': no point has a finite height");
  for (size_t p = 0; p < points; ++p) {
    if (!m.valid[p]) {
      m.height[p] = lo;
      ++summary.invalid_points;
    }
  }
  for (const auto& [name, values] : grid.fields) {
    std::vector<double> clean(values);
    for (size_t p = 0; p < points; ++p) {
      if (!m.valid[p] || !std::isfinite(clean[p])) clean[p] = 0.0;
    }
    m.fields.emplace_back(name, std::move(clean));
  }
  const auto index = [&](int64_t i, int64_t j) { return i * m.ny + j; };
  for (int64_t i = 0; i + 1 < m.nx; ++i) {
    for (int64_t j = 0; j + 1 < m.ny; ++j) {
      const std::array<int64_t, 4> q = {index(i, j), index(i + 1, j), index(i + 1, j + 1),
                                        index(i, j + 1)};
      if (!std::all_of(q.begin(), q.end(), [&](int64_t p) { return m.valid[p] == 1; })) continue;
      m.quads.push_back(q);
      double sum = 0.0;
      for (int64_t p : q) sum += m.height[static_cast<size_t>(p)];
      m.mean_height.push_back(sum / 4.0);
    }
  }
  summary.points = static_cast<int64_t>(points);
  summary.cells = static_cast<int64_t>(m.quads.size());
  summary.height_min = lo;
  summary.height_max = hi;
  return m;
}

template <class T>
void xml_array(std::ostream& out, const std::string& type, const std::string& name,
               const std::vector<T>& values, int components = 1) {
  out << "        <DataArray type=\"" << type << "\"";
  if (!name.empty()) out << " Name=\"" << name << "\"";
  out << " NumberOfComponents=\"" << components << "\" format=\"ascii\">\n";
  for (size_t k = 0; k < values.size(); ++k) {
    out << (k % 6 == 0 ? "          " : " ");
    if constexpr (std::is_floating_point_v<T>) {
      put(out, values[k]);
    } else {
      out << static_cast<int64_t>(values[k]);
    }
    if (k % 6 == 5 || k + 1 == values.size()) out << "\n";
  }
  out << "        </DataArray>\n";
}

std::vector<double> point_coordinates(const GridFields& grid, const Mesh& m) {
  std::vector<double> xyz;
  for (int64_t i = 0; i < m.nx; ++i) {
    for (int64_t j = 0; j < m.ny; ++j) {
      xyz.push_back(grid.x[static_cast<size_t>(i)]);
      xyz.push_back(grid.y[static_cast<size_t>(j)]);
      xyz.push_back(m.height[static_cast<size_t>(i * m.ny + j)]);
    }
  }
  return xyz;
}

void write_xml(std::ostream& out, const GridFields& grid, const Mesh& m, const Metadata& comment) {
  out << "<?xml version=\"1.0\"?>\n";
  if (!comment.empty()) {
    out << "<!--\n";
    for (const auto& [key, value] : comment)
      out << "  " << comment_safe(key + " = " + value) << "\n";
    out << "-->\n";
  }
  out << "<VTKFile type=\"PolyData\" version=\"1.0\" byte_order=\"LittleEndian\" "
         "header_type=\"UInt64\">\n"
      << "  <PolyData>\n"
      << "    <Piece NumberOfPoints=\"" << m.height.size()
      << "\" NumberOfVerts=\"0\" NumberOfLines=\"0\" NumberOfStrips=\"0\" NumberOfPolys=\""
      << m.quads.size() << "\">\n"
      << "      <PointData Scalars=\"height\">\n";
  xml_array(out, "Float64", "height", m.height);
  for (const auto& [name, values] : m.fields) xml_array(out, "Float64", name, values);
  xml_array(out, "UInt8", "valid", m.valid);
  out << "      </PointData>\n      <CellData Scalars=\"mean_height\">\n";
  xml_array(out, "Float64", "mean_height", m.mean_height);
  out << "      </CellData>\n      <Points>\n";
  xml_array(out, "Float64", "Points", point_coordinates(grid, m), 3);
  out << "      </Points>\n      <Polys>\n";
  std::vector<int64_t> connectivity, offsets;
  for (const auto& q : m.quads) {
    connectivity.insert(connectivity.end(), q.begin(), q.end());
    offsets.push_back(static_cast<int64_t>(connectivity.size()));
  }
  xml_array(out, "Int64", "connectivity", connectivity);
  xml_array(out, "Int64", "offsets", offsets);
  out << "      </Polys>\n    </Piece>\n  </PolyData>\n</VTKFile>\n";
}

template <class T>
void legacy_values(std::ostream& out, const std::vector<T>& values) {
  for (size_t k = 0; k < values.size(); ++k) {
    if constexpr (std::is_floating_point_v<T>) {
      put(out, values[k]);
    } else {
      out << static_cast<int64_t>(values[k]);
    }
    out << (k % 6 == 5 || k + 1 == values.size() ? "\n" : " ");
  }
}

void write_legacy(std::ostream& out, const GridFields& grid, const Mesh& m,
                  const Metadata& comment) {
  std::string title;
  for (const auto& [key, value] : comment) title += (title.empty() ? "" : "; ") + key + "=" + value;
  for (char& c : title) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  if (title.empty()) title = "sharpscope surface";
  if (title.size() > 255) title.resize(255);
  const size_t points = m.height.size();
  out << "# vtk DataFile Version 3.0\n" << title << "\nASCII\nDATASET POLYDATA\n";
  out << "POINTS " << points << " double\n";
  const std::vector<double> xyz = point_coordinates(grid, m);
  for (size_t p = 0; p < points; ++p) {
    put(out, xyz[3 * p]);
    out << " ";
    put(out, xyz[3 * p + 1]);
    out << " ";
    put(out, xyz[3 * p + 2]);
    out << "\n";
  }
  out << "POLYGONS " << m.quads.size() << " " << 5 * m.quads.size() << "\n";
  for (const auto& q : m.quads)
    out << "4 " << q[0] << " " << q[1] << " " << q[2] << " " << q[3] << "\n";
  out << "POINT_DATA " << points << "\n";
  out << "SCALARS height double 1\nLOOKUP_TABLE default\n";
  legacy_values(out, m.height);
  for (const auto& [name, values] : m.fields) {
    out << "SCALARS " << name << " double 1\nLOOKUP_TABLE default\n";
    legacy_values(out, values);
  }
  out << "SCALARS valid unsigned_char 1\nLOOKUP_TABLE default\n";
  legacy_values(out, m.valid);
  out << "CELL_DATA " << m.quads.size() << "\n";
  out << "SCALARS mean_height double 1\nLOOKUP_TABLE default\n";
  legacy_values(out, m.mean_height);
}

}  // namespace

VtkSummary write_vtk_surface(const std::string& path, const GridFields& grid,
                             const VtkOptions& options, const Metadata& comment) {
  options.validate();
  VtkSummary summary;
  const Mesh mesh = build_mesh(grid, options, summary);
  AtomicFile file(path);  // created first: an unwritable --out fails before the text is built
  std::ostringstream text;
  if (options.format == VtkFormat::kXml) {
    write_xml(text, grid, mesh, comment);
  } else {
    write_legacy(text, grid, mesh, comment);
  }
  const std::string bytes = text.str();
  file.write(bytes.data(), bytes.size());
  file.commit();
  return summary;
}

}  // namespace sharpscope
