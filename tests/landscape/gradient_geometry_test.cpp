#include "sharpscope/landscape/gradient_geometry.h"

#include "sharpscope/io/partial_grid.h"
#include "sharpscope/landscape/directions.h"
#include "support/scratch_dir.h"
#include "support/tiny_problem.h"

namespace sharpscope {
namespace {

using testing::kSameMath;
using testing::TinyProblem;

TEST(GradsimMatrix, UnitDiagonalSymmetricAndEqualToDirectCosines) {
  TinyProblem p;
  CosineMatrixOptions o;
  o.rho = 0.3;
  o.steps = {0, 1, 2, 4};
  const CosineMatrix r = cosine_matrix(p.objective, o);
  std::vector<ParamList> g;
  for (int n : o.steps) {
    if (n == 0) {
      g.push_back(p.gradient_at(p.w0));
    } else {
      const ParamList v = p.ascent_direction(n, o.rho);
      g.push_back(p.gradient_at(p.point({{o.rho, &v}})));
    }
  }
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(r.cosine[i * 4 + i], 1.0, 1e-14);
    EXPECT_NEAR(r.gradient_norm[i], norm(g[i]), 1e-12);
    for (size_t j = 0; j < 4; ++j) {
      EXPECT_EQ(r.cosine[i * 4 + j], r.cosine[j * 4 + i]);
      EXPECT_NEAR(r.cosine[i * 4 + j], dot(g[i], g[j]) / (norm(g[i]) * norm(g[j])), 1e-10);
    }
  }
  EXPECT_TRUE(p.weights_restored());
}

TEST(GradsimField, EachPointIsTheCosineWithTheReferenceGradient) {
  TinyProblem p;
  CosineFieldOptions o;
  o.rho = 0.5;
  o.grid = {{0.0, 0.5}, {0.0, 0.25, 0.5}};
  const ParamList d1 = p.ascent_direction(1, 0.5), d2 = p.ascent_direction(2, 0.5);
  const testing::ScratchDir scratch("field");
  PartialGrid rows(scratch.file("f.h5"), "test", 6, kCosineFieldRowWidth, false);
  const CosineField r = cosine_field(p.objective, d1, &d2, o, rows);
  const ParamList reference = p.gradient_at(p.point({{0.5, &d1}}));
  for (size_t i = 0; i < 2; ++i) {
    for (size_t j = 0; j < 3; ++j) {
      const ParamList g = p.gradient_at(p.point({{o.grid.x[i], &d1}, {o.grid.y[j], &d2}}));
      EXPECT_NEAR(r.cosine[i * 3 + j], cosine(reference, g), 1e-10);
      EXPECT_NEAR(r.gradient_norm[i * 3 + j], norm(g), 1e-12);
    }
  }
  EXPECT_NEAR(r.cosine[1 * 3 + 0], 1.0, 1e-12) << "(0.5, 0) is w^p1 itself";
  EXPECT_TRUE(p.weights_restored());
}

}  // namespace
}  // namespace sharpscope
