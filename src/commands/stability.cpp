// sharpscope stability: parameter distance and generalization gaps of two models trained on
// training sets that differ in one example (docs/math.md §8, 003 §5.2 Fig. 5).
#include "sharpscope/dynamics/stability.h"

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>

#include "commands/analysis_support.h"
#include "commands/lr_schedule_flags.h"
#include "commands/parse.h"
#include "commands/registry.h"
#include "sharpscope/core/distributed.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/progress.h"
#include "sharpscope/io/dynamics_writers.h"
#include "sharpscope/io/h5_writer.h"
#include "sharpscope/io/provenance.h"
#include "sharpscope/io/train_outputs.h"

namespace sharpscope::cli {
namespace {

struct StabilityFlags {
  StabilityOptions options;
  std::string model = "fcn";
  std::string optimizers = "sgd,sam,stablesam";
  std::string data = "fmnist";
  std::string dtype = "float32";
  std::string device = "cpu";
  std::string out = "stability.h5";
  std::string runs;
  LrScheduleFlags lr_schedule;  // 003 Fig. 7: the trainer's schedules (constant for Fig. 5)
  DistributedFlags dist;
};

void run_stability_command(StabilityFlags& f) {
  Progress::set_quiet(f.options.train.quiet);
  TrainOptions& t = f.options.train;
  // 003 §5.2's FCN: two hidden layers of 500 ReLU units.
  t.arch = f.model == "fcn" ? "mlp:500,500" : f.model;
  t.data = parse_data_spec(f.data);
  t.dtype = parse_dtype(f.dtype);
  t.device = parse_device(f.device);
  f.lr_schedule.apply(t);
  f.options.optimizers.clear();
  for (const std::string& name : parse_name_list(f.optimizers, "--optimizer")) {
    NamedRule named{name, t.rule};
    apply_optimizer_name(name, named.rule);
    f.options.optimizers.push_back(named);
  }
  // Under a launcher each optimizer's pair of runs is a point: dealt to ranks when there are at
  // least as many optimizers as ranks, else every run is data-parallel (DDP) over all of them.
  join_distributed(f.dist, t.device);
  choose_parallel_mode(static_cast<int64_t>(f.options.optimizers.size()));
  t.out = !f.runs.empty() ? f.runs
                          : (std::filesystem::path(f.out).replace_extension("").string() + ".runs");
  H5Writer writer(f.out);
  Provenance provenance;

  const StabilityResult result =
      run_stability(f.options, [](const TrainOptions& run) { train_with_outputs(run); });

  write_result(writer, result);
  for (const auto& [key, value] : distributed_provenance()) provenance.set(key, value);
  write_preamble(writer, provenance, nullptr,
                 {{"arch", t.arch}, {"rho", number_text(t.rule.ascent.rho)}, {"runs", t.out}});
  writer.commit();
  if (t.quiet) return;
  std::cout << "S drops training example " << result.pair.removed << "; S' puts it in place of S["
            << result.pair.replaced << "] (" << result.train_examples << " examples each)\n"
            << label("optimizer", 12) << label("epoch", 7) << label("distance", 12)
            << label("normalized", 12) << label("gap S", 12) << label("gap S'", 12) << "\n";
  for (const StabilityCurve& c : result.curves) {
    for (size_t e = 0; e < c.epoch.size(); ++e) {
      std::cout << label(c.optimizer, 12) << cell(c.epoch[e], 7) << cell(c.distance[e], 12)
                << cell(c.normalized_distance[e], 12) << cell(c.loss_gap[0][e], 12)
                << cell(c.loss_gap[1][e], 12) << "\n";
    }
  }
  std::cout << "wrote " << f.out << " (runs in " << t.out << ")\n";
}

}  // namespace

void register_stability(CLI::App& app) {
  auto f = std::make_shared<StabilityFlags>();
  TrainOptions& t = f->options.train;
  // 003 §5.2: plain SGD, constant learning rate, no momentum, weight decay or augmentation.
  t.epochs = 20;
  t.base.momentum = 0.0;
  t.base.lr = 0.05;
  t.augment = Augment::kOff;
  t.eval_train_subset = 0;
  t.train_subset = 10000;
  t.rule.ascent.rho = 0.05;
  CLI::App* cmd = app.add_subcommand(
      "stability",
      "Parameter distance and generalization gaps of models trained on S and S' (003 Fig. 5)");
  cmd->footer(
      "S drops one training example (drawn with --pair-seed); S' puts it in place of another "
      "example of S.\n"
      "Each optimizer trains from the same initialization with the same batch order on S and on "
      "S'.\n"
      "The runs are ordinary trainer checkpoints (one per epoch) in --runs; a rerun reuses "
      "finished runs\n"
      "and continues interrupted ones.\n"
      "Examples:\n"
      "  sharpscope stability --model fcn --data fmnist --optimizer sgd,sam,stablesam --epochs 20\n"
      "  sharpscope stability --model lenet5 --data cifar10:/data/cifar-10-batches-bin --lr 0.01 "
      "--rho 0.1\n"
      "  sharpscope stability --model fcn --lr-schedule cosine --epochs 60    (003 Fig. 7)\n"
      "Normalization of the distance and the output layout: docs/dynamics.md");
  cmd->add_option("--model", f->model, "fcn (mlp:500,500, as in 003) or any zoo architecture")
      ->capture_default_str();
  cmd->add_option("--data", f->data, "Data set (as for train)")->capture_default_str();
  cmd->add_option("--train-subset", t.train_subset,
                  "First n training examples before the pair is drawn (0 = all)")
      ->capture_default_str();
  cmd->add_option("--test-subset", t.test_subset, "First n test examples (0 = all)")
      ->capture_default_str();
  cmd->add_option("--optimizer", f->optimizers, "Optimizers, e.g. sgd,sam,stablesam")
      ->capture_default_str();
  cmd->add_option("--rho", t.rule.ascent.rho, "Radius of the SAM variants")->capture_default_str();
  cmd->add_option("--lr", t.base.lr, "Learning rate (peak under --lr-schedule)")
      ->capture_default_str();
  f->lr_schedule.add_to(*cmd, t);
  cmd->add_option("--momentum", t.base.momentum, "SGD momentum")->capture_default_str();
  cmd->add_option("--weight-decay", t.base.weight_decay, "Weight decay")->capture_default_str();
  cmd->add_option("--batch-size", t.batch_size, "Mini-batch size")->capture_default_str();
  cmd->add_option("--epochs", t.epochs, "Epochs")->capture_default_str();
  cmd->add_option("--seed", t.seed,
                  "Seed of the initialization and batch order (shared by S and S')")
      ->capture_default_str();
  cmd->add_option("--pair-seed", f->options.pair_seed, "Seed of the removed and replaced examples")
      ->capture_default_str();
  cmd->add_option("--threads", t.threads, "Intra-op threads (0 = all cores)")
      ->capture_default_str();
  cmd->add_option("--dtype", f->dtype, "float32 | float64")->capture_default_str();
  cmd->add_option("--device", f->device, "cpu | cuda | cuda:N")->capture_default_str();
  cmd->add_option("--out", f->out, "Output HDF5 file")->capture_default_str();
  cmd->add_option("--runs", f->runs,
                  "Directory of the runs' checkpoints (default: <out stem>.runs)");
  cmd->add_flag("--quiet,-q", t.quiet, "No progress bars or table");
  add_distributed_options(*cmd, f->dist);
  cmd->callback([f] { run_stability_command(*f); });
}

}  // namespace sharpscope::cli
