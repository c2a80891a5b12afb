#include "sharpscope/optim/trainer_callbacks.h"

#include <cstdio>

#include "sharpscope/core/interrupt.h"
#include "sharpscope/core/progress.h"

namespace sharpscope {

CallbackReturn CheckpointCallback::on_step(TrainingRun& run) {
  const TrainOptions& o = run.options;
  const bool epoch_end = run.step % run.steps_per_epoch == 0;
  if (epoch_end && o.save_every_epochs > 0 &&
      (run.step / run.steps_per_epoch) % o.save_every_epochs == 0) {
    run.save(epoch_checkpoint(o.out, run.step / run.steps_per_epoch), /*finished=*/false);
  }
  if (o.save_every_steps > 0 && run.step % o.save_every_steps == 0) {
    run.save(step_checkpoint(o.out, run.step), /*finished=*/false);
  }
  return CallbackReturn::kContinue;
}

void CheckpointCallback::on_end(TrainingRun& run) { run.save(run.options.out, /*finished=*/true); }

ProgressCallback::ProgressCallback(const TrainingRun& run, bool quiet)
    : progress_(std::make_unique<Progress>("train " + run.options.rule.describe(), run.total_steps,
                                           quiet)) {}

ProgressCallback::~ProgressCallback() = default;

CallbackReturn ProgressCallback::on_step(TrainingRun& run) {
  char detail[96];
  const long long epoch = (run.step - 1) / run.steps_per_epoch + 1;
  std::snprintf(detail, sizeof detail, "epoch %lld loss %.4f", epoch, run.log.steps.back().loss);
  progress_->update(run.step, detail);
  return CallbackReturn::kContinue;
}

void ProgressCallback::on_end(TrainingRun&) { progress_->finish(); }

InterruptCallback::InterruptCallback() { install_interrupt_handler(); }

CallbackReturn InterruptCallback::on_step(TrainingRun&) {
  return interrupt_requested() ? CallbackReturn::kStop : CallbackReturn::kContinue;
}

}  // namespace sharpscope
