#pragma once
/// Perturbed weights w^{pN} = w + ρ v_N for a list of N (Kim et al. §2.1, science.md §1), in the
/// two scopes every analysis offers. The ascent itself is ascent/ascent.h; this only organizes
/// calls to it.
#include <functional>
#include <string>
#include <vector>

#include "sharpscope/ascent/ascent.h"
#include "sharpscope/core/types.h"

namespace sharpscope {

class Objective;

/// `full`: one direction from ∇L_S over the whole subset. `batch`: a direction per mini-batch of
/// the objective, each batch's loss measured at its own perturbed point, averaged by batch size.
enum class Scope { kFull, kBatch };
Scope parse_scope(const std::string& text);  ///< "full" | "batch"; UsageError naming --scope
std::string to_string(Scope scope);

/// v_N for each N in `steps` from the model's current weights (restored on return), with radius
/// and ratio from `ascent` (its `steps` field is ignored). N = 0 gives the zero direction, so that
/// w^{p0} = w. Cost: Σ N gradient passes over the objective.
std::vector<AscentTrace> ascent_directions(const Objective& objective, const std::vector<int>& steps,
                                           const AscentOptions& ascent, bool keep_gradients = false);

/// Calls `body(batch_objective, weight)` for every mini-batch of `objective` (its batch size),
/// weight = |B|/|S|, so Σ weight·L_B = L_S.
void for_each_batch(const Objective& objective,
                    const std::function<void(const Objective& batch, double weight)>& body);

}  // namespace sharpscope
