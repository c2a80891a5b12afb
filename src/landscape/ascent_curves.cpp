#include "sharpscope/landscape/ascent_curves.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "sharpscope/core/error.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/saved_weights.h"

namespace sharpscope {

void AscentCurveOptions::validate() const {
  AscentOptions{rho, 1, {}}.validate();
  if (steps.empty()) throw UsageError("--steps: give at least one N");
  for (int n : steps) {
    if (n < 1)
      throw UsageError("--steps: N = " + std::to_string(n) + " has no ascent direction (N >= 1)");
    if (!ratio.empty()) AscentOptions{rho, n, ratio}.validate();
  }
  if (k.empty()) throw UsageError("--k: give at least one distance");
}

std::string AscentCurves::summary() const {
  std::ostringstream out;
  out << "L(w^pN):";
  for (size_t i = 0; i < steps.size(); ++i) out << "  N=" << steps[i] << " " << perturbed_loss[i];
  if (non_finite > 0) out << "  (" << non_finite << " non-finite)";
  return out.str();
}

namespace {

// Adds one objective's contribution (weight·value) to every curve: the full subset (weight 1) or
// one mini-batch (weight |B|/|S|), each with its own ascent directions.
void accumulate_curves(const Objective& objective, double weight, const AscentCurveOptions& o,
                       AscentCurves& out, int width) {
  const std::vector<AscentTrace> traces =
      ascent_directions(objective, o.steps, AscentOptions{o.rho, 1, o.ratio});
  SavedWeights saved(objective.model().parameters());
  const size_t nk = o.k.size();
  for (size_t i = 0; i < o.steps.size(); ++i) {
    const AscentTrace& t = traces[i];
    const ParamList& v = t.direction;
    for (size_t j = 0; j < nk; ++j) {
      saved.move_to({{o.k[j], &v}});
      const Evaluation e = objective.evaluate();
      out.loss[i * nk + j] += weight * e.loss;
      out.accuracy[i * nk + j] += weight * e.accuracy;
    }
    saved.move_to({{o.rho, &v}});
    out.perturbed_loss[i] += weight * objective.evaluate().loss;
    out.displacement[i] += weight * t.displacement;
    // Iterates n < N come with the trace; the last one, wᴺ = w + ‖wᴺ−w‖ v_N, is evaluated here.
    for (size_t n = 0; n < t.losses.size(); ++n)
      out.iterate_loss[i * width + n] += weight * t.losses[n];
    saved.move_to({{t.displacement, &v}});
    out.iterate_loss[i * width + t.losses.size()] += weight * objective.evaluate().loss;
  }
}

}  // namespace

AscentCurves ascent_curves(const Objective& objective, const AscentCurveOptions& options) {
  options.validate();
  AscentCurves out;
  out.steps = options.steps;
  out.k = options.k;
  const size_t ns = options.steps.size(), nk = options.k.size();
  const int width = *std::max_element(options.steps.begin(), options.steps.end()) + 1;
  out.loss.assign(ns * nk, 0.0);
  out.accuracy.assign(ns * nk, 0.0);
  out.perturbed_loss.assign(ns, 0.0);
  out.displacement.assign(ns, 0.0);
  out.iterate_loss.assign(ns * width, 0.0);
  if (options.scope == Scope::kFull) {
    accumulate_curves(objective, 1.0, options, out, width);
  } else {
    for_each_batch(objective, [&](const Objective& batch, double weight) {
      accumulate_curves(batch, weight, options, out, width);
    });
  }
  // Iterates past a curve's own N do not exist.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (size_t i = 0; i < ns; ++i) {
    for (int n = options.steps[i] + 1; n < width; ++n) out.iterate_loss[i * width + n] = nan;
  }
  out.non_finite =
      std::count_if(out.loss.begin(), out.loss.end(), [](double x) { return !std::isfinite(x); });
  return out;
}

}  // namespace sharpscope
