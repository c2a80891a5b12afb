#pragma once
/// The companion trainer (docs/math.md §3): trains a zoo network with any gradient rule and base
/// optimizer and logs the per-step diagnostics. Same seed and thread count → bit-identical
/// weights; a run resumed from its checkpoint continues exactly as the uninterrupted run would.
///
/// Under a launcher (core/distributed.h) training is data-parallel with DDP semantics
/// (docs/distributed.md): rank 0's initial weights everywhere, the same seeded batch order on all
/// ranks, each rank its share of every global batch, gradients all-reduced before the base
/// optimizer (optim/training_step.h). Only rank 0 writes checkpoints and the log; a checkpoint
/// resumes at any world size (--batch-size is the global batch).
///
/// The loop itself (train) only steps, evaluates at every epoch end and at the end, and calls its
/// callbacks (after Ceres' IterationCallback): checkpoints, progress and Ctrl-C handling are
/// callbacks (optim/trainer_callbacks.h), and so is the HDF5 training log (io/train_outputs.h,
/// which also runs a training with all of them).
#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sharpscope/core/dataset.h"
#include "sharpscope/core/input_shape.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/runtime.h"
#include "sharpscope/data/loader.h"
#include "sharpscope/optim/base_optimizer.h"
#include "sharpscope/optim/gradient_rule.h"
#include "sharpscope/optim/train_log.h"
#include "sharpscope/optim/training_step.h"

namespace sharpscope {

/// Crop (pad 4) + flip: on for CIFAR-style data under kAuto.
enum class Augment { kAuto, kOn, kOff };
std::string to_string(Augment augment);  ///< "auto" | "on" | "off"

struct TrainOptions {
  std::string arch = "mlp:500,500";   ///< zoo spec (core/zoo.h)
  DataSpec data;                      ///< Fashion-MNIST by default
  int64_t train_subset = 0;           ///< first n training examples (0 = all)
  int64_t test_subset = 0;            ///< first n test examples (0 = all)
  int64_t eval_train_subset = 10000;  ///< first n training examples evaluated per epoch (0 = all)
  int64_t batch_size = 128;
  int64_t epochs = 1;
  int64_t steps = 0;  ///< --train-steps: when > 0, this many steps instead of `epochs`
  double label_smoothing = 0.0;
  double label_noise = 0.0;  ///< fraction of training labels shuffled (003 §5.4)
  Augment augment = Augment::kAuto;
  /// Algorithmic stability (docs/math.md §8): train on S = the training set without this example
  /// (-1 = off), and with `replace_example` ≥ 0 on S′ (see data/neighbouring_set.h).
  int64_t drop_example = -1;
  int64_t replace_example = -1;
  RuleOptions rule;
  /// Data-parallel SAM-family steps (optim/training_step.h): global (default) or local ascents.
  SamSync sam_sync = SamSync::kGlobal;
  /// --sync-bn: BatchNorm statistics over the whole global batch instead of each rank's share
  /// (core/zoo.h synchronize_batch_norm); no effect on one rank. Needs the global sam_sync.
  bool sync_bn = false;
  BaseOptimizerOptions base;
  LrScheduleKind lr_schedule = LrScheduleKind::kConstant;
  double warmup_epochs = 0.0;
  std::vector<double> lr_milestones;  ///< in epochs (step schedule)
  double lr_gamma = 0.1;
  uint64_t seed = 0;
  int threads = 0;
  c10::ScalarType dtype = c10::kFloat;
  c10::Device device{c10::kCPU};
  std::string out = "checkpoints/model.pt";
  std::string log;                ///< training log; empty = <out without .pt>.train.h5
  int64_t save_every_epochs = 0;  ///< also save <stem>.epoch<E>.pt every K epochs
  int64_t save_every_steps = 0;   ///< also save <stem>.step<S>.pt every K steps
  std::string resume;             ///< checkpoint to continue from
  bool quiet = false;

  void validate() const;  ///< UsageError naming the flag
  /// The options that determine the trajectory (all but length, outputs, threads, verbosity and,
  /// under --sam-sync global, the world size); --resume requires the checkpoint's signature to
  /// match.
  std::string signature() const;
  std::string log_path() const;
};

/// Why the loop ended.
enum class Termination {
  kCompleted,    ///< all steps taken
  kDiverged,     ///< a batch loss was not finite (a result, not a failure: recorded where)
  kInterrupted,  ///< a callback asked to stop (Ctrl-C): resumable from the final checkpoint
};

/// One training run: its data, model, optimizer, rule, schedule and log, and how far it got. Built
/// by open_training (fresh or resumed), advanced by train; callbacks read it.
struct TrainingRun {
  TrainOptions options;
  Runtime runtime;
  Dataset train_data, test_data, eval_train_data;
  InputShape shape;
  bool augment = false;
  int64_t steps_per_epoch = 0, total_steps = 0;
  int64_t start_step = 0;  ///< steps done before this process (resume)
  int64_t step = 0;        ///< steps done so far
  LrSchedule schedule;
  TrainLog log;
  Model model;
  std::unique_ptr<BaseOptimizer> optimizer;
  std::unique_ptr<GradientRule> rule;
  Termination termination = Termination::kCompleted;
  int64_t diverged_at = -1;  ///< step whose batch loss was not finite
  double wall_offset = 0.0;  ///< wall seconds of the runs before a resume
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  double passes() const;        ///< forward-backward passes so far, whole-batch units
  double wall_seconds() const;  ///< including the runs before a resume
  /// "completed", "diverged: non-finite batch loss at step t", "interrupted", or "in progress"
  /// while `finished` is false (periodic checkpoints).
  std::string status(bool finished) const;
  /// The metadata every checkpoint and the log carry at the current step (docs/train.md).
  Metadata metadata(bool finished) const;
  /// Writes a checkpoint of the current step to `path`: weights, metadata, optimizer state, the
  /// log so far and the trainer state --resume needs. OutputError when it cannot be written.
  /// Nothing on ranks other than 0.
  void save(const std::string& path, bool finished);
};

/// Validates the options, configures the runtime, loads the data, and builds the model fresh
/// (seeded) or restores it with its optimizer state and log from options.resume (whose signature
/// must match).
TrainingRun open_training(const TrainOptions& options);

/// Returned by a callback after a step: go on, or stop the loop (it then ends kInterrupted).
enum class CallbackReturn { kContinue, kStop };

class TrainingCallback {
 public:
  virtual ~TrainingCallback() = default;
  /// After each step; the step's record is run.log.steps.back().
  virtual CallbackReturn on_step(TrainingRun& run) { return CallbackReturn::kContinue; }
  /// After each evaluation (every epoch end and the end of training); run.log.epochs.back().
  virtual void on_evaluation(TrainingRun& run) {}
  /// Once, when the loop ends for any reason (run.termination says which).
  virtual void on_end(TrainingRun& run) {}
};

struct TrainResult {
  Termination termination = Termination::kCompleted;
  int64_t steps = 0;  ///< total steps done (including those before a resume)
  int64_t steps_this_run = 0;
  double passes = 0.0;         ///< forward-backward passes, whole-batch units
  double train_seconds = 0.0;  ///< time in optimizer steps this run (no evaluation)
  double steps_per_second = 0.0;
  EpochRecord final;                 ///< the last evaluation (none after an early interrupt: zeros)
  std::string brief_report() const;  ///< one line
};

/// Steps from run.step to run.total_steps, evaluating at every epoch end and at the end of a run
/// that completed or diverged, and calling every callback (in order) after each step, evaluation
/// and at the end.
TrainResult train(TrainingRun& run, const std::vector<TrainingCallback*>& callbacks);

/// The checkpoint --save-every-epochs writes after epoch `epoch` beside `out`:
/// <dir>/<stem>.epoch<E>.pt (e.g. ck/sam.pt → ck/sam.epoch3.pt).
std::string epoch_checkpoint(const std::string& out, int64_t epoch);
/// The checkpoint --save-every-steps writes after step `step`: <dir>/<stem>.step<S>.pt.
std::string step_checkpoint(const std::string& out, int64_t step);

}  // namespace sharpscope
