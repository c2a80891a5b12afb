#pragma once
/// One step of training, shared by the trainer and the dynamics experiments (escape-test,
/// stability): the step's mini-batch from a seeded order, the gradient rule at that batch, the base
/// optimizer's update. Same seed → same batches, same rule randomness, same weights.
#include <cstdint>
#include <utility>

#include "sharpscope/data/loader.h"
#include "sharpscope/optim/gradient_rule.h"

namespace sharpscope {

class Model;
class BaseOptimizer;

/// The mini-batches of a run: epoch e visits the training set in the permutation drawn from
/// (seed, kShuffle, e), in batches of `batch_size` (the last one shorter when it does not divide
/// N); with `augment`, step t's batch gets crop (pad 4) + flip from (seed, kAugment, t).
class BatchOrder {
 public:
  BatchOrder(const Dataset& data, int64_t batch_size, uint64_t seed, bool augment);
  int64_t steps_per_epoch() const { return steps_per_epoch_; }
  /// Images (float32, CPU) and labels (int64) of step `step`.
  std::pair<at::Tensor, at::Tensor> batch(int64_t step);

 private:
  const Dataset& data_;
  int64_t batch_size_;
  uint64_t seed_;
  bool augment_;
  int64_t steps_per_epoch_;
  int64_t permutation_epoch_ = -1;
  at::Tensor permutation_;
};

/// --sam-sync: what a data-parallel SAM-family step's ascent sees (docs/distributed.md).
enum class SamSync {
  /// The ascent gradient is all-reduced too: the step equals one rank's SAM on the whole global
  /// batch (up to float rounding), whatever the world size. The default.
  kGlobal,
  /// Each rank ascends on its own share of the batch and only the final gradients are averaged:
  /// m-sharpness with m = the per-rank batch (Foret et al. 2021 §4; the davda54/sam DDP setting).
  kLocal,
};
std::string to_string(SamSync sync);  ///< "global" | "local"

struct StepSettings {
  double lr = 0.1;
  double label_smoothing = 0.0;
  uint64_t seed = 0;        ///< seeds the rule's randomness: (seed, kRule, step)
  int64_t total_steps = 1;  ///< for the rule's schedule (PSAM, switching)
  SamSync sam_sync = SamSync::kGlobal;
};

/// Takes step `step` on the model's parameters: the rule's gradient at the step's batch, then the
/// base optimizer's update at `settings.lr`. Returns what the step saw.
///
/// Data-parallel (core/distributed.h data_communicator() with more than one rank: DDP semantics,
/// docs/math.md §16): every rank draws the same global batch, keeps its contiguous share of it,
/// takes BatchNorm buffers from rank 0 (DDP's broadcast_buffers), and computes the rule on a
/// TrainingBatch that all-reduces every gradient (kGlobal) or on its share alone, averaging only
/// the final gradient and the diagnostics over ranks weighted by their example counts (kLocal). The
/// base optimizer then takes the same step on every rank.
StepDiagnostics take_step(Model& model, const GradientRule& rule, BaseOptimizer& optimizer,
                          BatchOrder& order, int64_t step, const StepSettings& settings);

}  // namespace sharpscope
