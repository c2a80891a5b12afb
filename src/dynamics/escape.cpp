#include "sharpscope/dynamics/escape.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

#include "sharpscope/core/error.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/number_text.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/params.h"
#include "sharpscope/core/random.h"
#include "sharpscope/core/saved_weights.h"
#include "sharpscope/optim/base_optimizer.h"
#include "sharpscope/optim/training_step.h"

namespace sharpscope {

std::string EscapeConfig::label() const {
  std::string name = optimizer;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  if (rule.variant == Variant::kSgd) return name;
  return name + " (rho=" + number_text(rho) + ")";
}

std::vector<EscapeConfig> escape_configs(const std::vector<NamedRule>& optimizers,
                                         const std::vector<double>& rhos) {
  if (optimizers.empty()) throw UsageError("--optimizer: expected at least one name, e.g. sgd,sam");
  std::vector<EscapeConfig> configs;
  for (auto [name, rule] : optimizers) {
    if (rule.variant == Variant::kSgd) {
      rule.ascent.rho = 0.0;
      configs.push_back({name, 0.0, rule});
      continue;
    }
    if (rhos.empty())
      throw UsageError("--rho: expected at least one radius for --optimizer " + name);
    for (double rho : rhos) {
      if (rho == 0.0) continue;  // ρ = 0 is SGD: listed once, under its own name
      rule.ascent.rho = rho;
      rule.validate();
      configs.push_back({name, rho, rule});
    }
  }
  return configs;
}

void EscapeOptions::validate() const {
  if (!(lr > 0.0)) throw UsageError("--lr = " + number_text(lr) + ": must be > 0");
  if (batch_size <= 0)
    throw UsageError("--batch-size = " + std::to_string(batch_size) + ": must be > 0");
  if (!(momentum >= 0.0 && momentum < 1.0))
    throw UsageError("--momentum = " + number_text(momentum) + ": must be in [0, 1)");
  if (threshold && drop) throw UsageError("--threshold and --drop: give one of them");
  if (threshold && !(*threshold >= 0.0 && *threshold <= 1.0)) {
    throw UsageError("--threshold = " + number_text(*threshold) +
                     ": must be an accuracy in [0, 1]");
  }
  if (drop && !(*drop > 0.0 && *drop <= 1.0))
    throw UsageError("--drop = " + number_text(*drop) + ": must be in (0, 1]");
  if (max_steps < 1)
    throw UsageError("--max-steps = " + std::to_string(max_steps) + ": must be >= 1");
}

double EscapeOptions::threshold_for(double start_accuracy) const {
  if (threshold) return *threshold;
  if (drop) return start_accuracy - *drop;
  return 0.9;
}

uint64_t trial_seed(uint64_t seed, int64_t trial) {
  return splitmix64(splitmix64(seed) ^ static_cast<uint64_t>(trial));
}

EscapeTrial run_escape_trial(Model& model, const Dataset& train, const Objective& evaluation,
                             const GradientRule& rule, const EscapeOptions& o, uint64_t seed) {
  const SavedWeights start(model.parameters());
  ParamList buffers = model.buffers();
  const ParamList start_buffers = clone(buffers);
  struct RestoreBuffers {
    ParamList& target;
    const ParamList& saved;
    ~RestoreBuffers() { assign(target, saved); }
  } restore_buffers{buffers, start_buffers};
  EscapeTrial trial;
  const double start_accuracy = evaluation.evaluate().accuracy;
  trial.accuracy.push_back(start_accuracy);
  const double threshold = o.threshold_for(start_accuracy);
  if (start_accuracy < threshold) return trial;

  BaseOptimizerOptions base;
  base.lr = o.lr;
  base.momentum = o.momentum;
  BaseOptimizer optimizer(model.parameters(), base);
  BatchOrder order(train, o.batch_size, seed, /*augment=*/false);
  for (int64_t step = 0; step < o.max_steps; ++step) {
    take_step(model, rule, optimizer, order, step, {o.lr, 0.0, seed, o.max_steps});
    const double accuracy = evaluation.evaluate().accuracy;
    trial.accuracy.push_back(accuracy);
    // NaN accuracy cannot happen (argmax of any logits is a class), so "not ≥" is "below".
    if (accuracy < threshold) {
      trial.steps = step + 1;
      return trial;
    }
  }
  trial.steps = o.max_steps;
  trial.censored = true;
  return trial;
}

EscapeSummary summarize(const std::vector<EscapeTrial>& trials) {
  EscapeSummary s;
  s.trials = static_cast<int64_t>(trials.size());
  if (trials.empty()) return s;
  std::vector<double> steps;
  for (const EscapeTrial& t : trials) {
    steps.push_back(static_cast<double>(t.steps));
    s.censored += t.censored ? 1 : 0;
  }
  const double n = static_cast<double>(steps.size());
  s.mean = std::accumulate(steps.begin(), steps.end(), 0.0) / n;
  double squares = 0.0;
  for (double x : steps) squares += (x - s.mean) * (x - s.mean);
  s.std = steps.size() > 1 ? std::sqrt(squares / (n - 1.0)) : 0.0;
  std::sort(steps.begin(), steps.end());
  const size_t mid = steps.size() / 2;
  s.median = steps.size() % 2 ? steps[mid] : 0.5 * (steps[mid - 1] + steps[mid]);
  return s;
}

std::string EscapeResult::summary() const {
  std::string text;
  for (size_t c = 0; c < configs.size(); ++c) {
    const EscapeSummary s = summarize(trials[c]);
    char line[200];
    std::snprintf(line, sizeof line, "%-22s %9.2f +- %-8.2f median %7.1f  censored %lld/%lld\n",
                  configs[c].label().c_str(), s.mean, s.std, s.median,
                  static_cast<long long>(s.censored), static_cast<long long>(s.trials));
    text += line;
  }
  if (!text.empty()) text.pop_back();
  return text;
}

}  // namespace sharpscope
