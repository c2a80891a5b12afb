#include "sharpscope/ascent/ascent.h"

#include <torch/torch.h>

#include <cmath>
#include <numeric>
#include <optional>
#include <sstream>

#include "sharpscope/core/error.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/params.h"
#include "sharpscope/core/shifted_weights.h"

namespace sharpscope {

void AscentOptions::validate() const {
  if (!(rho >= 0.0) || !std::isfinite(rho)) {
    std::ostringstream text;
    text << "--rho = " << rho << ": must be a finite number >= 0";
    throw UsageError(text.str());
  }
  if (steps < 1) throw UsageError("--steps = " + std::to_string(steps) + ": must be >= 1");
  if (!ratio.empty() && static_cast<int>(ratio.size()) != steps) {
    throw UsageError("--ratio has " + std::to_string(ratio.size()) + " parts but --steps = " +
                     std::to_string(steps) + ": give one part per ascent step");
  }
}

std::vector<double> AscentOptions::step_sizes() const {
  std::vector<double> parts = ratio.empty() ? std::vector<double>(steps, 1.0) : ratio;
  const double total = std::accumulate(parts.begin(), parts.end(), 0.0);
  for (double& p : parts) p *= rho / total;
  return parts;
}

AscentTrace ascend(ParamList& weights, const GradientOracle& gradient, const AscentOptions& options,
                   bool keep_gradients) {
  options.validate();
  const std::vector<double> steps = options.step_sizes();
  AscentTrace trace;
  // The displacement δⁿ = wⁿ − w = Σₖ ρₖ gₖ/‖gₖ‖ is accumulated apart from w. Reading it back as
  // wᴺ − w from float32 weights would round every coordinate to the weight's ulp (≈1e-3 relative
  // error at ρ = 0.05 on O(1) weights); δ itself carries float32's 1e-7. It is held as δ = c·u: the
  // first u is ∇L(w) itself, uncopied, so a one-step ascent's v₁ = g/‖g‖ costs a single pass; the
  // iterates are w + c·u (ShiftedWeights), and wᴺ is never formed (no gradient is taken there).
  ParamList u;
  double c = 0.0;
  std::optional<double> u_norm;  // known while u is still the first gradient
  for (int n = 0; n < options.steps; ++n) {
    LossGradient lg;
    if (n == 0) {
      lg = gradient();
    } else {
      const ShiftedWeights at_iterate(weights, c, u);
      lg = gradient();
    }
    const double g_norm = norm(lg.gradient);
    trace.losses.push_back(lg.loss);
    trace.gradient_norms.push_back(g_norm);
    ++trace.gradient_evaluations;
    if (g_norm > 0.0 && std::isfinite(g_norm)) {
      const double step = steps[n] / g_norm;
      if (u.empty()) {
        u = lg.gradient;  // shares the tensors; never changed in place while shared
        c = step;
        u_norm = g_norm;
      } else if (u_norm) {
        u = combination(u, step / c, lg.gradient);
        u_norm.reset();
      } else {
        axpy(step / c, lg.gradient, u);
      }
    }
    if (keep_gradients) trace.gradients.push_back(std::move(lg.gradient));
    if (!(g_norm > 0.0)) break;
  }
  const double length = u.empty() ? 0.0 : u_norm ? *u_norm : norm(u);
  trace.displacement = c * length;
  trace.direction = length > 0.0 ? scaled(u, 1.0 / length) : zeros_like(weights);
  return trace;
}

GradientOracle full_gradient(const Objective& objective) {
  return [&objective] { return objective.gradient(); };
}

}  // namespace sharpscope
