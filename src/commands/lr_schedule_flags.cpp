#include "commands/lr_schedule_flags.h"

#include <CLI/CLI.hpp>

#include "commands/parse.h"
#include "sharpscope/optim/trainer.h"

namespace sharpscope::cli {

void LrScheduleFlags::add_to(CLI::App& command, TrainOptions& options) {
  command.add_option("--lr-schedule", schedule, "constant | step | cosine")->capture_default_str();
  command
      .add_option("--warmup", options.warmup_epochs,
                  "Linear warm-up length in epochs (fractional allowed)")
      ->capture_default_str();
  command.add_option("--lr-milestones", milestones,
                     "Step schedule: epochs at which lr *= --lr-gamma, e.g. 50,75");
  command.add_option("--lr-gamma", options.lr_gamma, "Step schedule factor")->capture_default_str();
}

void LrScheduleFlags::apply(TrainOptions& options) const {
  options.lr_schedule = parse_lr_schedule(schedule);
  if (!milestones.empty())
    options.lr_milestones = parse_number_list(milestones, "--lr-milestones", 0.0);
}

}  // namespace sharpscope::cli
