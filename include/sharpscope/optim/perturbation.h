#pragma once
/// Ascent rules: how a sharpness-aware step moves from w to the perturbed point w^p = w + ε
/// (docs/math.md §3). Each rule evaluates ∇L_B(w) on the way (every variant's first pass) and hands
/// it back, with any intermediate gradients, so that descent rules and diagnostics reuse them.
#include <ATen/core/Generator.h>

#include <memory>
#include <string>
#include <vector>

#include "sharpscope/ascent/ascent.h"
#include "sharpscope/core/types.h"

namespace sharpscope {

/// ε = w^p − w = scale · direction. The factor is kept apart so that applying ε (w + scale·d) is
/// one pass over the parameters, where forming ε first would take another.
struct Perturbation {
  ParamList direction;  ///< shaped like the parameters
  double scale = 1.0;
  LossGradient at_weights;              ///< L_B(w), ∇L_B(w)
  std::vector<ParamList> intermediate;  ///< ∇L_B(wⁿ), n = 1..N−1 (multi-step ascent only)
  /// ε itself, as new tensors.
  ParamList epsilon() const;
};

class AscentRule {
 public:
  virtual ~AscentRule() = default;
  /// Computes ε at the weights `w` (which may point elsewhere during the call, and hold w
  /// bit-exactly on return) from the batch gradient `oracle`. `generator` draws any randomness
  /// (CPU generator).
  virtual Perturbation perturb(ParamList& w, const GradientOracle& oracle,
                               at::Generator& generator) const = 0;
  /// Gradient evaluations per call.
  virtual int passes() const = 0;
};

/// SAM-N: ε = ρ v_N from the library's N-step ascent (Kim et al. §2.1, docs/math.md §1); N = 1 is
/// SAM (Foret et al.). Cost: N passes.
std::unique_ptr<AscentRule> multi_step_ascent(const AscentOptions& options);

/// Rand-SAM (Tiwary & Aananth, 001 §4.2): ε = ρ u/‖u‖, fresh u ~ N(0, I) per call. Still
/// evaluates ∇L_B(w) (diagnostics, StableSAM, GSAM). Cost: 1 pass.
std::unique_ptr<AscentRule> random_ascent(double rho);

/// ASAM (Kwon et al. 2021, Eq. 7 with p = 2): ε = ρ T²g/‖Tg‖, T = diag(|w| + η). Cost: 1 pass.
std::unique_ptr<AscentRule> adaptive_ascent(double rho, double eta = 0.01);

/// ESAM's stochastic weight perturbation (Du et al. 2022, §3.1): keeps each coordinate of the
/// inner rule's ε with probability β and rescales the kept ones by 1/β, ε ← (m ⊙ ε)/β,
/// mᵢ ~ Bernoulli(β), so that E[ε] is the inner ε.
std::unique_ptr<AscentRule> stochastic_weight_perturbation(std::unique_ptr<AscentRule> inner,
                                                           double beta);

}  // namespace sharpscope
