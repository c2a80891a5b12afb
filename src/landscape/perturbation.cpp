#include "sharpscope/landscape/perturbation.h"

#include "sharpscope/core/error.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/params.h"

namespace sharpscope {

Scope parse_scope(const std::string& text) {
  if (text == "full") return Scope::kFull;
  if (text == "batch") return Scope::kBatch;
  throw UsageError("--scope = '" + text + "': expected full or batch");
}

std::string to_string(Scope scope) { return scope == Scope::kFull ? "full" : "batch"; }

std::vector<AscentTrace> ascent_directions(const Objective& objective, const std::vector<int>& steps,
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

void for_each_batch(const Objective& objective,
                    const std::function<void(const Objective& batch, double weight)>& body) {
  const double total = static_cast<double>(objective.data().size());
  for (int64_t b = 0; b < objective.num_batches(); ++b) {
    const Objective batch = objective.batch(b);
    body(batch, static_cast<double>(batch.data().size()) / total);
  }
}

}  // namespace sharpscope
