#pragma once
/// The learning-rate schedule flags of `train` and `stability` (003 Fig. 7 trains its stability
/// pairs under the trainer's schedules): registered and parsed in one place.
#include <string>

namespace CLI {
class App;
}

namespace sharpscope {
struct TrainOptions;
}

namespace sharpscope::cli {

struct LrScheduleFlags {
  std::string schedule = "constant";
  std::string milestones;

  /// Adds --lr-schedule, --warmup, --lr-milestones and --lr-gamma to `command`; the numbers go
  /// straight into `options`, the text into this struct.
  void add_to(CLI::App& command, TrainOptions& options);
  /// Parses the text flags into `options` (a UsageError naming the flag on bad text).
  void apply(TrainOptions& options) const;
};

}  // namespace sharpscope::cli
