// sharpscope train: the companion trainer for every SAM variant (docs/math.md §3, docs/train.md).
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>
#include <sstream>

#include "commands/common.h"
#include "commands/lr_schedule_flags.h"
#include "commands/parse.h"
#include "commands/registry.h"
#include "sharpscope/core/distributed.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/progress.h"
#include "sharpscope/io/train_outputs.h"

namespace sharpscope::cli {
namespace {

// The flags that arrive as text; everything else CLI11 fills into TrainOptions directly.
struct TrainCommand {
  TrainOptions train;
  std::string data = "fmnist";
  std::string optimizer = "sgd";
  std::string ratio;
  std::string schedule = "always";
  std::string base = "sgd";
  LrScheduleFlags lr_schedule;
  std::string augment = "auto";
  std::string dtype = "float32";
  std::string device = "cpu";
  std::string sam_sync = "global";
  DistributedFlags dist;
};

void run_train(TrainCommand& c) {
  TrainOptions& o = c.train;
  Progress::set_quiet(o.quiet);
  o.data = parse_data_spec(c.data);
  o.rule.schedule = parse_schedule(c.schedule);
  apply_optimizer_name(c.optimizer, o.rule);
  if (!c.ratio.empty()) o.rule.ascent.ratio = parse_ratio(c.ratio, "--ratio");
  o.base.kind = parse_base_kind(c.base);
  c.lr_schedule.apply(o);
  o.augment = parse_augment(c.augment);
  o.dtype = parse_dtype(c.dtype);
  o.device = parse_device(c.device);
  o.sam_sync = parse_sam_sync(c.sam_sync);
  join_distributed(c.dist, o.device);  // DDP under a launcher (docs/distributed.md)
  choose_parallel_mode(0);
  const TrainResult result = train_with_outputs(o, option_attributes());
  if (result.termination == Termination::kDiverged && is_output_rank()) {
    std::cerr << "sharpscope train: diverged: non-finite batch loss at step " << result.steps - 1
              << "\n";
  }
  if (o.quiet) return;
  std::cout << result.brief_report() << "\nwrote " << o.out << " and " << o.log_path() << "\n";
}

}  // namespace

void register_train(CLI::App& app) {
  auto c = std::make_shared<TrainCommand>();
  TrainOptions& o = c->train;
  RuleOptions& r = o.rule;
  CLI::App* cmd = app.add_subcommand("train", "Train a zoo network with SGD or any SAM variant");
  cmd->footer(
      "Examples:\n"
      "  sharpscope train --arch mlp:500,500 --data fmnist --optimizer sam --rho 0.05 --epochs 1 "
      "--out checkpoints/sam.pt\n"
      "  sharpscope train --arch resnet20 --data cifar10:/data/cifar-10-batches-bin --optimizer "
      "msam-2 --rho 0.1 \\\n"
      "      --lr 0.1 --lr-schedule cosine --weight-decay 5e-4 --epochs 200 --save-every-epochs 10 "
      "--out ckpt/msam2.pt\n"
      "Options for every flag and the log layout: docs/train.md");
  // Model and data.
  cmd->add_option("--arch", o.arch, "Zoo architecture, e.g. mlp:500,500 | cnn | resnet20 | wrn16-4")
      ->capture_default_str();
  cmd->add_option(
         "--data", c->data,
         "fmnist[:DIR] | mnist:DIR | cifar10:DIR | cifar100:DIR | synthetic[:N,C,H,W,K,SEED]")
      ->capture_default_str();
  cmd->add_option("--train-subset", o.train_subset, "Train on the first n examples (0 = all)")
      ->capture_default_str();
  cmd->add_option("--test-subset", o.test_subset, "Evaluate on the first n test examples (0 = all)")
      ->capture_default_str();
  cmd->add_option("--eval-train-subset", o.eval_train_subset,
                  "Per-epoch train loss/accuracy on the first n training examples (0 = all)")
      ->capture_default_str();
  cmd->add_option("--batch-size", o.batch_size, "Mini-batch size")->capture_default_str();
  cmd->add_option("--epochs", o.epochs, "Epochs to train")->capture_default_str();
  cmd->add_option("--train-steps", o.steps,
                  "Train this many steps instead of --epochs (0 = use --epochs)")
      ->capture_default_str();
  cmd->add_option("--label-smoothing", o.label_smoothing, "Cross-entropy label smoothing")
      ->capture_default_str();
  cmd->add_option("--label-noise", o.label_noise, "Fraction of training labels shuffled (seeded)")
      ->capture_default_str();
  cmd->add_option("--augment", c->augment,
                  "Random crop (pad 4) + flip: auto (CIFAR only) | on | off")
      ->capture_default_str();
  cmd->add_option("--drop-example", o.drop_example,
                  "Stability: train on S = the data without example i (-1 = off)")
      ->capture_default_str();
  cmd->add_option(
         "--replace-example", o.replace_example,
         "Stability: ... and on S' = S with its example j replaced by the dropped one (-1 = off)")
      ->capture_default_str();
  // Gradient rule.
  cmd->add_option("--optimizer", c->optimizer,
                  "sgd | sam | sam-N | msam-N | rand-sam | asam | stablesam | stableasam | gsam | "
                  "psam | esam")
      ->capture_default_str();
  cmd->add_option("--rho", r.ascent.rho, "Perturbation radius")->capture_default_str();
  cmd->add_option("--steps", r.ascent.steps, "Ascent steps N of SAM-N / MSAM-N")
      ->capture_default_str();
  cmd->add_option("--ratio", c->ratio, "Ascent step-size ratio, e.g. 1:2 (rescaled to sum to rho)");
  cmd->add_option("--asam-eta", r.asam_eta, "ASAM's eta in T = diag(|w| + eta)")
      ->capture_default_str();
  cmd->add_flag("--stable", r.stable,
                "StableSAM renormalization of the descent gradient (003 Alg. 1)");
  cmd->add_option("--stable-clamp", r.stable_clamp,
                  "gamma0 in (0,1): clamp gamma to [gamma0, sqrt(gamma0)] (003 Remark 19)");
  cmd->add_option("--gsam-alpha", r.gsam_alpha,
                  "GSAM: descend grad L(w^p) - alpha g_perp (0 = off)")
      ->capture_default_str();
  cmd->add_option("--esam-beta", r.esam_beta,
                  "ESAM: perturb a random fraction beta of the weights (1 = off)")
      ->capture_default_str();
  cmd->add_option("--m-sharpness", r.m, "Ascent per chunk of m examples (0 = whole batch)")
      ->capture_default_str();
  cmd->add_option("--schedule", c->schedule, "When to ascend: always | psam | sgd-sam | sam-sgd")
      ->capture_default_str();
  cmd->add_option("--psam-period", r.psam_period,
                  "PSAM period n: SAM every n-th step before the threshold")
      ->capture_default_str();
  cmd->add_option("--psam-threshold", r.psam_threshold,
                  "PSAM threshold E in steps (default: the whole run)");
  cmd->add_option("--switch-at", r.switch_at,
                  "Fraction of training at which sgd-sam / sam-sgd switch")
      ->capture_default_str();
  // Base optimizer and schedule.
  cmd->add_option("--base", c->base, "Base optimizer: sgd | adamw")->capture_default_str();
  cmd->add_option("--lr", o.base.lr, "Learning rate")->capture_default_str();
  cmd->add_option("--momentum", o.base.momentum, "SGD momentum")->capture_default_str();
  cmd->add_flag("--nesterov", o.base.nesterov, "Nesterov momentum");
  cmd->add_option("--weight-decay", o.base.weight_decay,
                  "Weight decay (coupled for sgd, decoupled for adamw)")
      ->capture_default_str();
  cmd->add_option("--adam-beta1", o.base.beta1, "AdamW beta1")->capture_default_str();
  cmd->add_option("--adam-beta2", o.base.beta2, "AdamW beta2")->capture_default_str();
  cmd->add_option("--adam-eps", o.base.eps, "AdamW epsilon")->capture_default_str();
  c->lr_schedule.add_to(*cmd, o);
  // Runtime and outputs.
  cmd->add_option("--seed", o.seed, "Seed for initialization, shuffling, noise and masks")
      ->capture_default_str();
  cmd->add_option("--threads", o.threads, "Intra-op threads (0 = all cores)")
      ->capture_default_str();
  cmd->add_option("--dtype", c->dtype, "float32 | float64")->capture_default_str();
  cmd->add_option("--device", c->device, "cpu | cuda | cuda:N")->capture_default_str();
  cmd->add_option("--out", o.out, "Final checkpoint (.pt)")->capture_default_str();
  cmd->add_option("--log", o.log, "Training log HDF5 (default: <out stem>.train.h5)");
  cmd->add_option("--save-every-epochs", o.save_every_epochs,
                  "Also save <stem>.epochE.pt every K epochs")
      ->capture_default_str();
  cmd->add_option("--save-every-steps", o.save_every_steps,
                  "Also save <stem>.stepS.pt every K steps")
      ->capture_default_str();
  cmd->add_option("--resume", o.resume,
                  "Continue from this checkpoint (same options; --epochs may grow)");
  cmd->add_flag("--quiet,-q", o.quiet, "No progress bar or summary");
  // Distributed (DDP) training.
  cmd->add_option("--sam-sync", c->sam_sync,
                  "Under a launcher: global (all-reduce the ascent gradient: = 1-rank SAM) | local "
                  "(each rank ascends on its share: m-sharpness, m = per-rank batch)")
      ->capture_default_str();
  cmd->add_flag(
      "--sync-bn", o.sync_bn,
      "Under a launcher: BatchNorm statistics over the whole global batch (SyncBatchNorm) "
      "instead of each rank's share (DDP's default)");
  add_distributed_options(*cmd, c->dist, /*parallel=*/false);
  cmd->callback([c] { run_train(*c); });
}

}  // namespace sharpscope::cli
