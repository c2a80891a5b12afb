#pragma once
/// What a training run writes besides its checkpoints: the HDF5 training log (layout in
/// docs/train.md: /steps/<column> indexed by /steps/step and /epochs/<column> indexed by
/// /epochs/epoch, each with units and description, and the run's metadata on the root group), and
/// a training with every standard output attached.
#include <utility>

#include "sharpscope/optim/trainer.h"

namespace sharpscope {

class H5Writer;

/// The step and epoch tables of `log`.
void write_train_log(H5Writer& writer, const TrainLog& log);

/// Writes the run's log file (options.log_path()) when the loop ends, for any reason, with the
/// run's metadata and `attributes` (the command's options) on its root group.
class TrainLogCallback : public TrainingCallback {
 public:
  explicit TrainLogCallback(Metadata attributes = {}) : attributes_(std::move(attributes)) {}
  void on_end(TrainingRun& run) override;

 private:
  Metadata attributes_;
};

/// Opens the run (fresh or resumed) and trains it with checkpoints, the log, a progress bar (unless
/// options.quiet) and Ctrl-C handling. Throws Interrupted after saving a resumable checkpoint when
/// interrupted; a diverged run returns normally (result.termination says so).
TrainResult train_with_outputs(const TrainOptions& options, const Metadata& log_attributes = {});

}  // namespace sharpscope
