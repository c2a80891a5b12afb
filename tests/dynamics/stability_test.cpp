#include "sharpscope/dynamics/stability.h"

#include <cmath>
#include <filesystem>

#include "commands/parse.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/params.h"
#include "sharpscope/data/loader.h"
#include "sharpscope/data/neighbouring_set.h"
#include "sharpscope/io/h5_writer.h"
#include "sharpscope/io/train_outputs.h"
#include "support/cli.h"
#include "support/scratch_dir.h"
#include "support/testing.h"

namespace sharpscope {
namespace {

int64_t rows_differing(const Dataset& a, const Dataset& b) {
  const at::Tensor image_rows = (a.images != b.images).flatten(1).any(1);
  return (image_rows | (a.labels != b.labels)).sum().item<int64_t>();
}

TEST(Stability, NeighbouringSetsDifferInExactlyOneExample) {
  const Dataset data = testing::tiny_dataset(50, 2);
  const ExamplePair pair = draw_example_pair(data.size(), 9);
  ASSERT_GE(pair.removed, 0);
  ASSERT_LT(pair.removed, 50);
  ASSERT_LT(pair.replaced, 49);
  const Dataset s = neighbouring_set(data, pair.removed, -1);
  const Dataset s_prime = neighbouring_set(data, pair.removed, pair.replaced);
  ASSERT_EQ(s.size(), 49);
  ASSERT_EQ(s_prime.size(), 49);
  EXPECT_EQ(rows_differing(s, s_prime), 1);
  EXPECT_TRUE(torch::equal(s_prime.images[pair.replaced], data.images[pair.removed]));
  EXPECT_EQ(s_prime.labels[pair.replaced].item<int64_t>(),
            data.labels[pair.removed].item<int64_t>());
  // S is the data without the removed example, in order.
  EXPECT_TRUE(
      torch::equal(s.images.narrow(0, 0, pair.removed), data.images.narrow(0, 0, pair.removed)));
  EXPECT_TRUE(torch::equal(s.images.narrow(0, pair.removed, 49 - pair.removed),
                           data.images.narrow(0, pair.removed + 1, 49 - pair.removed)));
  EXPECT_THROW(neighbouring_set(data, 50, -1), UsageError);
  EXPECT_THROW(neighbouring_set(data, 3, 49), UsageError);
  EXPECT_EQ(draw_example_pair(50, 9).removed, pair.removed);  // seeded
}

TEST(Stability, NormalizedDistanceOfKnownVectors) {
  const ParamList a{torch::tensor({3.0, 0.0}, torch::kDouble)},
      b{torch::tensor({0.0, 4.0}, torch::kDouble)};
  double raw = 0.0;
  EXPECT_DOUBLE_EQ(normalized_distance(a, b, &raw), 5.0 / 7.0);
  EXPECT_DOUBLE_EQ(raw, 5.0);
  EXPECT_DOUBLE_EQ(normalized_distance(a, a), 0.0);
}

// End to end on a synthetic set: two epochs per optimizer on S and S′, curves per epoch, and a
// rerun that reuses the finished runs (same numbers, no retraining).
TEST(Stability, RunsTrainBothSetsAndAreReused) {
  StabilityOptions o;
  o.train.arch = "mlp:16";
  o.train.data = cli::parse_data_spec("synthetic:128,1,8,8,3,0");
  o.train.test_subset = 64;
  o.train.eval_train_subset = 0;
  o.train.batch_size = 16;
  o.train.epochs = 2;
  o.train.base.lr = 0.1;
  o.train.base.momentum = 0.0;
  o.train.rule.ascent.rho = 0.05;
  o.train.threads = 1;
  o.train.quiet = true;
  o.train.dtype = torch::kDouble;
  const testing::ScratchDir scratch("stability");
  o.train.out = scratch.file("runs");
  for (const std::string name : {"sgd", "sam"}) {
    o.optimizers.push_back({name, o.train.rule});
    cli::apply_optimizer_name(name, o.optimizers.back().rule);
  }
  const TrainFunction train = [](const TrainOptions& run) { train_with_outputs(run); };
  const StabilityResult first = run_stability(o, train);
  EXPECT_EQ(first.train_examples, 127);
  ASSERT_EQ(first.curves.size(), 2u);
  for (const StabilityCurve& c : first.curves) {
    ASSERT_EQ(c.epoch.size(), 2u);
    for (size_t e = 0; e < 2; ++e) {
      EXPECT_GT(c.distance[e], 0.0);  // one example apart → different models
      EXPECT_LT(c.normalized_distance[e], 0.5);
    }
  }
  // Each point of a curve is measured, not copied: the epoch checkpoints of the two SAM runs give
  // the same distance, and the S model's losses on S and on the test split give the same gap.
  const Dataset s_set =
      neighbouring_set(load_dataset(o.train.data, Split::kTrain), first.pair.removed, -1);
  const Dataset test = load_dataset(o.train.data, Split::kTest, {64, std::nullopt});
  for (int64_t epoch = 1; epoch <= 2; ++epoch) {
    Model s_model = Model::load(epoch_checkpoint(o.train.out + "/sam-S.pt", epoch));
    Model s_prime = Model::load(epoch_checkpoint(o.train.out + "/sam-Sprime.pt", epoch));
    const at::Tensor a = flatten(s_model.parameters()), b = flatten(s_prime.parameters());
    const double expected =
        (a - b).norm().item<double>() / (a.norm().item<double>() + b.norm().item<double>());
    const size_t e = static_cast<size_t>(epoch - 1);
    EXPECT_NEAR(first.curves[1].normalized_distance[e], expected, 1e-12 * expected) << epoch;
    const double train_loss = Objective(s_model, s_set).evaluate().loss;
    const double test_loss = Objective(s_model, test).evaluate().loss;
    EXPECT_NEAR(first.curves[1].loss_gap[0][e], test_loss - train_loss, 1e-12) << epoch;
  }
  const auto stamp = std::filesystem::last_write_time(o.train.out + "/sam-S.pt");
  const StabilityResult second = run_stability(o, train);
  EXPECT_EQ(std::filesystem::last_write_time(o.train.out + "/sam-S.pt"), stamp);
  EXPECT_EQ(second.curves[1].distance, first.curves[1].distance);
}

// 003 Fig. 7: the stability runs under a cosine schedule. The schedule reaches every run (the S and
// S′ runs' logs hold the trainer's cosine learning rates, docs/math.md §3) and is recorded in the
// result; a bad schedule name is a usage error naming the flag.
TEST(StabilityCli, LearningRateScheduleReachesTheRuns) {
  const testing::ScratchDir scratch("stability-cli");
  const std::string out = scratch.file("stab.h5");
  const std::vector<std::string> common = {"stability",
                                           "--model",
                                           "mlp:8",
                                           "--data",
                                           "synthetic:64,1,8,8,2,0",
                                           "--epochs",
                                           "2",
                                           "--batch-size",
                                           "16",
                                           "--test-subset",
                                           "32",
                                           "--train-subset",
                                           "0",
                                           "--optimizer",
                                           "sgd",
                                           "--lr",
                                           "0.2",
                                           "--threads",
                                           "1",
                                           "--quiet",
                                           "--out",
                                           out};
  std::vector<std::string> args = common;
  args.insert(args.end(), {"--lr-schedule", "cosine"});
  ASSERT_EQ(testing::run_cli(args), 0);
  H5Reader result(out);
  EXPECT_EQ(result.attribute("/", "option.lr_schedule"), "cosine");
  const std::string runs = scratch.file("stab.runs");
  for (const char* run : {"/sgd-S.train.h5", "/sgd-Sprime.train.h5"}) {
    H5Reader log(runs + run);
    const std::vector<double> lr = log.read("steps/lr");
    const double total = static_cast<double>(lr.size());  // 2 epochs of 63/16 → 4 steps each
    ASSERT_EQ(lr.size(), 8u) << run;
    for (size_t t = 0; t < lr.size(); ++t) {
      const double expected = 0.5 * 0.2 * (1.0 + std::cos(M_PI * static_cast<double>(t) / total));
      EXPECT_NEAR(lr[t], expected, 1e-12) << run << " step " << t;
    }
  }
  std::string error;
  args = common;
  args.insert(args.end(), {"--lr-schedule", "exponential"});
  EXPECT_EQ(testing::run_cli(args, &error), 2);
  EXPECT_NE(error.find("--lr-schedule"), std::string::npos) << error;
}

}  // namespace
}  // namespace sharpscope
