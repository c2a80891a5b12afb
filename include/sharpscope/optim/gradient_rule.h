#pragma once
/// Gradient rules: the gradient each training variant hands to the base optimizer (docs/math.md
/// §3), with the per-step diagnostics of 003 Fig. 1 and Fig. 3. Variants are composed, not copied:
///
///   plain SGD ─┐
///              ├─ scheduled (PSAM, SGD→SAM, SAM→SGD) ─ chunked (m-sharpness)
///   sharpness ─┘
///   sharpness = ascent rule (SAM-N | Rand-SAM | ASAM, optionally ESAM-masked)
///             + descent (last gradient | MSAM mean) + GSAM correction + StableSAM renormalization
#include <ATen/core/Generator.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "sharpscope/ascent/ascent.h"
#include "sharpscope/core/types.h"
#include "sharpscope/optim/training_batch.h"

namespace sharpscope {

/// What one step saw. For a plain SGD step w^p = w and g_asc = ∇L_B(w).
struct StepDiagnostics {
  double loss = 0.0;                  ///< L_B(w)
  double perturbed_loss = 0.0;        ///< L_B(w^p)
  double gradient_norm = 0.0;         ///< ‖∇L_B(w)‖
  double ascent_gradient_norm = 0.0;  ///< ‖g_asc‖, the surrogate gradient before GSAM/StableSAM
  double norm_ratio = 0.0;  ///< ‖g_asc‖/‖∇L_B(w)‖ (the inverse of 003 Fig. 1's ratio)
  double alignment = 0.0;   ///< ⟨g_asc, ∇L_B(w)⟩/‖∇L_B(w)‖²
  /// ‖∇L_B(w)‖/‖g_asc‖: 003 Fig. 1's ratio as the paper writes it (exact over surrogate), which is
  /// StableSAM's factor γ before any clamp when no GSAM term is added (docs/math.md §3). 1 on
  /// plain steps.
  double exact_surrogate_norm_ratio = 0.0;
  /// ⟨g_asc, ∇L_B(w)⟩ − ‖∇L_B(w)‖²: 003 Fig. 3's y-axis (positive when the surrogate gradient's
  /// inner product with the exact one exceeds ‖∇L_B(w)‖²). 0 on plain steps.
  double ascent_inner_excess = 0.0;
  double passes = 0.0;     ///< forward-backward passes of this step (whole-batch units)
  bool sharpness = false;  ///< whether this step took an ascent
};

struct StepGradient {
  ParamList gradient;  ///< handed to the base optimizer
  StepDiagnostics diagnostics;
};

/// Where in training a step is (schedules) and its randomness (Rand-SAM noise, ESAM masks).
struct StepContext {
  int64_t step = 0;
  int64_t total_steps = 1;
  at::Generator* generator = nullptr;  ///< CPU generator, seeded per step by the trainer
};

class GradientRule {
 public:
  virtual ~GradientRule() = default;
  /// The step's gradient at weights `w` (the model's parameters: moved during the call, restored
  /// bit-exactly on return) on the examples of `view`.
  virtual StepGradient compute(ParamList& w, const BatchView& view,
                               const StepContext& context) const = 0;
};

/// The gradient a step descends along before modifiers (docs/math.md §3).
enum class Variant {
  kSgd,      ///< ∇L_B(w)
  kSam,      ///< SAM-N: ∇L_B(w^{pN}) (N = 1: SAM, Foret et al. 2021)
  kMsam,     ///< MSAM-N (Kim et al. Eq. 9): mean of the ascent's gradients and the final one
  kRandSam,  ///< Rand-SAM (001): ∇L_B(w + ρ u/‖u‖), u ~ N(0, I)
  kAsam,     ///< ASAM (Kwon et al. 2021)
};
std::string to_string(Variant variant);  ///< "sgd" | "sam" | "msam" | "rand-sam" | "asam"

/// When a sharpness-aware variant takes its ascent.
enum class Schedule {
  kAlways,
  kPsam,    ///< PSAM (002 Alg. 1): every n-th step before the threshold E, every step after
  kSgdSam,  ///< SGD, then the variant from switch_at of training on (002 §5.3)
  kSamSgd,  ///< the variant, then SGD from switch_at on
};
std::string to_string(Schedule schedule);  ///< "always" | "psam" | "sgd-sam" | "sam-sgd"

/// The variant and its modifiers.
struct RuleOptions {
  Variant variant = Variant::kSgd;
  /// ρ, N steps and the step-size ratio (SAM-N, MSAM-N; Rand-SAM and ASAM use ρ only).
  AscentOptions ascent;
  double asam_eta = 0.01;
  /// StableSAM renormalization (003 Alg. 1 line 6), combinable with every ascent variant.
  bool stable = false;
  /// γ₀ of Remark 19: γ ← min(max(γ, γ₀), √γ₀); unset = no clamp.
  std::optional<double> stable_clamp;
  /// GSAM (Zhuang et al. 2022) α: descend g_asc − α g⊥; 0 = off.
  double gsam_alpha = 0.0;
  /// ESAM stochastic weight perturbation keep-probability β; 1 = off.
  double esam_beta = 1.0;
  /// m-sharpness: ascent per chunk of m examples; 0 = the whole batch.
  int64_t m = 0;
  Schedule schedule = Schedule::kAlways;
  int64_t psam_period = 2;                ///< n of PSAM (002 Alg. 1)
  std::optional<int64_t> psam_threshold;  ///< E of PSAM in steps; unset = the whole run
  double switch_at = 0.75;                ///< fraction of training at which sgd-sam/sam-sgd switch

  /// UsageError naming the flag (--rho, --steps, --stable-clamp, --m-sharpness, ...).
  void validate() const;
  /// One line, e.g. "sam-2 rho=0.05 ratio=1:1 +stable".
  std::string describe() const;
};

/// A rule under the name it was asked for (--optimizer sam-2, stablesam, ...): sweeps over several
/// optimizers label their results by it.
struct NamedRule {
  std::string name;
  RuleOptions rule;
};

/// Builds the composed rule for the options (validated first).
std::unique_ptr<GradientRule> make_rule(const RuleOptions& options);

/// Whether step `step` of `total` takes an ascent under the options' schedule (PSAM: 002 Alg. 1;
/// switching: 002 §5.3).
bool sharpness_step(const RuleOptions& options, int64_t step, int64_t total);

/// g⊥ = g − (⟨g, p⟩/‖p‖²) p: the part of g orthogonal to p (GSAM, Zhuang et al. 2022 Alg. 1 with
/// g = ∇L(w), p = ∇L(w^p)). p = 0 gives g.
ParamList orthogonal_part(const ParamList& g, const ParamList& p);

/// StableSAM's factor γ = ‖∇L_B(w)‖/‖g_asc‖ (003 Alg. 1 line 6), clamped to [γ₀, √γ₀] when
/// `clamp` = γ₀ is set (Remark 19). 1 when ‖g_asc‖ = 0.
double renormalization_factor(double gradient_norm, double ascent_gradient_norm,
                              std::optional<double> clamp);

}  // namespace sharpscope
