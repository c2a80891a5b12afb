#include "sharpscope/ascent/ascent.h"

#include <torch/torch.h>

#include <cmath>
#include <numeric>
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

std::vector<double> parse_ratio(const std::string& text, const std::string& flag) {
  std::vector<double> parts;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ':')) {
    char* end = nullptr;
    const double value = std::strtod(item.c_str(), &end);
    if (item.empty() || *end != '\0' || !(value > 0.0) || !std::isfinite(value)) {
      throw UsageError(flag + " = '" + text + "': expected positive numbers separated by ':', e.g. 1:2");
    }
    parts.push_back(value);
  }
  if (parts.empty()) throw UsageError(flag + " = '" + text + "': expected e.g. 1:2");
  return parts;
}

AscentTrace ascend(ParamList& weights, const GradientOracle& gradient, const AscentOptions& options,
                   bool keep_gradients) {
  options.validate();
  const std::vector<double> steps = options.step_sizes();
  AscentTrace trace;
  // The displacement δⁿ = wⁿ − w = Σₖ ρₖ gₖ/‖gₖ‖ is accumulated apart from w. Reading it back as
  // wᴺ − w from float32 weights would round every coordinate to the weight's ulp (≈1e-3 relative
  // error at ρ = 0.05 on O(1) weights); δ itself carries float32's 1e-7. wᴺ is never formed: no
  // gradient is taken there.
  ParamList delta;
  for (int n = 0; n < options.steps; ++n) {
    LossGradient lg;
    if (n == 0) {
      lg = gradient();
    } else {
      const ShiftedWeights at_iterate(weights, 1.0, delta);
      lg = gradient();
    }
    const double g_norm = norm(lg.gradient);
    trace.losses.push_back(lg.loss);
    trace.gradient_norms.push_back(g_norm);
    ++trace.gradient_evaluations;
    if (g_norm > 0.0 && std::isfinite(g_norm)) {
      if (delta.empty()) {
        delta = scaled(lg.gradient, steps[n] / g_norm);
      } else {
        axpy(steps[n] / g_norm, lg.gradient, delta);
      }
    }
    if (keep_gradients) trace.gradients.push_back(std::move(lg.gradient));
    if (!(g_norm > 0.0)) break;
  }
  if (delta.empty()) delta = zeros_like(weights);
  trace.displacement = norm(delta);
  if (trace.displacement > 0.0) scale(delta, 1.0 / trace.displacement);
  trace.direction = std::move(delta);
  return trace;
}

GradientOracle full_gradient(const Objective& objective) {
  return [&objective] {
    LossAndGradient lg = objective.gradient();
    return LossGradient{lg.loss, std::move(lg.gradient)};
  };
}

}  // namespace sharpscope
