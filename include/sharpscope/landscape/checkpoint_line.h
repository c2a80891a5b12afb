#pragma once
/// Loss and error on the line through two checkpoints, (1−α)·w_A + α·w_B, α beyond [0, 1] allowed
/// (Park, 002 Fig. 5.1; docs/math.md §4).
#include <cstdint>
#include <string>
#include <vector>

#include "sharpscope/core/types.h"

namespace sharpscope {

class Objective;
class PointStore;

struct CheckpointLine {
  std::vector<double> alpha;
  std::vector<double> train_loss, train_error;  ///< error = 1 − accuracy
  std::vector<double> test_loss, test_error;    ///< NaN when no test objective was given
  double distance = 0.0;                        ///< ‖w_B − w_A‖
  int64_t non_finite = 0;
  std::string summary() const;
};

/// Row width stored per α: {train loss, train error, test loss, test error}.
inline constexpr int64_t kLineRowWidth = 4;

/// `train` (and `test`, may be null) are bound to model A, whose weights w_A are moved to each
/// point w_A + α(w_B − w_A) and restored bit-exactly afterwards. `weights_b` must be shaped like
/// A's parameters. Cost: one forward pass per α and data set.
CheckpointLine evaluate_checkpoint_line(const Objective& train, const Objective* test,
                                        const ParamList& weights_b,
                                        const std::vector<double>& alpha, PointStore& rows);

}  // namespace sharpscope
