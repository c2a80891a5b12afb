#pragma once
/// The trainer's standard callbacks (optim/trainer.h): checkpoints, a progress bar and Ctrl-C
/// handling. The HDF5 training log is io/train_outputs.h's.
#include <cstdint>
#include <memory>
#include <string>

#include "sharpscope/optim/trainer.h"

namespace sharpscope {

class Progress;

/// Writes <stem>.epoch<E>.pt every `save_every_epochs` epochs and <stem>.step<S>.pt every
/// `save_every_steps` steps while training, and the final checkpoint `out` when the loop ends for
/// any reason (so an interrupted or diverged run can be inspected and resumed).
class CheckpointCallback : public TrainingCallback {
 public:
  CallbackReturn on_step(TrainingRun& run) override;
  void on_end(TrainingRun& run) override;
};

/// A progress bar over the run's steps ("epoch E loss L"), finished when the loop ends.
class ProgressCallback : public TrainingCallback {
 public:
  ProgressCallback(const TrainingRun& run, bool quiet);
  ~ProgressCallback() override;
  CallbackReturn on_step(TrainingRun& run) override;
  void on_end(TrainingRun& run) override;

 private:
  std::unique_ptr<Progress> progress_;
};

/// Installs the SIGINT/SIGTERM handler (core/interrupt.h) and stops the loop after the step in
/// which the first Ctrl-C arrived.
class InterruptCallback : public TrainingCallback {
 public:
  InterruptCallback();
  CallbackReturn on_step(TrainingRun& run) override;
};

}  // namespace sharpscope
