#include "sharpscope/landscape/directions.h"

#include "commands/parse.h"
#include "sharpscope/core/error.h"
#include "sharpscope/io/direction_file.h"
#include "sharpscope/io/h5_writer.h"
#include "support/scratch_dir.h"
#include "support/tiny_problem.h"

namespace sharpscope {
using cli::parse_direction;
namespace {

using testing::TinyProblem;

TEST(DirectionParse, AcceptsEveryKind) {
  EXPECT_EQ(parse_direction("v10").kind, DirectionKind::kAscent);
  EXPECT_EQ(parse_direction("v10").index, 10);
  EXPECT_EQ(parse_direction("rand").kind, DirectionKind::kRandom);
  EXPECT_FALSE(parse_direction("rand").seed.has_value());
  EXPECT_EQ(*parse_direction("rand:7").seed, 7u);
  EXPECT_EQ(parse_direction("eig2").index, 2);
  EXPECT_EQ(parse_direction("to:other.pt").path, "other.pt");
  const DirectionSpec file = parse_direction("file:/tmp/a:b.h5:directions/d1");
  EXPECT_EQ(file.path, "/tmp/a:b.h5");
  EXPECT_EQ(file.name, "directions/d1");
}

TEST(DirectionParse, RejectsMalformedSpecsNamingTheFlag) {
  for (const char* bad :
       {"v0", "v", "vx", "rand:", "rand:x", "eig0", "to:", "file:x.h5", "file:x.h5:", "w1",
        // Beyond 100 000, and beyond long long (strtoll saturated it, and the cast to int made
        // eig2111...1 a negative index: fuzz finding, tests/fuzz/regressions/flags).
        "eig100001", "v100001", "eig21111111111111111111111", "rand:99999999999999999999"}) {
    try {
      parse_direction(bad);
      ADD_FAILURE() << bad;
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("--dirs"), std::string::npos) << e.what();
    }
  }
}

TEST(DirectionRandom, FilterNormalizationMatchesEachFilterOfW) {
  TinyProblem p;
  const ParamList d = filter_normalized_random(p.w0, 3, /*include_bn=*/false);
  for (size_t i = 0; i < d.size(); ++i) {
    if (p.w0[i].dim() >= 2) {
      for (int64_t row = 0; row < p.w0[i].size(0); ++row) {
        EXPECT_NEAR(d[i][row].norm().item<double>(), p.w0[i][row].norm().item<double>(), 1e-12);
      }
    } else {
      EXPECT_EQ(d[i].abs().max().item<double>(), 0.0) << "1-D tensors are zero by default";
    }
  }
  const ParamList with_bn = filter_normalized_random(p.w0, 3, /*include_bn=*/true);
  for (size_t i = 0; i < d.size(); ++i) {
    if (p.w0[i].dim() == 1)
      EXPECT_NEAR(with_bn[i].norm().item<double>(), p.w0[i].norm().item<double>(), 1e-12);
    if (p.w0[i].dim() >= 2)
      EXPECT_TRUE(torch::equal(with_bn[i], d[i])) << "--include-bn changes only 1-D tensors";
  }
}

TEST(DirectionRandom, SeededAndDistinct) {
  TinyProblem p;
  EXPECT_TRUE(testing::params_equal(filter_normalized_random(p.w0, 5, false),
                                    filter_normalized_random(p.w0, 5, false)));
  EXPECT_LT(std::abs(cosine(filter_normalized_random(p.w0, 5, false),
                            filter_normalized_random(p.w0, 6, false))),
            0.9);
}

TEST(DirectionAscent, V1IsTheNormalizedGradientAndVNMatchesAnIndependentAscent) {
  TinyProblem p;
  DirectionOptions options;
  options.ascent.rho = 0.3;
  const Direction v1 = build_direction(parse_direction("v1"), p.objective, options, 0);
  const ParamList g = p.objective.gradient().gradient;
  EXPECT_TRUE(testing::params_near(v1.values, normalized(g), 1e-12, 1e-14));
  for (int n : {2, 5}) {
    const Direction vn =
        build_direction(parse_direction("v" + std::to_string(n)), p.objective, options, 0);
    EXPECT_TRUE(testing::params_near(vn.values, p.ascent_direction(n, 0.3), 1e-10, 1e-12)) << n;
    EXPECT_NEAR(norm(vn.values), 1.0, 1e-12);
  }
  EXPECT_TRUE(p.weights_restored());
}

TEST(DirectionAscent, BatchScopeUsesTheFirstBatch) {
  TinyProblem p(48, 16);
  DirectionOptions options;
  options.ascent.rho = 0.2;
  options.scope = Scope::kBatch;
  const Direction v2 = build_direction(parse_direction("v2"), p.objective, options, 0);
  const Objective first = p.objective.batch(0);
  EXPECT_TRUE(testing::params_near(v2.values, p.ascent_direction(2, 0.2, &first), 1e-10, 1e-12));
}

TEST(DirectionOrthonormalize, GivesAnOrthonormalPairAndRejectsParallelOnes) {
  TinyProblem p;
  ParamList a = filter_normalized_random(p.w0, 1, false),
            b = filter_normalized_random(p.w0, 2, false);
  const ParamList a0 = clone(a);
  orthonormalize(a, b);
  EXPECT_NEAR(norm(a), 1.0, 1e-14);
  EXPECT_NEAR(norm(b), 1.0, 1e-14);
  EXPECT_NEAR(dot(a, b), 0.0, 1e-14);
  EXPECT_NEAR(cosine(a, a0), 1.0, 1e-14) << "the first keeps its direction";
  ParamList c = clone(a0), d = clone(a0);
  scale(d, 3.0);
  EXPECT_THROW(orthonormalize(c, d), UsageError);
}

TEST(DirectionFile, ReadsGroupAndFlatLayoutsAndEigenvectors) {
  TinyProblem p;
  const testing::ScratchDir scratch("directions");
  const std::string path = scratch.file("dirs.h5");
  const ParamList d = filter_normalized_random(p.w0, 4, true);
  {
    H5Writer writer(path);
    write_direction(writer, "directions/eig1", p.model.parameter_names(), d, "test");
    const at::Tensor flat = flatten(d);
    writer.write("flatdir_flat", std::vector<double>(flat.data_ptr<double>(),
                                                     flat.data_ptr<double>() + flat.numel()));
    writer.commit();
  }
  EXPECT_TRUE(testing::params_near(
      read_direction(path, "directions/eig1", p.model.parameter_names(), p.w0), d, 0, 0));
  EXPECT_TRUE(testing::params_near(read_direction(path, "flatdir", p.model.parameter_names(), p.w0),
                                   d, 0, 0));
  EXPECT_THROW(read_direction(path, "missing", p.model.parameter_names(), p.w0), InputError);

  DirectionOptions options;
  EXPECT_THROW(build_direction(parse_direction("eig1"), p.objective, options, 0), UsageError);
  options.eigen_file = path;
  options.read_stored = [&](const std::string& file, const std::string& name) {
    return read_direction(file, name, p.model.parameter_names(), p.w0);
  };
  const Direction eig = build_direction(parse_direction("eig1"), p.objective, options, 0);
  EXPECT_TRUE(testing::params_near(eig.values, d, 0, 0));
  const Direction file =
      build_direction(parse_direction("file:" + path + ":flatdir"), p.objective, options, 0);
  EXPECT_TRUE(testing::params_near(file.values, d, 0, 0));
}

}  // namespace
}  // namespace sharpscope
