#include "sharpscope/landscape/loss_decrease.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "sharpscope/ascent/ascent.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/params.h"
#include "sharpscope/core/saved_weights.h"
#include "sharpscope/landscape/perturbation.h"

namespace sharpscope {

void LossDecreaseOptions::validate() const {
  validate_step_list(rho, steps, ratio);
  if (!(lr > 0.0) || !std::isfinite(lr)) {
    std::ostringstream text;
    text << "--lr = " << lr << ": must be a finite number > 0";
    throw UsageError(text.str());
  }
  if (segment && (segment->first < 0 || segment->second < 0 || segment->first == segment->second)) {
    throw UsageError("--segment: expected two different N >= 0, e.g. 1,2");
  }
  if (segment && points < 2) {
    throw UsageError("--points = " + std::to_string(points) + ": must be >= 2");
  }
}

std::string LossDecrease::summary() const {
  std::ostringstream out;
  out << "dL(w^pN) with its own gradient:";
  const size_t n = steps.size();
  for (size_t i = 0; i < n; ++i) out << "  N=" << steps[i] << " " << delta[i * n + i];
  return out.str();
}

LossDecrease loss_decrease(const Objective& objective, const LossDecreaseOptions& options) {
  options.validate();
  // One ascent per distinct N: the segment's ends are usually among --steps already.
  std::vector<int> needed = options.steps;
  if (options.segment) {
    for (int end : {options.segment->first, options.segment->second}) {
      if (std::find(needed.begin(), needed.end(), end) == needed.end()) needed.push_back(end);
    }
  }
  const std::vector<AscentTrace> traces =
      ascent_directions(objective, needed, AscentOptions{options.rho, 1, options.ratio});
  const auto trace_of = [&](int n) -> const AscentTrace& {
    return traces[static_cast<size_t>(std::find(needed.begin(), needed.end(), n) - needed.begin())];
  };
  LossDecrease out;
  out.steps = options.steps;
  out.lr = options.lr;
  const size_t n = options.steps.size();
  PerturbedGradients at = gradients_at(
      objective, std::vector<AscentTrace>(traces.begin(), traces.begin() + static_cast<long>(n)),
      options.rho);
  out.loss = std::move(at.loss);
  out.gradient_norm = std::move(at.norm);
  const std::vector<ParamList>& gradients = at.gradient;
  SavedWeights saved(objective.model().parameters());
  // u − η g = w + ρ v_M − η g: always from the saved w, whatever u is.
  const auto decrease = [&](std::vector<std::pair<double, const ParamList*>> u, double loss_u,
                            const ParamList& g) {
    u.emplace_back(-options.lr, &g);
    saved.move_to(u);
    return loss_u - objective.evaluate().loss;
  };
  out.delta.assign(n * n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      out.delta[i * n + j] =
          decrease({{options.rho, &traces[j].direction}}, out.loss[j], gradients[i]);
    }
  }

  if (options.segment) {
    out.segment = *options.segment;
    const size_t np = static_cast<size_t>(options.points);
    out.segment_delta.assign(n * np, 0.0);
    for (size_t k = 0; k < np; ++k) {
      const double t = static_cast<double>(k) / static_cast<double>(np - 1);
      out.t.push_back(t);
      // (1−t) w^{pA} + t w^{pB} = w + ρ(1−t) v_A + ρ t v_B.
      const std::vector<std::pair<double, const ParamList*>> u{
          {options.rho * (1.0 - t), &trace_of(out.segment.first).direction},
          {options.rho * t, &trace_of(out.segment.second).direction}};
      saved.move_to(u);
      const double loss_u = objective.evaluate().loss;
      out.segment_loss.push_back(loss_u);
      for (size_t i = 0; i < n; ++i)
        out.segment_delta[i * np + k] = decrease(u, loss_u, gradients[i]);
    }
  }
  return out;
}

}  // namespace sharpscope
