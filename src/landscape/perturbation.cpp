#include "sharpscope/landscape/perturbation.h"

#include "sharpscope/core/error.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/params.h"
#include "sharpscope/core/saved_weights.h"

namespace sharpscope {

std::string to_string(Scope scope) { return scope == Scope::kFull ? "full" : "batch"; }

std::vector<AscentTrace> ascent_directions(const Objective& objective,
                                           const std::vector<int>& steps,
                                           const AscentOptions& ascent, bool keep_gradients) {
  std::vector<AscentTrace> traces;
  ParamList& weights = objective.model().parameters();
  for (int n : steps) {
    if (n == 0) {
      AscentTrace none;
      none.direction = zeros_like(weights);
      traces.push_back(std::move(none));
      continue;
    }
    AscentOptions options = ascent;
    options.steps = n;
    traces.push_back(ascend(weights, full_gradient(objective), options, keep_gradients));
  }
  return traces;
}

void validate_step_list(double rho, const std::vector<int>& steps,
                        const std::vector<double>& ratio) {
  AscentOptions{rho, 1, {}}.validate();
  if (steps.empty()) throw UsageError("--steps: give at least one N");
  for (int n : steps) {
    if (n < 0) throw UsageError("--steps: N = " + std::to_string(n) + " must be >= 0");
    if (n > 0 && !ratio.empty()) AscentOptions{rho, n, ratio}.validate();
  }
}

PerturbedGradients gradients_at(const Objective& objective, const std::vector<AscentTrace>& traces,
                                double rho) {
  PerturbedGradients out;
  SavedWeights saved(objective.model().parameters());
  for (const AscentTrace& t : traces) {
    saved.move_to({{rho, &t.direction}});
    LossGradient lg = objective.gradient();
    out.loss.push_back(lg.loss);
    out.norm.push_back(norm(lg.gradient));
    out.gradient.push_back(std::move(lg.gradient));
  }
  return out;
}

void for_each_batch(const Objective& objective,
                    const std::function<void(const Objective& batch, double weight)>& body) {
  const double total = static_cast<double>(objective.data().size());
  for (int64_t b = 0; b < objective.num_batches(); ++b) {
    const Objective batch = objective.batch(b);
    body(batch, static_cast<double>(batch.data().size()) / total);
  }
}

}  // namespace sharpscope
