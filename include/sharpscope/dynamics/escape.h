#pragma once
/// Escape time (docs/math.md §7; Park 002 §5.2, Table 5.1): from a trained minimum w*, run an
/// optimizer at a constant learning rate and count the steps until the training accuracy on a fixed
/// evaluation subset falls below a threshold. Each step is one complete update of the trainer's
/// rule and base optimizer (take_step): ascent and descent, nothing re-implemented.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sharpscope/core/dataset.h"
#include "sharpscope/optim/gradient_rule.h"

namespace sharpscope {

class Model;
class Objective;

/// One optimizer of a sweep: SGD is ρ = 0 and appears once; every other variant once per ρ.
struct EscapeConfig {
  std::string optimizer;  ///< as given to --optimizer (sgd, sam, sam-2, stablesam, ...)
  double rho = 0.0;
  RuleOptions rule;
  std::string label() const;  ///< "SGD" / "SAM (rho=0.1)"
};

/// Builds the sweep's configurations: each rule of `optimizers` at each ρ in `rhos`; SGD once at
/// ρ = 0. Throws UsageError naming --optimizer/--rho.
std::vector<EscapeConfig> escape_configs(const std::vector<NamedRule>& optimizers,
                                         const std::vector<double>& rhos);

struct EscapeOptions {
  double lr = 0.03;
  int64_t batch_size = 256;
  double momentum = 0.0;  ///< the paper's test: plain SGD steps
  std::optional<double>
      threshold;               ///< absolute accuracy threshold (default 0.9 when neither is set)
  std::optional<double> drop;  ///< or: start accuracy − drop
  int64_t max_steps = 1000;
  uint64_t seed = 0;
  void validate()
      const;  ///< UsageError naming --lr / --batch-size / --threshold / --drop / --max-steps
  /// The threshold for a start accuracy: `threshold`, or start − `drop`, or 0.9.
  double threshold_for(double start_accuracy) const;
};

struct EscapeTrial {
  int64_t steps = 0;      ///< first t with accuracy(w_t) < threshold; max_steps when censored
  bool censored = false;  ///< never fell below within max_steps
  std::vector<double> accuracy;  ///< accuracy(w_t), t = 0..steps
};

/// Seed of trial `trial`: every configuration's trial k draws the same batch order (paired design).
uint64_t trial_seed(uint64_t seed, int64_t trial);

/// Runs one trial from the model's current weights w* with a fresh base optimizer (SGD, constant
/// lr, the given momentum, no weight decay), batches of `train` in the order drawn from `seed`, and
/// the accuracy measured by `evaluation` (bound to the same model) after every step. Start accuracy
/// below the threshold → 0 steps. Parameters and BatchNorm buffers are put back to w* on return.
EscapeTrial run_escape_trial(Model& model, const Dataset& train, const Objective& evaluation,
                             const GradientRule& rule, const EscapeOptions& options, uint64_t seed);

/// Mean, standard deviation (n − 1), median of the step counts, censored trials included at
/// max_steps (a lower bound: the summary says how many), and the censored count.
struct EscapeSummary {
  double mean = 0.0, std = 0.0, median = 0.0;
  int64_t censored = 0, trials = 0;
};
EscapeSummary summarize(const std::vector<EscapeTrial>& trials);

/// A whole sweep: trials[c][k] is trial k of configuration c.
struct EscapeResult {
  std::vector<EscapeConfig> configs;
  std::vector<std::vector<EscapeTrial>> trials;
  int64_t max_steps = 0;
  std::string summary() const;  ///< one line per configuration: mean ± std, median, censored
};

}  // namespace sharpscope
