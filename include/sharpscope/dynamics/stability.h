#pragma once
/// Algorithmic stability (docs/math.md §8; Tan et al. 003 §5.2, Fig. 5, after Hardt et al. 2016):
/// train the same network from the same initialization with the same batch order on two training
/// sets S and S′ that differ in one example, and follow per epoch how far apart the two models are
/// and each one's generalization gap. Both runs are ordinary trainer runs (`train` with
/// drop_example/replace_example), so every update is the trainer's.
///
/// Normalized parameter distance: δ = ‖w_S − w_S′‖ / (‖w_S‖ + ‖w_S′‖) ∈ [0, 1] (0: identical
/// models, 1: opposite directions); the raw ‖w_S − w_S′‖ is recorded beside it.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sharpscope/optim/trainer.h"

namespace sharpscope {

/// Which example S drops and which example of S the dropped one replaces in S′, drawn from `seed`.
struct ExamplePair {
  int64_t removed = 0;   ///< index into the full training set
  int64_t replaced = 0;  ///< index into S
};
ExamplePair draw_example_pair(int64_t examples, uint64_t seed);

struct StabilityOptions {
  /// Shared settings of every run (arch, data, subsets, batch size, epochs, lr, seed, ...). Its
  /// `out` is the directory the runs' checkpoints go to; `rule` holds the modifiers (ρ, ...).
  TrainOptions train;
  /// One pair of runs per rule; each name labels its curve and its checkpoints.
  std::vector<NamedRule> optimizers;
  uint64_t pair_seed = 0;  ///< chooses the example pair
};

struct StabilityCurve {
  std::string optimizer;
  std::vector<double> epoch;                ///< 1..E
  std::vector<double> distance;             ///< ‖w_S − w_S′‖
  std::vector<double> normalized_distance;  ///< δ above
  /// Per model (index 0: S, 1: S′): test − train loss, and train − test accuracy (the error gap).
  std::vector<double> loss_gap[2], error_gap[2];
  std::vector<double> train_loss[2], test_loss[2], train_accuracy[2], test_accuracy[2];
};

struct StabilityResult {
  ExamplePair pair;
  int64_t train_examples = 0;  ///< |S| = |S′|
  std::vector<StabilityCurve> curves;
};

/// Trains one run with its outputs, a checkpoint every epoch among them (io/train_outputs.h's
/// train_with_outputs; the dynamics area writes no files itself).
using TrainFunction = std::function<void(const TrainOptions&)>;

/// Trains with `train_run` (or reuses finished runs in the checkpoint directory: a rerun resumes
/// rather than restarts; an interrupted run continues from its checkpoint) and measures.
StabilityResult run_stability(const StabilityOptions& options, const TrainFunction& train_run);

/// δ for two parameter lists of the same structure.
double normalized_distance(const ParamList& a, const ParamList& b, double* distance = nullptr);

}  // namespace sharpscope
