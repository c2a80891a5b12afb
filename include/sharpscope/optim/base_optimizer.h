#pragma once
/// The base optimizer every variant shares (docs/math.md §3): SGD with momentum, Nesterov and
/// (coupled) weight decay, or AdamW (decoupled weight decay), with a constant, step or cosine
/// learning-rate schedule and optional linear warm-up. The gradient rule's output is set into each
/// parameter's .grad() and LibTorch's optimizer takes the step.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sharpscope/core/types.h"

namespace torch::optim {
class Optimizer;
}
namespace torch::serialize {
class OutputArchive;
class InputArchive;
}  // namespace torch::serialize

namespace sharpscope {

enum class BaseKind { kSgd, kAdamW };
std::string to_string(BaseKind kind);  ///< "sgd" | "adamw"

struct BaseOptimizerOptions {
  BaseKind kind = BaseKind::kSgd;
  double lr = 0.1;
  double momentum = 0.9;  ///< sgd only
  bool nesterov = false;  ///< sgd only; needs momentum > 0
  double weight_decay = 0.0;
  double beta1 = 0.9, beta2 = 0.999, eps = 1e-8;  ///< adamw only
  void validate() const;                          ///< UsageError naming --lr / --momentum / ...
  std::string describe() const;  ///< e.g. "sgd lr=0.1 momentum=0.9 nesterov wd=0.0005"
};

enum class LrScheduleKind { kConstant, kStep, kCosine };
std::string to_string(LrScheduleKind kind);  ///< "constant" | "step" | "cosine"

/// Learning rate η(t) for step t of T (docs/math.md §3).
struct LrSchedule {
  LrScheduleKind kind = LrScheduleKind::kConstant;
  int64_t warmup_steps = 0;         ///< linear warm-up η·(t+1)/W for t < W
  std::vector<int64_t> milestones;  ///< step: multiply by gamma at each milestone (in steps)
  double gamma = 0.1;
  void validate() const;  ///< UsageError naming --lr-gamma / --warmup
  /// constant: η; step: η·γ^{#milestones ≤ t}; cosine: ½η(1 + cos(π (t−W)/(T−W))) after warm-up.
  double lr_at(int64_t step, int64_t total_steps, double base_lr) const;
  std::string describe() const;
};

class BaseOptimizer {
 public:
  /// Binds the model's parameter tensors (which must not be replaced afterwards).
  BaseOptimizer(const ParamList& params, const BaseOptimizerOptions& options);
  ~BaseOptimizer();
  /// w ← step(w, gradient) at learning rate `lr`.
  void step(const ParamList& gradient, double lr);
  /// Momentum buffers / Adam moments, for bit-exact resume.
  void save(torch::serialize::OutputArchive& archive) const;
  void load(torch::serialize::InputArchive& archive);

 private:
  ParamList params_;
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
};

}  // namespace sharpscope
