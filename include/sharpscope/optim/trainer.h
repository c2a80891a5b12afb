#pragma once
/// The companion trainer (issue 3, docs/math.md §3): trains a zoo network with any gradient rule
/// and base optimizer, logs the per-step diagnostics, and writes checkpoints every analysis command
/// loads with no extra flag. Same seed and thread count → bit-identical weights; --resume from a
/// checkpoint continues exactly as the uninterrupted run would have.
#include <cstdint>
#include <string>
#include <vector>

#include "sharpscope/optim/base_optimizer.h"
#include "sharpscope/optim/gradient_rule.h"
#include "sharpscope/optim/train_log.h"

namespace sharpscope {

struct TrainOptions {
  std::string arch = "mlp:500,500";
  std::string data = "fmnist";
  int64_t train_subset = 0;           ///< first n training examples (0 = all)
  int64_t test_subset = 0;            ///< first n test examples (0 = all)
  int64_t eval_train_subset = 10000;  ///< first n training examples evaluated per epoch (0 = all)
  int64_t batch_size = 128;
  int64_t epochs = 1;
  int64_t steps = 0;  ///< --train-steps: when > 0, this many steps instead of `epochs`
  double label_smoothing = 0.0;
  double label_noise = 0.0;      ///< fraction of training labels shuffled (003 §5.4)
  std::string augment = "auto";  ///< auto (CIFAR only) | on | off: crop (pad 4) + flip
  /// Algorithmic stability (docs/math.md §8): train on S = the training set without this example
  /// (-1 = off), and with `replace_example` ≥ 0 on S′ (see neighbouring_set).
  int64_t drop_example = -1;
  int64_t replace_example = -1;
  RuleOptions rule;
  BaseOptimizerOptions base;
  std::string lr_schedule = "constant";
  double warmup_epochs = 0.0;
  std::vector<double> lr_milestones;  ///< in epochs (step schedule)
  double lr_gamma = 0.1;
  uint64_t seed = 0;
  int threads = 0;
  std::string dtype = "float32";
  std::string device = "cpu";
  std::string out = "checkpoints/model.pt";
  std::string log;                ///< training log; empty = <out without .pt>.train.h5
  int64_t save_every_epochs = 0;  ///< also save <stem>.epoch<E>.pt every K epochs
  int64_t save_every_steps = 0;   ///< also save <stem>.step<S>.pt every K steps
  std::string resume;             ///< checkpoint to continue from
  bool quiet = false;

  void validate() const;  ///< UsageError naming the flag
  /// The options that determine the trajectory (all but length, outputs, threads and verbosity);
  /// --resume requires the checkpoint's signature to match.
  std::string signature() const;
  std::string log_path() const;
};

struct TrainResult {
  int64_t steps = 0;  ///< total steps done (including those before a resume)
  int64_t steps_this_run = 0;
  double passes = 0.0;         ///< forward-backward passes, whole-batch units
  double train_seconds = 0.0;  ///< time in optimizer steps this run (no evaluation)
  double steps_per_second = 0.0;
  EpochRecord final;  ///< the last evaluation
  std::string checkpoint, log;
  std::string brief_report() const;  ///< one line
};

/// The checkpoint --save-every-epochs writes after epoch `epoch` beside `out`:
/// <dir>/<stem>.epoch<E>.pt (e.g. ck/sam.pt → ck/sam.epoch3.pt).
std::string epoch_checkpoint(const std::string& out, int64_t epoch);

/// Trains and writes the final checkpoint and the log. Throws UsageError / InputError /
/// OutputError; on Ctrl-C saves a checkpoint at the current step and throws Interrupted.
TrainResult train(const TrainOptions& options);

}  // namespace sharpscope
