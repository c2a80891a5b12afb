#pragma once
/// Perturbed weights w^{pN} = w + ρ v_N for a list of N (Kim et al. §2.1, docs/math.md §1), in the
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
std::string to_string(Scope scope);  ///< "full" | "batch"

/// v_N for each N in `steps` from the model's current weights (restored on return), with radius
/// and ratio from `ascent` (its `steps` field is ignored). N = 0 gives the zero direction, so that
/// w^{p0} = w. Cost: Σ N gradient passes over the objective.
std::vector<AscentTrace> ascent_directions(const Objective& objective,
                                           const std::vector<int>& steps,
                                           const AscentOptions& ascent,
                                           bool keep_gradients = false);

/// Validates a --steps list of N >= 0 with its radius and ratio; UsageError naming --steps,
/// --rho or --ratio.
void validate_step_list(double rho, const std::vector<int>& steps,
                        const std::vector<double>& ratio);

/// L, ‖∇L‖ and ∇L at each perturbed point w + ρ v_N of `traces`, in order (weights restored on
/// return). Cost: one gradient pass over the objective per trace.
struct PerturbedGradients {
  std::vector<double> loss, norm;
  std::vector<ParamList> gradient;
};
PerturbedGradients gradients_at(const Objective& objective, const std::vector<AscentTrace>& traces,
                                double rho);

/// Calls `body(batch_objective, weight)` for every mini-batch of `objective` (its batch size),
/// weight = |B|/|S|, so Σ weight·L_B = L_S.
void for_each_batch(const Objective& objective,
                    const std::function<void(const Objective& batch, double weight)>& body);

}  // namespace sharpscope
