#pragma once
/// Multi-step gradient ascent and the ascent directions v_N (Kim et al. §2.1, docs/math.md §1).
/// This is the one implementation: the trainer's SAM, SAM-N and MSAM-N steps and every analysis
/// (landscapes, cosine matrices, sharpness) call it.
///
///   w⁰ = w,   wⁿ = wⁿ⁻¹ + ρₙ ∇L(wⁿ⁻¹)/‖∇L(wⁿ⁻¹)‖  (n = 1..N),
///   v_N = (wᴺ − w)/‖wᴺ − w‖,   w^{pN} = w + ρ v_N.
#include <functional>
#include <string>
#include <vector>

#include "sharpscope/core/objective.h"
#include "sharpscope/core/types.h"

namespace sharpscope {

/// Radius and step sizes of an N-step ascent.
struct AscentOptions {
  double rho = 0.05;
  int steps = 1;
  /// Relative step sizes ρ₁:ρ₂:…; empty means equal steps ρ/N. Rescaled to sum to ρ.
  std::vector<double> ratio;
  /// UsageError naming --rho / --steps / --ratio.
  void validate() const;
  /// The step sizes ρ₁..ρ_N (sum ρ).
  std::vector<double> step_sizes() const;
};

/// A loss and gradient at the model's current weights (e.g. Objective::gradient on the subset, or
/// a training batch's gradient).
using GradientOracle = std::function<LossGradient()>;

struct AscentTrace {
  ParamList direction;         ///< v_N, unit norm (zero if every gradient was zero)
  double displacement = 0.0;   ///< ‖wᴺ − w‖ (≤ ρ; equal to ρ when the steps align)
  std::vector<double> losses;  ///< L(wⁿ), n = 0..N−1: the losses at the gradient points
  std::vector<double> gradient_norms;  ///< ‖∇L(wⁿ)‖, n = 0..N−1
  std::vector<ParamList> gradients;    ///< ∇L(wⁿ), n = 0..N−1 (kept only when asked)
  int gradient_evaluations = 0;        ///< N
};

/// Runs the N-step ascent from the model's current weights `w` (the tensors in `weights`, pointed
/// at each iterate wⁿ = w + δⁿ in turn: ShiftedWeights) and returns v_N = δᴺ/‖δᴺ‖, with the
/// displacement δ summed in its own buffer rather than read back from the rounded weights. w itself
/// is never written, so on return `weights` hold it bit-exactly. Cost: N gradient evaluations. A
/// zero gradient stops the ascent early (the direction is then built from the steps taken; all zero
/// → zero direction).
AscentTrace ascend(ParamList& weights, const GradientOracle& gradient, const AscentOptions& options,
                   bool keep_gradients = false);

/// Oracle for the full-subset scope: ∇L_S over the whole objective.
GradientOracle full_gradient(const Objective& objective);

}  // namespace sharpscope
