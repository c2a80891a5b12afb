// End to end, in-process: --curvature on the hessian commands and landscape eigen, hessian
// diagonal and layers, landscape trajectory with interp on its plane, and the ParaView export, on a
// small zoo MLP and synthetic data; outputs read back from their files.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "commands/parse.h"
#include "sharpscope/core/checkpoint.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/number_text.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/params.h"
#include "sharpscope/core/zoo.h"
#include "sharpscope/data/loader.h"
#include "sharpscope/io/h5_writer.h"
#include "support/cli.h"
#include "support/scratch_dir.h"

namespace sharpscope {
namespace {

const char* kData = "synthetic:48,1,8,8,3,0";

int run(std::vector<std::string> args, std::string* error = nullptr) {
  for (const char* common :
       {"--dtype", "float64", "--subset", "0", "--batch-size", "20", "--threads", "1", "--quiet"}) {
    args.push_back(common);
  }
  return testing::run_cli(std::move(args), error);
}

class CurvatureCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = scratch.str();
    model = save(dir + "/mlp.pt", 0, {});
  }
  // An mlp:6 checkpoint (1×8×8 inputs, 3 classes: 411 parameters) from `seed`, or with the
  // weights `weights` when given.
  std::string save(const std::string& path, uint64_t seed, const ParamList& weights,
                   const std::string& epoch = "") {
    torch::manual_seed(seed);
    const InputShape shape{1, 8, 8, 3};
    Model m(make_network("mlp:6", shape), "mlp:6");
    m.metadata()["input_shape"] = to_string(shape);
    m.metadata()["data"] = kData;
    if (!epoch.empty()) m.metadata()["epoch"] = epoch;
    if (!weights.empty()) {
      m.to(torch::kCPU, torch::kDouble);  // so that the points lie exactly where they are put
      torch::NoGradGuard no_grad;
      for (size_t i = 0; i < weights.size(); ++i) m.parameters()[i].copy_(weights[i]);
    }
    save_checkpoint(path, m);
    return path;
  }
  testing::ScratchDir scratch;
  std::string dir, model;
};

TEST_F(CurvatureCommands, SpectrumTraceDensityOfGgnAndFishers) {
  ASSERT_EQ(run({"hessian", "spectrum", model, "--curvature", "ggn", "--top", "2", "--which",
                 "both", "--tol", "1e-8", "--save-vectors", "--out", dir + "/ggn.h5"}),
            0);
  const H5Reader g(dir + "/ggn.h5");
  EXPECT_EQ(g.attribute("/", "curvature"), "ggn");
  EXPECT_EQ(g.attribute("/", "option.curvature"), "ggn");
  const std::vector<double> values = g.read("eigenvalues");
  ASSERT_EQ(values.size(), 4u);
  EXPECT_GT(values[0], 0.0);
  // PSD: the smallest eigenvalues are ≥ 0 up to the solver's accuracy (residual ≤ 1e-8·λ₁).
  EXPECT_GE(values[2], -1e-6 * values[0]);
  EXPECT_TRUE(g.has("directions/eig1_flat"));
  // The GGN drops the Hessian's second-order term, so its top eigenvalue differs from the
  // Hessian's on this nonlinear network.
  ASSERT_EQ(
      run({"hessian", "spectrum", model, "--top", "1", "--tol", "1e-8", "--out", dir + "/h.h5"}),
      0);
  EXPECT_GT(std::abs(H5Reader(dir + "/h.h5").read("eigenvalues")[0] - values[0]), 1e-4 * values[0]);

  ASSERT_EQ(run({"hessian", "trace", model, "--curvature", "ef", "--probes", "10", "--tol", "0",
                 "--out", dir + "/ef.h5"}),
            0);
  EXPECT_GT(H5Reader(dir + "/ef.h5").read("trace")[0], 0.0);
  ASSERT_EQ(run({"hessian", "density", model, "--curvature", "mc-fisher", "--mc-samples", "2",
                 "--runs", "1", "--lanczos-steps", "8", "--grid", "100", "--out", dir + "/mc.h5"}),
            0);
  const H5Reader mc(dir + "/mc.h5");
  EXPECT_EQ(mc.attribute("/", "curvature"), "mc-fisher");
  EXPECT_NE(mc.attribute("/", "curvature_description").find("2 label(s)"), std::string::npos);

  // The eigenvectors of the GGN are directions like the Hessian's.
  ASSERT_EQ(run({"landscape", "interp", model, "--dirs", "eig1", "--eigen-file", dir + "/ggn.h5",
                 "--x", "-0.1:0.1:3", "--out", dir + "/line.h5"}),
            0);
  ASSERT_EQ(run({"landscape", "eigen", model, "--curvature", "ggn", "--top", "1", "--x",
                 "-0.1:0.1:3", "--tol", "1e-8", "--out", dir + "/eig.h5"}),
            0);
  const H5Reader e(dir + "/eig.h5");
  EXPECT_NEAR(e.read("eigenvalue")[0], values[0], 1e-6 * values[0]);
  EXPECT_EQ(e.attribute("/", "curvature"), "GGN");
}

TEST_F(CurvatureCommands, BadCurvatureFlagsAreUsageErrors) {
  std::string error;
  EXPECT_EQ(
      run({"hessian", "trace", model, "--curvature", "fisher", "--out", dir + "/x.h5"}, &error), 2);
  EXPECT_NE(error.find("--curvature"), std::string::npos);
  EXPECT_EQ(run({"hessian", "trace", model, "--curvature", "ggn", "--hvp", "finite-difference",
                 "--out", dir + "/x.h5"}),
            2);
  EXPECT_EQ(run({"hessian", "trace", model, "--mc-samples", "3", "--out", dir + "/x.h5"}), 2);
  EXPECT_EQ(run({"hessian", "diagonal", model, "--method", "diag", "--out", dir + "/x.h5"}), 2);
  EXPECT_EQ(run({"hessian", "layers", model, "--group-by", "layer", "--out", dir + "/x.h5"}), 2);
  EXPECT_FALSE(std::filesystem::exists(dir + "/x.h5"));
}

TEST_F(CurvatureCommands, DiagonalPerTensorAndLayersTable) {
  ASSERT_EQ(run({"hessian", "diagonal", model, "--out", dir + "/diag.h5"}), 0);
  const H5Reader d(dir + "/diag.h5");
  EXPECT_EQ(d.attribute("/", "method_used"), "exact");  // d = 411 ≤ --exact-max 2048
  std::vector<int64_t> shape;
  const std::vector<double> first = d.read("diagonal/fc1.weight", &shape);
  EXPECT_EQ(shape, (std::vector<int64_t>{6, 64}));
  const std::vector<double> flat = d.read("diagonal_flat");
  ASSERT_EQ(flat.size(), 411u);
  EXPECT_EQ(std::vector<double>(flat.begin(), flat.begin() + 384), first);
  const std::vector<double> block_traces = d.read("tensor_trace");
  ASSERT_EQ(block_traces.size(), 4u);

  // Per-layer: dense blocks except the 384-entry first weight (> --dense-max 256), whose trace
  // the Hutchinson estimate gives within 4 SE of the exact diagonal's sum.
  ASSERT_EQ(run({"hessian", "layers", model, "--top", "2", "--probes", "60", "--trace-tol", "0",
                 "--out", dir + "/layers.h5"}),
            0);
  const H5Reader l(dir + "/layers.h5");
  EXPECT_EQ(l.read("eigenvalues", &shape).size(), 8u);
  EXPECT_EQ(shape, (std::vector<int64_t>{4, 2}));
  const std::vector<double> trace = l.read("trace"), se = l.read("trace_se");
  const std::vector<int64_t> dense = l.read_int("dense");
  EXPECT_EQ(dense, (std::vector<int64_t>{0, 1, 1, 1}));
  EXPECT_LE(std::abs(trace[0] - block_traces[0]), 4.0 * se[0]);
  for (size_t b = 1; b < 4; ++b)
    EXPECT_NEAR(trace[b], block_traces[b], 1e-10 * std::abs(block_traces[b]) + 1e-14);

  ASSERT_EQ(run({"hessian", "layers", model, "--group-by", "module", "--curvature", "ef",
                 "--dense-max", "400", "--out", dir + "/modules.h5"}),
            0);
  const H5Reader m(dir + "/modules.h5");
  EXPECT_EQ(m.read("trace").size(), 2u);  // fc1 (weight + bias), fc2
  EXPECT_EQ(m.read_int("group_size"), (std::vector<int64_t>{390, 21}));
}

// Checkpoints exactly on a plane through w_final: the trajectory recovers their coordinates, and
// interp on the PCA plane at a checkpoint's coordinates gives that checkpoint's loss.
TEST_F(CurvatureCommands, TrajectoryPlaneAndInterpOnIt) {
  Model base = Model::load(model);
  base.to(torch::kCPU, torch::kDouble);
  const ParamList w = clone(base.parameters());
  ParamList a = zeros_like(w), b = zeros_like(w);
  {
    torch::NoGradGuard no_grad;
    a[0].normal_(0.0, 0.05);
    b[2].normal_(0.0, 0.05);
  }
  std::vector<std::string> files;
  const double s[4][2] = {{3.0, 1.0}, {2.0, 1.5}, {1.0, 0.5}, {0.0, 0.0}};
  for (int i = 0; i < 4; ++i) {
    const ParamList point = combination(combination(w, s[i][0], a), s[i][1], b);
    files.push_back(
        save(dir + "/run.epoch" + std::to_string(i + 1) + ".pt", 0, point, std::to_string(i + 1)));
  }
  // --run finds run.epoch1..4 beside run.pt (w_final) in epoch order; epoch 4 holds the final
  // weights, as when training ends on an epoch boundary, and is counted once.
  std::filesystem::copy_file(files.back(), dir + "/run.pt");
  ASSERT_EQ(testing::run_cli({"landscape", "trajectory", "--run", dir + "/run.pt", "--quiet",
                              "--out", dir + "/t.h5"}),
            0);
  const H5Reader t(dir + "/t.h5");
  EXPECT_EQ(t.attribute("/", "result_kind"), "trajectory");
  const std::vector<double> x = t.read("x"), y = t.read("y"), off = t.read("off_plane");
  ASSERT_EQ(x.size(), 4u);
  EXPECT_EQ(t.read("epoch"), (std::vector<double>{1, 2, 3, 4}));  // from the metadata
  EXPECT_EQ(t.attribute("/", "reference"), dir + "/run.pt");
  const std::vector<double> ratio = t.read("explained_variance_ratio");
  EXPECT_NEAR(ratio[0] + ratio[1], 1.0, 1e-10);  // the path is planar
  for (int i = 0; i < 4; ++i) EXPECT_LE(off[i], 1e-10);
  EXPECT_EQ(x[3], 0.0);
  EXPECT_EQ(y[3], 0.0);

  // The loss of checkpoint 2 (epoch 2), evaluated directly...
  Model ck = Model::load(dir + "/run.epoch2.pt");
  ck.to(torch::kCPU, torch::kDouble);
  const Dataset data = load_dataset(cli::parse_data_spec(kData), Split::kTrain, Subset{48});
  const double direct = Objective(ck, data).evaluate().loss;
  // ... and on the plane at its coordinates, a 1 × 1 grid.
  const std::string xs = number_text(x[1]), ys = number_text(y[1]);
  ASSERT_EQ(run({"landscape", "interp", dir + "/run.pt", "--dirs", "pca1,pca2", "--trajectory",
                 dir + "/t.h5", "--x", xs + ":" + xs + ":1", "--y", ys + ":" + ys + ":1", "--out",
                 dir + "/plane.h5"}),
            0);
  const H5Reader plane(dir + "/plane.h5");
  // The plane point w_final + x pc1 + y pc2 equals the checkpoint up to the float64 rounding of
  // the PCA (~1e-15 relative per coordinate): the losses agree to 1e-10.
  EXPECT_NEAR(plane.read("loss")[0], direct, 1e-10);
  EXPECT_EQ(plane.read("trajectory/x"), x);
  EXPECT_EQ(plane.read("trajectory/y"), y);

  // Too few checkpoints for a centered plane: a usage error naming the count.
  std::string error;
  EXPECT_EQ(testing::run_cli({"landscape", "trajectory", files[0], dir + "/run.pt", "--quiet",
                              "--out", dir + "/bad.h5"},
                             &error),
            2);
  EXPECT_NE(error.find("2 checkpoint(s)"), std::string::npos);
}

TEST_F(CurvatureCommands, ParaviewExportOfASurfaceAndACosineField) {
  ASSERT_EQ(run({"landscape", "interp", model, "--dirs", "rand:1,rand:2", "--x", "-1:1:4", "--y",
                 "-1:1:3", "--out", dir + "/s.h5"}),
            0);
  ASSERT_EQ(
      testing::run_cli({"paraview", dir + "/s.h5", "--log", "--quiet", "--out", dir + "/s.vtp"}),
      0);
  const std::string xml = testing::file_text(dir + "/s.vtp");
  EXPECT_NE(xml.find("NumberOfPoints=\"12\""), std::string::npos);
  EXPECT_NE(xml.find("NumberOfPolys=\"6\""), std::string::npos);
  // The first height is ln(loss[0][0] + 0.1), written with 17 digits.
  const double loss = H5Reader(dir + "/s.h5").read("loss")[0];
  const size_t at = xml.find("Name=\"height\"");
  std::stringstream values(xml.substr(xml.find('>', at) + 1));
  double first = 0.0;
  values >> first;
  EXPECT_EQ(first, std::log(loss + 0.1));

  ASSERT_EQ(run({"gradsim", model, "--field", "--x", "0:0.1:2", "--y", "0:0.1:2", "--out",
                 dir + "/f.h5"}),
            0);
  ASSERT_EQ(testing::run_cli({"paraview", dir + "/f.h5", "--quiet", "--out", dir + "/f.vtk"}), 0);
  const std::string legacy = testing::file_text(dir + "/f.vtk");
  EXPECT_NE(legacy.find("POINTS 4 double"), std::string::npos);
  EXPECT_NE(legacy.find("POLYGONS 1 5"), std::string::npos);
  EXPECT_NE(legacy.find("SCALARS cosine double 1"), std::string::npos);

  // A 1-D line cannot be a surface; an unknown extension is refused before anything is written.
  ASSERT_EQ(run({"landscape", "interp", model, "--dirs", "rand:1", "--x", "-1:1:3", "--out",
                 dir + "/line.h5"}),
            0);
  EXPECT_EQ(testing::run_cli({"paraview", dir + "/line.h5", "--quiet", "--out", dir + "/l.vtp"}),
            2);
  EXPECT_EQ(testing::run_cli({"paraview", dir + "/s.h5", "--quiet", "--out", dir + "/s.png"}), 2);
  EXPECT_EQ(testing::run_cli({"paraview", dir + "/nothing.h5", "--quiet"}), 3);
}

}  // namespace
}  // namespace sharpscope
