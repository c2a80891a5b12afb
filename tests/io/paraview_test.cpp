// ParaView export read back: the XML (.vtp) and legacy (.vtk) files are parsed here, independently
// of the writer, and their point and cell counts, coordinates, heights and fields checked.
#include "sharpscope/io/paraview.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "sharpscope/core/atomic_file.h"
#include "sharpscope/core/error.h"
#include "support/scratch_dir.h"

namespace sharpscope {
namespace {

std::string attribute_of(const std::string& xml, const std::string& name) {
  const size_t at = xml.find(name + "=\"");
  EXPECT_NE(at, std::string::npos) << name;
  const size_t start = at + name.size() + 2;
  return xml.substr(start, xml.find('"', start) - start);
}

// The numbers of the DataArray named `name`.
std::vector<double> xml_array(const std::string& xml, const std::string& name) {
  const size_t at = xml.find("Name=\"" + name + "\"");
  EXPECT_NE(at, std::string::npos) << name;
  const size_t start = xml.find('>', at) + 1;
  std::stringstream values(xml.substr(start, xml.find("</DataArray>", start) - start));
  std::vector<double> out;
  for (double v; values >> v;) out.push_back(v);
  return out;
}

// The numbers after the line starting with `header` up to the next line starting with a letter.
std::vector<double> legacy_block(const std::string& text, const std::string& header) {
  const size_t at = text.find("\n" + header);
  EXPECT_NE(at, std::string::npos) << header;
  std::stringstream in(text.substr(text.find('\n', at + 1) + 1));
  std::vector<double> out;
  std::string line;
  if (text.compare(text.find('\n', at + 1) + 1, 12, "LOOKUP_TABLE") == 0) std::getline(in, line);
  while (std::getline(in, line) && !line.empty() &&
         !std::isalpha(static_cast<unsigned char>(line[0]))) {
    std::stringstream numbers(line);
    for (double v; numbers >> v;) out.push_back(v);
  }
  return out;
}

// A 3 × 4 grid: loss = x + 10 y + 1 (so every point is identifiable), accuracy = 0.5.
GridFields grid() {
  GridFields g;
  g.x = {-1.0, 0.0, 1.0};
  g.y = {0.0, 0.1, 0.2, 0.3};
  std::vector<double> loss, accuracy;
  for (double x : g.x) {
    for (double y : g.y) {
      loss.push_back(x + 10.0 * y + 1.0);
      accuracy.push_back(0.5);
    }
  }
  g.fields = {{"loss", loss}, {"accuracy", accuracy}};
  return g;
}

TEST(Paraview, XmlPolyDataReadsBack) {
  const testing::ScratchDir dir;
  const std::string path = dir.file("surface.vtp");
  const VtkSummary s = write_vtk_surface(path, grid(), VtkOptions{}, {{"command_line", "a --b"}});
  EXPECT_EQ(s.points, 12);
  EXPECT_EQ(s.cells, 6);  // (3 − 1)(4 − 1) quads
  const std::string xml = testing::file_text(path);
  EXPECT_EQ(attribute_of(xml, "NumberOfPoints"), "12");
  EXPECT_EQ(attribute_of(xml, "NumberOfPolys"), "6");
  EXPECT_EQ(xml.find("--b"), std::string::npos);  // no "--" inside the XML comment
  const std::vector<double> points = xml_array(xml, "Points");
  ASSERT_EQ(points.size(), 36u);
  const std::vector<double> height = xml_array(xml, "height");
  const std::vector<double> loss = xml_array(xml, "loss");
  ASSERT_EQ(height.size(), 12u);
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 4; ++j) {
      const int p = i * 4 + j;
      EXPECT_EQ(points[3 * p], grid().x[i]);
      EXPECT_EQ(points[3 * p + 1], grid().y[j]);
      EXPECT_EQ(points[3 * p + 2], grid().fields[0].second[p]);  // %.17g reads back exactly
      EXPECT_EQ(height[p], loss[p]);
    }
  }
  const std::vector<double> connectivity = xml_array(xml, "connectivity");
  const std::vector<double> offsets = xml_array(xml, "offsets");
  ASSERT_EQ(connectivity.size(), 24u);
  EXPECT_EQ(offsets.back(), 24.0);
  // The first quad is (0,0) (1,0) (1,1) (0,1): points 0, 4, 5, 1; its mean height is theirs.
  EXPECT_EQ(std::vector<double>(connectivity.begin(), connectivity.begin() + 4),
            (std::vector<double>{0, 4, 5, 1}));
  const std::vector<double> mean = xml_array(xml, "mean_height");
  EXPECT_DOUBLE_EQ(mean[0], (height[0] + height[4] + height[5] + height[1]) / 4.0);
  EXPECT_FALSE(std::filesystem::exists(temp_path_for(path)));
}

TEST(Paraview, LogScaleClippingAndInvalidPointsInLegacyFormat) {
  const testing::ScratchDir dir;
  GridFields g = grid();
  g.fields[0].second[5] = std::numeric_limits<double>::quiet_NaN();  // point (1, 1)
  g.fields[0].second[11] = std::numeric_limits<double>::infinity();  // clipped to zmax
  VtkOptions o;
  o.format = VtkFormat::kLegacy;
  o.log = true;
  o.zmax = 3.5;
  const std::string path = dir.file("surface.vtk");
  const VtkSummary s = write_vtk_surface(path, g, o);
  EXPECT_EQ(s.invalid_points, 1);
  EXPECT_EQ(s.cells, 6 - 4);  // point 5 is a corner of four quads
  const std::string text = testing::file_text(path);
  EXPECT_NE(text.find("POINTS 12 double"), std::string::npos);
  EXPECT_NE(text.find("POLYGONS 2 10"), std::string::npos);
  const std::vector<double> height = legacy_block(text, "SCALARS height");
  const std::vector<double> valid = legacy_block(text, "SCALARS valid");
  const std::vector<double> loss = legacy_block(text, "SCALARS loss");
  ASSERT_EQ(height.size(), 12u);
  for (int p = 0; p < 12; ++p) {
    if (p == 5) {
      EXPECT_EQ(valid[p], 0.0);
      EXPECT_EQ(loss[p], 0.0);
      continue;
    }
    const double v = std::min(g.fields[0].second[p], 3.5);  // clip, then ln(v + 0.1)
    EXPECT_EQ(height[p], std::log(v + 0.1)) << p;           // %.17g reads back exactly
    EXPECT_EQ(valid[p], 1.0);
  }
  EXPECT_EQ(legacy_block(text, "SCALARS mean_height").size(), 2u);
}

TEST(Paraview, RejectsWhatItCannotDraw) {
  const testing::ScratchDir dir;
  GridFields line = grid();
  line.y = {0.0};
  EXPECT_THROW(write_vtk_surface(dir.file("a.vtp"), line, VtkOptions{}), UsageError);
  VtkOptions missing;
  missing.height = "cosine";
  EXPECT_THROW(write_vtk_surface(dir.file("a.vtp"), grid(), missing), UsageError);
  VtkOptions crossed;
  crossed.zmin = 2.0;
  crossed.zmax = 1.0;
  EXPECT_THROW(write_vtk_surface(dir.file("a.vtp"), grid(), crossed), UsageError);
  EXPECT_THROW(vtk_format_of("a.png"), UsageError);
  EXPECT_EQ(vtk_format_of("a.vtk"), VtkFormat::kLegacy);
  EXPECT_FALSE(std::filesystem::exists(dir.file("a.vtp")));
}

}  // namespace
}  // namespace sharpscope
