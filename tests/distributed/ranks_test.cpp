// Distributed runs end to end (docs/distributed.md): the test starts 2 or 3 ranks of the sharpscope
// executable itself, with torchrun's variables (or mpirun), over Gloo on 127.0.0.1, and compares
// their outputs with the same command on one rank, run in-process. Every rank, and the reference,
// runs 1 intra-op thread: the float reductions inside one evaluation then happen in the same order,
// which is what makes point-parallel values bit-identical. Every launch is bounded (the harness
// kills what still runs at its limit, and a test expecting an exit by itself checks for that).
#include "support/ranks.h"

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "commands/analysis_support.h"
#include "sharpscope/core/checkpoint.h"
#include "sharpscope/core/distributed.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/zoo.h"
#include "sharpscope/io/h5_writer.h"
#include "sharpscope/io/partial_grid.h"
#include "support/cli.h"
#include "support/scratch_dir.h"
#include "support/testing.h"

namespace sharpscope {
namespace {

namespace fs = std::filesystem;
using testing::RankOutcome;
using testing::run_cli;

const char* kData = "synthetic:96,1,8,8,3,0";

// float64 sums of the same terms in another order (a rank's share, then the all-reduce): the
// relative difference is a few ulps times log(terms); 1e-12 is the bound and leaves 1e3x.
constexpr double kFloat64Order = 1e-12;

std::string make_model(const std::string& path, const std::string& arch = "mlp:6",
                       const InputShape& shape = {1, 8, 8, 3}, const std::string& data = kData) {
  torch::manual_seed(0);
  Model model(make_network(arch, shape), arch);
  model.metadata()["data"] = data;
  model.metadata()["input_shape"] = to_string(shape);
  save_checkpoint(path, model);
  return path;
}

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

// Every rank exited by itself with code 0; on failure the assertion shows what they printed.
::testing::AssertionResult all_succeeded(const std::vector<RankOutcome>& ranks) {
  for (size_t r = 0; r < ranks.size(); ++r) {
    if (ranks[r].exit_code != 0) {
      return ::testing::AssertionFailure()
             << "rank " << r << " exited " << ranks[r].exit_code
             << (ranks[r].killed_by_harness ? " (killed at the time limit)" : "") << "\nstderr:\n"
             << ranks[r].err;
    }
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult relatively_near(const std::vector<double>& a,
                                           const std::vector<double>& b, double tolerance) {
  if (a.size() != b.size())
    return ::testing::AssertionFailure() << a.size() << " values vs " << b.size();
  for (size_t i = 0; i < a.size(); ++i) {
    const double scale = std::max(std::abs(a[i]), std::abs(b[i]));
    if (!(std::abs(a[i] - b[i]) <= tolerance * scale)) {
      return ::testing::AssertionFailure() << "value " << i << ": " << a[i] << " vs " << b[i]
                                           << " (relative " << std::abs(a[i] - b[i]) / scale << ")";
    }
  }
  return ::testing::AssertionSuccess();
}

class DistributedRun : public ::testing::Test {
 protected:
  void SetUp() override { model = make_model(scratch.file("model.pt")); }
  std::string file(const std::string& name) const { return scratch.file(name); }
  testing::ScratchDir scratch{"sharpscope-dist"};
  std::string model;
};

// ---- Point-parallel ---------------------------------------------------------------------------

std::vector<std::string> grid_args(const std::string& model) {
  return {"landscape", "interp",       model, "--dirs",     "v1,rand:2",
          "--x",       "-1:1:5",       "--y", "-0.5:0.5:4", "--subset",
          "0",         "--batch-size", "16",  "--threads",  "1"};
}

TEST_F(DistributedRun, GridOnThreeRanksIsBitIdenticalToOneRankAndOnlyRankZeroWrites) {
  ASSERT_EQ(run_cli(with(grid_args(model), {"--quiet", "--out", file("one.h5")})), 0);
  // 20 points over 3 ranks: uneven shares.
  const auto ranks =
      testing::run_ranks(3, with(grid_args(model), {"--out", file("three.h5")}), scratch.str());
  ASSERT_TRUE(all_succeeded(ranks));

  const H5Reader one(file("one.h5")), three(file("three.h5"));
  for (const char* name : {"train_loss", "train_acc", "xcoordinates", "ycoordinates"}) {
    EXPECT_EQ(three.read(name), one.read(name)) << name << ": bit-identical to one rank";
  }
  EXPECT_EQ(three.read("directions/d1/fc1.weight"), one.read("directions/d1/fc1.weight"))
      << "v1 is computed on every rank alone, as one rank would";
  EXPECT_EQ(three.attribute("/", "world_size"), "3");
  EXPECT_EQ(three.attribute("/", "dist_backend"), "gloo");
  EXPECT_EQ(three.attribute("/", "parallel"), "points");
  EXPECT_EQ(three.attribute("/", "launcher"), "torchrun");
  EXPECT_EQ(one.attribute("/", "world_size"), "1");
  EXPECT_EQ(three.attribute("/", "threads"), "1");

  // Rank 0 alone prints and writes: the others' output is silent and nothing else is on disk.
  EXPECT_NE(ranks[0].out.find("wrote " + file("three.h5")), std::string::npos) << ranks[0].out;
  EXPECT_EQ(ranks[1].out, "");
  EXPECT_EQ(ranks[2].out, "");
  for (const auto& entry : fs::directory_iterator(scratch.path())) {
    const std::string name = entry.path().filename().string();
    // sharpscope-<uid>: the private rendezvous directory (TMPDIR is the scratch directory).
    EXPECT_TRUE(name == "model.pt" || name == "one.h5" || name == "three.h5" ||
                name.rfind("rank", 0) == 0 || name.rfind("sharpscope-", 0) == 0)
        << "unexpected file " << name;
  }
  const fs::path rendezvous = scratch.path() / ("sharpscope-" + std::to_string(::getuid()));
  ASSERT_TRUE(fs::is_directory(rendezvous)) << "the ranks met in a private file there";
  EXPECT_TRUE(fs::is_empty(rendezvous)) << "a run that ends well removes its rendezvous file";
}

// A partial file as a 3-rank queue leaves it when interrupted: scattered rows done. It is made
// with the command's own signature (open_session + build_grid + grid_signature), so --resume
// accepts it; one of its rows carries a marker to show that resumed rows are not recomputed.
void write_interrupted_partial(const std::string& model, const std::string& out,
                               const H5Reader& reference, double marker) {
  cli::CommonOptions common;
  common.subset = 0;
  common.batch_size = "16";
  common.threads = 1;
  common.quiet = true;
  cli::DirectionFlags flags;
  flags.dirs = "v1,rand:2";
  flags.x = "-1:1:5";
  flags.y = "-0.5:0.5:4";
  cli::Session session = cli::open_session(model, common, cli::grid_points(flags));
  const cli::GridSetup setup = cli::build_grid(session, common, flags);
  PartialGrid rows(out, cli::grid_signature(session, setup.attributes), 20, kSurfaceRowWidth,
                   false);
  const std::vector<double> loss = reference.read("train_loss");
  const std::vector<double> accuracy = reference.read("train_acc");
  for (int64_t i = 0; i < 14; ++i) {
    if (i % 3 == 2) continue;  // the rows rank 2 was computing
    rows.record(i,
                {i == 4 ? marker : loss[static_cast<size_t>(i)], accuracy[static_cast<size_t>(i)]});
  }
  rows.flush();
}

TEST_F(DistributedRun, AGridInterruptedUnderThreeRanksResumesUnderTwoAndOne) {
  ASSERT_EQ(run_cli(with(grid_args(model), {"--quiet", "--out", file("full.h5")})), 0);
  const H5Reader full(file("full.h5"));
  std::vector<double> expected = full.read("train_loss");
  const double marker = 1234.5;
  expected[4] = marker;

  write_interrupted_partial(model, file("two.h5"), full, marker);
  const auto two = testing::run_ranks(
      2, with(grid_args(model), {"--resume", "--quiet", "--out", file("two.h5")}), scratch.str());
  ASSERT_TRUE(all_succeeded(two));
  EXPECT_EQ(H5Reader(file("two.h5")).read("train_loss"), expected)
      << "resumed rows kept, the others computed as one uninterrupted rank would";
  EXPECT_FALSE(fs::exists(file("two.h5.partial.h5")));

  write_interrupted_partial(model, file("one.h5"), full, marker);
  ASSERT_EQ(run_cli(with(grid_args(model), {"--resume", "--quiet", "--out", file("one.h5")})), 0);
  EXPECT_EQ(H5Reader(file("one.h5")).read("train_loss"), expected);
}

TEST_F(DistributedRun, LossDecreaseAndEscapeTrialsOnTwoRanksAreBitIdentical) {
  const std::vector<std::string> decrease = {
      "loss-decrease", model, "--steps",   "0,1,2", "--segment", "1,2", "--points", "5",
      "--subset",      "48",  "--threads", "1",     "--quiet"};
  ASSERT_EQ(run_cli(with(decrease, {"--out", file("ld1.h5")})), 0);
  auto ranks = testing::run_ranks(2, with(decrease, {"--out", file("ld2.h5")}), scratch.str());
  ASSERT_TRUE(all_succeeded(ranks));
  const H5Reader l1(file("ld1.h5")), l2(file("ld2.h5"));
  for (const char* name : {"delta", "segment_delta", "segment_loss"}) {
    EXPECT_EQ(l2.read(name), l1.read(name)) << name;
  }
  EXPECT_EQ(l2.attribute("/", "parallel"), "points");

  // Each trial trains on its own rank, as it would on one.
  const std::vector<std::string> escape = {
      "escape-test", model, "--optimizer", "sgd,sam", "--trials",  "2", "--max-steps", "5",
      "--threshold", "0",   "--subset",    "48",      "--threads", "1", "--quiet"};
  ASSERT_EQ(run_cli(with(escape, {"--out", file("e1.h5")})), 0);
  ranks = testing::run_ranks(2, with(escape, {"--out", file("e2.h5")}), scratch.str());
  ASSERT_TRUE(all_succeeded(ranks));
  const H5Reader e1(file("e1.h5")), e2(file("e2.h5"));
  EXPECT_EQ(e2.read("steps"), e1.read("steps"));
  EXPECT_EQ(e2.read("accuracy"), e1.read("accuracy"));
}

// Several models, one point each: 3 models over 2 ranks (uneven shares), with different widths, so
// that the eigenvectors rank 1 solves reach rank 0's file with their own parameter count.
TEST_F(DistributedRun, SharpnessAndEigenLinesOverModelsOnTwoRanksAreBitIdentical) {
  const std::vector<std::string> models = {model, make_model(file("m5.pt"), "mlp:5"),
                                           make_model(file("m4.pt"), "mlp:4")};
  const std::vector<std::string> data = {"--subset", "48", "--threads", "1", "--quiet"};
  const std::vector<std::string> sharpness =
      with(with({"sharpness"}, models), with({"--kinds", "asc,max,avg", "--max-steps", "2",
                                              "--avg-samples", "3", "--perturbed-steps", "1,2"},
                                             data));
  ASSERT_EQ(run_cli(with(sharpness, {"--out", file("s1.h5")})), 0);
  auto ranks = testing::run_ranks(2, with(sharpness, {"--out", file("s2.h5")}), scratch.str());
  ASSERT_TRUE(all_succeeded(ranks));
  const H5Reader s1(file("s1.h5")), s2(file("s2.h5"));
  for (const char* name :
       {"models/loss", "models/L_asc", "models/L_max", "models/L_avg", "models/L_p2",
        "models/gap_loss", "models/max_per_step", "models/avg_samples"}) {
    EXPECT_EQ(s2.read(name), s1.read(name)) << name;
  }
  EXPECT_EQ(s2.attribute("/", "parallel"), "points");

  const std::vector<std::string> eigen =
      with(with({"landscape", "eigen"}, models), with({"--top", "2", "--x", "-1:1:3"}, data));
  ASSERT_EQ(run_cli(with(eigen, {"--out", file("e1.h5")})), 0);
  ranks = testing::run_ranks(2, with(eigen, {"--out", file("e2.h5")}), scratch.str());
  ASSERT_TRUE(all_succeeded(ranks));
  const H5Reader e1(file("e1.h5")), e2(file("e2.h5"));
  for (const char* name : {"eigenvalue", "residual", "loss", "accuracy"}) {
    EXPECT_EQ(e2.read(name), e1.read(name)) << name;
  }
  for (const char* name : {"directions/model0/eig1/fc1.weight", "directions/model1/eig2/fc2.bias",
                           "directions/model2/eig1/fc1.weight"}) {
    EXPECT_EQ(e2.read(name), e1.read(name)) << name << ": eigenvectors, whichever rank solved them";
  }
  EXPECT_EQ(e2.attribute("/", "parallel"), "points");
}

// The toy saddle's (optimizer, lr) cells and the stability pairs are dealt like grid points.
TEST_F(DistributedRun, SaddleCellsAndStabilityPairsOnTwoRanksAreBitIdentical) {
  const std::vector<std::string> saddle = {"toy",        "saddle",   "--rho",  "0.1",     "--lrs",
                                           "0.01:0.2:3", "--starts", "300",    "--iters", "60",
                                           "--threads",  "1",        "--quiet"};
  ASSERT_EQ(run_cli(with(saddle, {"--out", file("t1.h5")})), 0);
  auto ranks = testing::run_ranks(2, with(saddle, {"--out", file("t2.h5")}), scratch.str());
  ASSERT_TRUE(all_succeeded(ranks));
  const H5Reader t1(file("t1.h5")), t2(file("t2.h5"));
  EXPECT_EQ(t2.read_int("outcome_counts"), t1.read_int("outcome_counts"));
  EXPECT_EQ(t2.attribute("/", "parallel"), "points");
  EXPECT_EQ(t2.attribute("/", "world_size"), "2");

  const std::vector<std::string> stability = {
      "stability", "--model",   "mlp:6", "--data",         kData, "--optimizer",
      "sgd,sam",   "--epochs",  "2",     "--batch-size",   "16",  "--dtype",
      "float64",   "--threads", "1",     "--train-subset", "0",   "--quiet"};
  ASSERT_EQ(run_cli(with(stability, {"--out", file("st1.h5"), "--runs", file("runs1")})), 0);
  ranks = testing::run_ranks(2, with(stability, {"--out", file("st2.h5"), "--runs", file("runs2")}),
                             scratch.str());
  ASSERT_TRUE(all_succeeded(ranks));
  const H5Reader st1(file("st1.h5")), st2(file("st2.h5"));
  for (const char* name : {"sgd/distance", "sgd/S/test_loss", "sam/normalized_distance",
                           "sam/Sprime/train_accuracy", "sam/S/loss_gap"}) {
    EXPECT_EQ(st2.read(name), st1.read(name)) << name << ": each pair trained on one rank";
  }
  EXPECT_EQ(st2.attribute("/", "parallel"), "points");
  // Each rank wrote the checkpoints and logs of the pair it trained.
  for (const char* run : {"sgd-S", "sgd-Sprime", "sam-S", "sam-Sprime"}) {
    EXPECT_TRUE(fs::is_regular_file(file("runs2/") + run + ".pt")) << run;
    EXPECT_TRUE(fs::is_regular_file(file("runs2/") + run + ".train.h5")) << run;
  }
}

// A point may take longer than --dist-timeout: ranks beat while they compute. Three saddle cells of
// several seconds each on 2 ranks: the rank that finishes first waits about a cell for the other,
// longer than the 3 s timeout, which without the heartbeat would take it for dead.
TEST_F(DistributedRun, PointsLongerThanTheTimeoutDoNotMakeARankLookDead) {
  const std::vector<std::string> saddle = {
      "toy",     "saddle",  "--optimizers", "gd",        "--lrs", "0.1:0.3:3",      "--starts",
      "200000",  "--iters", "2000",         "--threads", "1",     "--dist-timeout", "3",
      "--quiet", "--out",   file("slow.h5")};
  const auto ranks = testing::run_ranks(2, saddle, scratch.str(), /*limit_seconds=*/120.0);
  ASSERT_TRUE(all_succeeded(ranks));
  const H5Reader slow(file("slow.h5"));
  const std::vector<int64_t> counts = slow.read_int("outcome_counts");
  ASSERT_EQ(counts.size(), 3u * 4u);
  for (int cell = 0; cell < 3; ++cell) {
    EXPECT_EQ(counts[cell * 4] + counts[cell * 4 + 1] + counts[cell * 4 + 2] + counts[cell * 4 + 3],
              200000)
        << "cell " << cell << ": every start counted once";
  }
}

// ---- Data-parallel ----------------------------------------------------------------------------

std::vector<std::string> hessian_args(const std::string& model, const std::string& command) {
  return {"hessian", command,   model,     "--subset",  "0", "--batch-size",
          "20",      "--dtype", "float64", "--threads", "1", "--quiet"};
}

TEST_F(DistributedRun, HessianTopFiveAndTraceOnTwoRanksEqualOneRank) {
  const std::vector<std::string> spectrum = {"--top", "5", "--tol", "1e-10"};
  const std::vector<std::string> trace = {"--probes", "30", "--tol", "0"};
  ASSERT_EQ(run_cli(with(hessian_args(model, "spectrum"),
                         with(spectrum, {"--out", file("spectrum1.h5")}))),
            0);
  ASSERT_EQ(run_cli(with(hessian_args(model, "trace"), with(trace, {"--out", file("trace1.h5")}))),
            0);
  // The TCP store (as across machines), here on loopback.
  const std::string init = "tcp://127.0.0.1:" + std::to_string(testing::free_port());
  auto ranks =
      testing::run_ranks(2,
                         with(hessian_args(model, "spectrum"),
                              with(spectrum, {"--out", file("spectrum2.h5"), "--dist-init", init})),
                         scratch.str());
  ASSERT_TRUE(all_succeeded(ranks));
  // A FileStore on a path of the user's choosing (as on a shared file system).
  ranks = testing::run_ranks(
      2,
      with(hessian_args(model, "trace"), with(trace, {"--out", file("trace2.h5"), "--dist-init",
                                                      "file://" + file("rendezvous")})),
      scratch.str());
  ASSERT_TRUE(all_succeeded(ranks));

  const H5Reader s1(file("spectrum1.h5")), s2(file("spectrum2.h5"));
  EXPECT_EQ(s2.read("eigenvalues").size(), 5u);
  EXPECT_TRUE(relatively_near(s2.read("eigenvalues"), s1.read("eigenvalues"), kFloat64Order));
  EXPECT_EQ(s2.attribute("/", "parallel"), "data");
  const H5Reader t1(file("trace1.h5")), t2(file("trace2.h5"));
  EXPECT_TRUE(relatively_near(t2.read("probes"), t1.read("probes"), kFloat64Order))
      << "the same Rademacher probes on every rank, from the seed";
  EXPECT_FALSE(fs::exists(file("rendezvous"))) << "the FileStore removes its file at the end";
}

// The Gauss–Newton-shaped products sum each rank's batches and all-reduce, and the Monte-Carlo
// Fisher's labels are drawn per example from the seed, so two ranks apply the one-rank matrices.
TEST_F(DistributedRun, GgnAndMonteCarloFisherSpectraOnTwoRanksEqualOneRank) {
  for (const std::string curvature : {"ggn", "mc-fisher"}) {
    const std::vector<std::string> spectrum = {
        "--curvature", curvature, "--mc-samples", curvature == "ggn" ? "1" : "3",
        "--top",       "3",       "--tol",        "1e-10"};
    const std::string one = file(curvature + "1.h5"), two = file(curvature + "2.h5");
    ASSERT_EQ(run_cli(with(hessian_args(model, "spectrum"), with(spectrum, {"--out", one}))), 0);
    const auto ranks = testing::run_ranks(
        2, with(hessian_args(model, "spectrum"), with(spectrum, {"--out", two})), scratch.str());
    ASSERT_TRUE(all_succeeded(ranks)) << curvature;
    const H5Reader r1(one), r2(two);
    EXPECT_EQ(r2.attribute("/", "curvature"), curvature);
    EXPECT_EQ(r2.read("eigenvalues").size(), 3u) << curvature;
    EXPECT_TRUE(relatively_near(r2.read("eigenvalues"), r1.read("eigenvalues"), kFloat64Order))
        << curvature;
  }
}

TEST_F(DistributedRun, LandscapeAscentOnTwoRanksEqualsOneRank) {
  const std::vector<std::string> args = {"landscape", "ascent",    model,      "--steps", "1,3",
                                         "--k",       "0:0.2:3",   "--subset", "0",       "--dtype",
                                         "float64",   "--threads", "1",        "--quiet"};
  ASSERT_EQ(run_cli(with(args, {"--out", file("one.h5")})), 0);
  const auto ranks = testing::run_ranks(2, with(args, {"--out", file("two.h5")}), scratch.str());
  ASSERT_TRUE(all_succeeded(ranks));
  const H5Reader one(file("one.h5")), two(file("two.h5"));
  EXPECT_TRUE(relatively_near(two.read("loss"), one.read("loss"), kFloat64Order));
}

// ---- Training ---------------------------------------------------------------------------------

std::vector<std::string> train_args(const std::string& optimizer, const std::string& out,
                                    const std::string& epochs = "1") {
  return {"train",   "--arch",    "mlp:6", "--data",      kData,     "--batch-size",
          "16",      "--epochs",  epochs,  "--optimizer", optimizer, "--rho",
          "0.05",    "--lr",      "0.1",   "--momentum",  "0.9",     "--dtype",
          "float64", "--threads", "1",     "--quiet",     "--out",   out};
}

// One epoch of 6 steps: every step's gradients are the same sums in another order, so the
// weights drift apart by rounding only; 1e-10 relative bounds 6 steps of ~1e-15 growth each.
constexpr double kTrainingOrder = 1e-10;

TEST_F(DistributedRun, OneEpochOfDdpSgdAndSamEqualsOneRankOnTheSameGlobalBatches) {
  for (const std::string optimizer : {"sgd", "sam"}) {
    const std::string one = file(optimizer + "-1.pt"), two = file(optimizer + "-2.pt");
    ASSERT_EQ(run_cli(train_args(optimizer, one)), 0);
    const auto ranks = testing::run_ranks(
        2, with(train_args(optimizer, two), {"--sam-sync", "global"}), scratch.str());
    ASSERT_TRUE(all_succeeded(ranks)) << optimizer;
    Model a = Model::load(one), b = Model::load(two);
    EXPECT_TRUE(testing::params_near(b.parameters(), a.parameters(), kTrainingOrder)) << optimizer;
    EXPECT_EQ(b.metadata().at("world_size"), "2");
    EXPECT_EQ(b.metadata().at("sam_sync"), "global");
    const H5Reader log1(file(optimizer + "-1.train.h5")), log2(file(optimizer + "-2.train.h5"));
    EXPECT_TRUE(relatively_near(log2.read("steps/loss"), log1.read("steps/loss"), kTrainingOrder))
        << optimizer << ": the logged batch losses are the global batches'";
  }
  // Resumed at another world size: one rank continues the 2-rank SAM run into a second epoch as
  // the 1-rank run would.
  ASSERT_EQ(run_cli(train_args("sam", file("sam-1x2.pt"), "2")), 0);
  ASSERT_EQ(
      run_cli(with(train_args("sam", file("sam-resumed.pt"), "2"), {"--resume", file("sam-2.pt")})),
      0);
  EXPECT_TRUE(testing::params_near(Model::load(file("sam-resumed.pt")).parameters(),
                                   Model::load(file("sam-1x2.pt")).parameters(), kTrainingOrder));
}

// --sync-bn: a BatchNorm CNN trained by 2 ranks normalizes each batch by the statistics of all 16
// examples, as one rank does; without it each rank normalizes its 8 by their own (DDP), and the run
// ends elsewhere. The running statistics, updated from the global batch, agree too.
TEST_F(DistributedRun, SyncBatchNormOnTwoRanksEqualsOneRankAndPerRankStatisticsDoNot) {
  const auto cnn_args = [&](const std::string& out) {
    std::vector<std::string> args = train_args("sam", out);
    args[2] = "cnn:4";  // --arch
    return args;
  };
  const std::string one = file("bn-1.pt"), synced = file("bn-sync.pt"), own = file("bn-own.pt");
  ASSERT_EQ(run_cli(cnn_args(one)), 0);
  auto ranks = testing::run_ranks(2, with(cnn_args(synced), {"--sync-bn"}), scratch.str());
  ASSERT_TRUE(all_succeeded(ranks));
  ranks = testing::run_ranks(2, cnn_args(own), scratch.str());
  ASSERT_TRUE(all_succeeded(ranks));
  Model a = Model::load(one), b = Model::load(synced), c = Model::load(own);
  EXPECT_TRUE(testing::params_near(b.parameters(), a.parameters(), kTrainingOrder));
  EXPECT_TRUE(testing::params_near(b.buffers(), a.buffers(), kTrainingOrder))
      << "running mean and variance from the global batches";
  EXPECT_EQ(b.metadata().at("sync_bn"), "true");
  EXPECT_FALSE(testing::params_near(c.parameters(), a.parameters(), 1e-6))
      << "per-rank statistics normalize by 8 examples, not 16";
}

// --sam-sync local: each of 2 ranks takes its ascent on its own 8 of the 16 examples, which is
// m-sharpness with m = 8 (Foret et al. 2021) on one rank: the same chunks, the same weighted mean.
TEST_F(DistributedRun, LocalSamOnTwoRanksEqualsEightSharpnessOnOneRank) {
  const std::string one = file("m8-1.pt"), two = file("local-2.pt");
  ASSERT_EQ(run_cli(with(train_args("sam", one), {"--m-sharpness", "8"})), 0);
  const auto ranks =
      testing::run_ranks(2, with(train_args("sam", two), {"--sam-sync", "local"}), scratch.str());
  ASSERT_TRUE(all_succeeded(ranks));
  Model a = Model::load(one), b = Model::load(two);
  EXPECT_TRUE(testing::params_near(b.parameters(), a.parameters(), kTrainingOrder));
  EXPECT_EQ(b.metadata().at("sam_sync"), "local");
  const H5Reader log1(file("m8-1.train.h5")), log2(file("local-2.train.h5"));
  EXPECT_TRUE(relatively_near(log2.read("steps/perturbed_loss"), log1.read("steps/perturbed_loss"),
                              kTrainingOrder));
  // Not the global ascent: the one-rank SAM of the whole batch ends elsewhere.
  ASSERT_EQ(run_cli(train_args("sam", file("global-1.pt"))), 0);
  EXPECT_FALSE(
      testing::params_near(Model::load(file("global-1.pt")).parameters(), b.parameters(), 1e-6));
}

// ---- Faults -----------------------------------------------------------------------------------

// The sockets a running process holds: /proc/PID/fd links that read "socket:[inode]".
int open_sockets(pid_t pid) {
  int sockets = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec)) {
    std::error_code link_error;
    const fs::path target = fs::read_symlink(entry.path(), link_error);
    if (!link_error && target.string().rfind("socket:", 0) == 0) ++sockets;
  }
  return sockets;
}

// Kills rank 2 once the ranks are busy (every rank holds the sockets of its Gloo group, so all
// have joined, and half a second more) and checks that the others leave by themselves, non-zero,
// naming what happened, well before the --dist-timeout of 20 s (the harness kills at 60 s).
void expect_survivors_leave(const std::vector<std::string>& args, const std::string& directory) {
  testing::Launch launch;
  launch.args = args;
  launch.directory = directory;
  launch.limit_seconds = 60;
  const int port = testing::free_port();
  for (int r = 0; r < 3; ++r)
    launch.environments.push_back(testing::torchrun_environment(r, 3, port));
  bool killed = false;
  double joined_at = -1.0, killed_at = 0.0;
  launch.watch = [&](const std::vector<pid_t>& pids, double elapsed) {
    if (killed || pids[2] <= 0) return;
    if (joined_at < 0.0) {
      bool all = true;
      for (pid_t pid : pids) all = all && pid > 0 && open_sockets(pid) > 0;
      if (all) joined_at = elapsed;
    } else if (elapsed > joined_at + 0.5) {
      ::kill(pids[2], SIGKILL);
      killed = true;
      killed_at = elapsed;
    }
  };
  const auto ranks = testing::launch_ranks(launch);
  ASSERT_TRUE(killed) << "the ranks never all joined:\n" << ranks[0].err;
  EXPECT_EQ(ranks[2].exit_code, -SIGKILL);
  for (int r = 0; r < 2; ++r) {
    EXPECT_FALSE(ranks[r].killed_by_harness) << "rank " << r << " hung";
    // A dead local peer is noticed at once (a closed connection, or its exited process within
    // 0.5 s), not after the timeout: 10 s leaves room for a loaded machine.
    EXPECT_LT(ranks[r].seconds - killed_at, 10.0) << "rank " << r << " waited for the timeout";
    EXPECT_EQ(ranks[r].exit_code, 5) << "rank " << r << ":\n" << ranks[r].err;
    EXPECT_NE(ranks[r].err.find("sharpscope [rank " + std::to_string(r) + "/3]"), std::string::npos)
        << ranks[r].err;
    // The line names the rank that died ("rank 2 died", "rank 2 exited; ...", or, when rank 1
    // left first because of it, "rank 1, 2 exited" / "rank 1 failed: rank 2 died").
    const std::string& err = ranks[r].err;
    EXPECT_TRUE(err.find("rank 2 ") != std::string::npos ||
                err.find(", 2 exited") != std::string::npos)
        << err;
  }
}

TEST_F(DistributedRun, KillingARankMakesTheOthersExitNonZero) {
  // A grid far too long to finish: the survivors notice the dead process between points.
  const std::string big =
      make_model(file("big.pt"), "mlp:32", {1, 16, 16, 3}, "synthetic:2048,1,16,16,3,0");
  expect_survivors_leave({"landscape", "interp", big, "--dirs", "rand:1,rand:2", "--x", "-1:1:400",
                          "--y", "-1:1:400", "--subset", "0", "--threads", "1", "--quiet",
                          "--dist-timeout", "20", "--out", file("grid.h5")},
                         scratch.str());
  // Training: the next all-reduce fails at once.
  expect_survivors_leave(
      with(train_args("sgd", file("long.pt"), "100000"), {"--dist-timeout", "20"}), scratch.str());
}

TEST_F(DistributedRun, AWorldLargerThanTheRanksStartedFailsWithinTheTimeout) {
  testing::Launch launch;
  launch.args = with(hessian_args(model, "trace"),
                     {"--probes", "2", "--dist-timeout", "2", "--out", file("x.h5")});
  launch.directory = scratch.str();
  launch.limit_seconds = 60;
  const int port = testing::free_port();
  for (int r = 0; r < 2; ++r)
    launch.environments.push_back(testing::torchrun_environment(r, 3, port));
  const auto ranks = testing::launch_ranks(launch);
  for (int r = 0; r < 2; ++r) {
    EXPECT_FALSE(ranks[r].killed_by_harness);
    EXPECT_EQ(ranks[r].exit_code, 5) << ranks[r].err;
    EXPECT_NE(ranks[r].err.find("only 2 of 3 ranks joined"), std::string::npos) << ranks[r].err;
  }
}

// Rank 1 alone: rank 0, which serves the TCP store, never starts. Rank 1 gives up after
// --dist-timeout (2 s; the harness kills at 60 s), naming the address it tried.
TEST_F(DistributedRun, AnUnreachableMasterFailsWithinTheTimeoutNamingItsAddress) {
  const int port = testing::free_port();
  testing::Launch launch;
  launch.args = with(hessian_args(model, "trace"),
                     {"--probes", "2", "--dist-timeout", "2", "--dist-init",
                      "tcp://127.0.0.1:" + std::to_string(port), "--out", file("x.h5")});
  launch.directory = scratch.str();
  launch.limit_seconds = 60;
  launch.environments.push_back(testing::torchrun_environment(1, 2, port));
  const auto ranks = testing::launch_ranks(launch);
  EXPECT_FALSE(ranks[0].killed_by_harness);
  EXPECT_LT(ranks[0].seconds, 30.0) << "waited far beyond --dist-timeout";
  EXPECT_EQ(ranks[0].exit_code, 5) << ranks[0].err;
  EXPECT_NE(ranks[0].err.find("cannot reach the rendezvous store at 127.0.0.1:" +
                              std::to_string(port) + " within 2 s"),
            std::string::npos)
      << ranks[0].err;
  EXPECT_FALSE(fs::exists(file("x.h5")));
}

TEST_F(DistributedRun, NcclIsAUsageErrorWhereTheBuildLacksIt) {
  if (backend_available(DistBackend::kNccl)) GTEST_SKIP() << "this LibTorch has NCCL";
  std::string error;
  EXPECT_EQ(
      run_cli(with(hessian_args(model, "trace"), {"--dist-backend", "nccl", "--out", file("x.h5")}),
              &error),
      2);
  EXPECT_NE(error.find("--dist-backend = nccl: this LibTorch build has no NCCL"), std::string::npos)
      << error;
}

// ---- Who may connect --------------------------------------------------------------------------

TEST_F(DistributedRun, WithoutLauncherVariablesNoSocketIsOpened) {
  // A grid of ~1 s in a child process whose descriptors are sampled every 20 ms while it runs.
  // Launcher variables the test's own environment might hold are blanked (an empty value counts
  // as unset, as in torchrun).
  const std::string big =
      make_model(file("big.pt"), "mlp:32", {1, 16, 16, 3}, "synthetic:2048,1,16,16,3,0");
  testing::Launch launch;
  launch.args = {"landscape",   "interp",    big,   "--dirs",  "rand:1,rand:2",
                 "--x",         "-1:1:20",   "--y", "-1:1:10", "--subset",
                 "0",           "--threads", "1",   "--quiet", "--out",
                 file("one.h5")};
  launch.directory = scratch.str();
  launch.environments = {{{"RANK", ""},
                          {"WORLD_SIZE", ""},
                          {"OMPI_COMM_WORLD_SIZE", ""},
                          {"SLURM_STEP_ID", ""},
                          {"MASTER_ADDR", ""},
                          {"MASTER_PORT", ""}}};
  int samples = 0, sockets = 0;
  launch.watch = [&](const std::vector<pid_t>& pids, double) {
    if (pids[0] <= 0) return;
    ++samples;
    sockets = std::max(sockets, open_sockets(pids[0]));
  };
  const auto ranks = testing::launch_ranks(launch);
  ASSERT_TRUE(all_succeeded(ranks));
  EXPECT_GE(samples, 5) << "the run was too short to be watched";
  EXPECT_EQ(sockets, 0) << "a one-process run opened a socket";
  EXPECT_EQ(H5Reader(file("one.h5")).attribute("/", "world_size"), "1");
}

// ---- Other launchers --------------------------------------------------------------------------

TEST_F(DistributedRun, MpirunRanksEqualOneRank) {
  const char* candidates[] = {"/usr/bin/mpirun", "/usr/local/bin/mpirun"};
  std::string mpirun;
  for (const char* c : candidates) {
    if (fs::exists(c)) mpirun = c;
  }
  if (mpirun.empty()) GTEST_SKIP() << "no mpirun (Debian: openmpi-bin)";
  const std::vector<std::string> args =
      with(hessian_args(model, "trace"), {"--probes", "10", "--tol", "0"});
  ASSERT_EQ(run_cli(with(args, {"--out", file("one.h5")})), 0);
  testing::Launch launch;
  launch.program = mpirun;
  // As root (CI containers) Open MPI insists on being told; 2 ranks on fewer cores need
  // --oversubscribe.
  launch.args =
      with({"--allow-run-as-root", "--oversubscribe", "-n", "2", testing::sharpscope_binary()},
           with(args, {"--out", file("two.h5")}));
  launch.directory = scratch.str();
  launch.environments = {{}};  // one process: mpirun, which starts the ranks
  const auto ranks = testing::launch_ranks(launch);
  ASSERT_TRUE(all_succeeded(ranks));
  const H5Reader one(file("one.h5")), two(file("two.h5"));
  EXPECT_EQ(two.attribute("/", "launcher"), "mpirun");
  EXPECT_EQ(two.attribute("/", "world_size"), "2");
  EXPECT_TRUE(relatively_near(two.read("probes"), one.read("probes"), kFloat64Order));
}

}  // namespace
}  // namespace sharpscope
