#include "sharpscope/landscape/loss_decrease.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "sharpscope/ascent/ascent.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/params.h"
#include "sharpscope/core/point_loop.h"
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
  // The n × n matrix and the segment are independent evaluations, each set from the saved w: two
  // point loops, dealt to ranks under --parallel points (core/point_loop.h).
  MemoryPoints matrix(static_cast<int64_t>(n * n), 1);
  run_pending_points(matrix, "loss decrease", [&](int64_t p) {
    const size_t i = static_cast<size_t>(p) / n, j = static_cast<size_t>(p) % n;
    return std::vector<double>{
        decrease({{options.rho, &traces[j].direction}}, out.loss[j], gradients[i])};
  });
  for (size_t p = 0; p < n * n; ++p) out.delta.push_back(matrix.value(static_cast<int64_t>(p), 0));

  if (options.segment) {
    out.segment = *options.segment;
    const size_t np = static_cast<size_t>(options.points);
    const auto position = [np](size_t k) {
      return static_cast<double>(k) / static_cast<double>(np - 1);
    };
    MemoryPoints segment(static_cast<int64_t>(np), static_cast<int64_t>(1 + n));
    run_pending_points(segment, "segment", [&](int64_t k) {
      const double t = position(static_cast<size_t>(k));
      // (1−t) w^{pA} + t w^{pB} = w + ρ(1−t) v_A + ρ t v_B.
      const std::vector<std::pair<double, const ParamList*>> u{
          {options.rho * (1.0 - t), &trace_of(out.segment.first).direction},
          {options.rho * t, &trace_of(out.segment.second).direction}};
      saved.move_to(u);
      const double loss_u = objective.evaluate().loss;
      std::vector<double> row{loss_u};
      for (size_t i = 0; i < n; ++i) row.push_back(decrease(u, loss_u, gradients[i]));
      return row;
    });
    out.segment_delta.assign(n * np, 0.0);
    for (size_t k = 0; k < np; ++k) {
      out.t.push_back(position(k));
      out.segment_loss.push_back(segment.value(static_cast<int64_t>(k), 0));
      for (size_t i = 0; i < n; ++i)
        out.segment_delta[i * np + k] = segment.value(static_cast<int64_t>(k), 1 + i);
    }
  }
  return out;
}

}  // namespace sharpscope
