// End to end: each landscape command parsed in-process on a small zoo MLP and synthetic data, its
// HDF5 output read back.
#include <filesystem>

#include "commands/app.h"
#include "commands/parse.h"
#include "sharpscope/core/checkpoint.h"
#include "sharpscope/core/zoo.h"
#include "sharpscope/io/direction_file.h"
#include "sharpscope/io/h5_writer.h"
#include "support/cli.h"
#include "support/tiny_problem.h"

namespace sharpscope {
using cli::parse_data_spec;
namespace {

const char* kData = "synthetic:96,1,8,8,3,0";

std::string make_checkpoint(const std::string& dir, const std::string& name, uint64_t seed,
                            const std::string& optimizer) {
  torch::manual_seed(seed);
  const InputShape shape{1, 8, 8, 3};
  Model model(make_network("mlp:6", shape), "mlp:6");
  model.metadata()["data"] = kData;
  model.metadata()["input_shape"] = to_string(shape);
  model.metadata()["optimizer"] = optimizer;
  const std::string path = dir + "/" + name;
  save_checkpoint(path, model);
  return path;
}

int run(std::vector<std::string> args) {
  for (const char* common :
       {"--subset", "48", "--batch-size", "16", "--dtype", "float64", "--quiet"}) {
    args.push_back(common);
  }
  return testing::run_cli(std::move(args));
}

class LandscapeCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = scratch.str();
    model = make_checkpoint(dir, "a.pt", 0, "sgd");
  }
  std::string dir, model;
};

TEST_F(LandscapeCommands, InterpWritesLossLandscapeNamesAndDirectionsThatReproduceThePoints) {
  const std::string out = dir + "/interp.h5";
  ASSERT_EQ(run({"landscape", "interp", model, "--dirs", "rand:1,v2", "--x", "-1:1:3", "--y",
                 "0:0.5:2", "--out", out}),
            0);
  const H5Reader r(out);
  std::vector<int64_t> shape;
  const std::vector<double> loss = r.read("train_loss", &shape);
  EXPECT_EQ(shape, (std::vector<int64_t>{3, 2})) << "(nx, ny), x first";
  EXPECT_EQ(r.read("xcoordinates"), (std::vector<double>{-1, 0, 1}));
  EXPECT_EQ(r.read("loss"), loss);
  EXPECT_EQ(r.attribute("/", "result_kind"), "surface");
  EXPECT_EQ(r.attribute("/", "option.dirs"), "rand:1,v2");
  EXPECT_FALSE(std::filesystem::exists(out + ".partial.h5"));

  // Recompute the point (x, y) = (1, 0.5) from the stored directions.
  Model m = Model::load(model);
  m.to(torch::kCPU, torch::kDouble);
  const Dataset data = load_dataset(parse_data_spec(kData), Split::kTrain, Subset{48});
  const Objective objective(m, data);
  const ParamList d1 = read_direction(out, "directions/d1", m.parameter_names(), m.parameters());
  const ParamList d2 = read_direction(out, "directions/d2", m.parameter_names(), m.parameters());
  const ParamList w = clone(m.parameters());
  set_combination(m.parameters(), w, {{1.0, &d1}, {0.5, &d2}});
  EXPECT_NEAR(objective.evaluate().loss, loss[2 * 2 + 1], 1e-12);
}

TEST_F(LandscapeCommands, BadFlagsAreUsageErrors) {
  EXPECT_EQ(run({"landscape", "interp", model, "--x", "1:0:5", "--out", dir + "/x.h5"}), 2);
  EXPECT_EQ(
      run({"landscape", "interp", model, "--dirs", "eig1", "--x", "0:1:2", "--out", dir + "/x.h5"}),
      2);
  EXPECT_EQ(run({"gradsim", model, "--steps", "2,1", "--out", dir + "/x.h5"}), 2);
  EXPECT_EQ(run({"sharpness", model, "--kinds", "asc,sharp", "--out", dir + "/x.h5"}), 2);
}

TEST_F(LandscapeCommands, EveryCommandWritesItsResult) {
  const std::string other = make_checkpoint(dir, "b.pt", 1, "sam");
  ASSERT_EQ(run({"landscape", "ascent", model, "--steps", "1,2", "--k", "0:0.2:3", "--out",
                 dir + "/a.h5"}),
            0);
  EXPECT_EQ(H5Reader(dir + "/a.h5").read("loss").size(), 6u);
  ASSERT_EQ(run({"landscape", "line", model, other, "--alpha", "0:1:3", "--out", dir + "/l.h5"}),
            0);
  EXPECT_EQ(H5Reader(dir + "/l.h5").read("test_loss").size(), 3u);
  ASSERT_EQ(run({"gradsim", model, "--steps", "0,1,2", "--out", dir + "/g.h5"}), 0);
  EXPECT_EQ(H5Reader(dir + "/g.h5").read("cosine").size(), 9u);
  ASSERT_EQ(run({"gradsim", model, "--field", "--x", "0:0.1:2", "--y", "0:0.1:2", "--out",
                 dir + "/f.h5"}),
            0);
  EXPECT_EQ(H5Reader(dir + "/f.h5").read("cosine").size(), 4u);
  ASSERT_EQ(
      run({"loss-decrease", model, "--segment", "1,2", "--points", "3", "--out", dir + "/d.h5"}),
      0);
  EXPECT_EQ(H5Reader(dir + "/d.h5").read("segment_delta").size(), 9u);
  ASSERT_EQ(run({"sharpness", model, other, make_checkpoint(dir, "c.pt", 2, "sgd"), "--group",
                 "optimizer", "--avg-samples", "4", "--max-steps", "2", "--out", dir + "/s.h5"}),
            0);
  const H5Reader s(dir + "/s.h5");
  EXPECT_EQ(s.read("models/sharpness_asc").size(), 3u);
  EXPECT_EQ(s.read_int("groups/members"), (std::vector<int64_t>{2, 1})) << "sgd: a, c; sam: b";
}

}  // namespace
}  // namespace sharpscope
