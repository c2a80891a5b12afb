#include "sharpscope/landscape/sharpness.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "sharpscope/core/error.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/params.h"
#include "sharpscope/core/saved_weights.h"

namespace sharpscope {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}

void SharpnessOptions::validate() const {
  AscentOptions{rho, 1, {}}.validate();
  if (!asc && !max && !avg && perturbed_steps.empty()) {
    throw UsageError("--kinds: nothing to compute (give asc, max and/or avg)");
  }
  if (max && max_steps < 1) {
    throw UsageError("--max-steps = " + std::to_string(max_steps) + ": must be >= 1");
  }
  if (avg && avg_samples < 2) {
    throw UsageError("--avg-samples = " + std::to_string(avg_samples) +
                     ": must be >= 2 (the standard error needs two samples)");
  }
  for (int n : perturbed_steps) {
    if (n < 1) throw UsageError("--perturbed-steps: N = " + std::to_string(n) + " must be >= 1");
  }
  if (!ratio.empty()) {
    for (int n : perturbed_steps) AscentOptions{rho, n, ratio}.validate();
    if (max) AscentOptions{rho, max_steps, ratio}.validate();
  }
}

std::string Sharpness::summary() const {
  char line[512];
  std::snprintf(
      line, sizeof line,
      "L(w) %.5f  L^Asc %.5f (x1e3 %.2f)  L^Max %.5f (x1e3 %.2f)  L^Avg %.5f +- %.5f (x1e3 %.2f)"
      "  gap %.5f",
      loss, asc, 1e3 * (asc - loss), max, 1e3 * (max - loss), avg, avg_standard_error,
      1e3 * (avg - loss), gap_loss);
  return line;
}

namespace {

// L(w^{pN}) for each N in `steps` (ascending), in the requested scope.
std::vector<double> perturbed_losses(const Objective& objective, const std::vector<int>& steps,
                                     const SharpnessOptions& o) {
  std::vector<double> losses(steps.size(), 0.0);
  const auto add = [&](const Objective& part, double weight) {
    const std::vector<AscentTrace> traces =
        ascent_directions(part, steps, AscentOptions{o.rho, 1, o.ratio});
    SavedWeights saved(part.model().parameters());
    for (size_t i = 0; i < steps.size(); ++i) {
      saved.move_to({{o.rho, &traces[i].direction}});
      losses[i] += weight * part.evaluate().loss;
    }
  };
  if (o.scope == Scope::kFull) {
    add(objective, 1.0);
  } else {
    for_each_batch(objective, add);  // Kim et al. Table 1: each batch at its own perturbed point
  }
  return losses;
}

// Monte-Carlo L^Avg: u ~ N(0, I) over all parameters from a CPU float64 generator (device and
// dtype independent), scaled onto the ρ-sphere.
void average_direction_loss(const Objective& objective, const SharpnessOptions& o, Sharpness& out) {
  SavedWeights saved(objective.model().parameters());
  at::Generator generator = at::detail::createCPUGenerator(o.seed);
  for (int s = 0; s < o.avg_samples; ++s) {
    ParamList u;
    for (const at::Tensor& w : saved.base()) {
      u.push_back(at::randn(w.sizes(), generator, at::TensorOptions().dtype(at::kDouble))
                      .to(w.device(), w.scalar_type()));
    }
    saved.move_to({{o.rho / norm(u), &u}});
    out.avg_samples.push_back(objective.evaluate().loss);
  }
  const double k = static_cast<double>(out.avg_samples.size());
  double sum = 0.0;
  for (double x : out.avg_samples) sum += x;
  out.avg = sum / k;
  double squares = 0.0;
  for (double x : out.avg_samples) squares += (x - out.avg) * (x - out.avg);
  out.avg_standard_error = std::sqrt(squares / (k - 1.0) / k);
}

}  // namespace

Sharpness sharpness(const Objective& train, const Objective* test, const SharpnessOptions& o) {
  o.validate();
  Sharpness out;
  const Evaluation at_w = train.evaluate();
  out.loss = at_w.loss;
  out.accuracy = at_w.accuracy;

  std::set<int> needed(o.perturbed_steps.begin(), o.perturbed_steps.end());
  if (o.asc) needed.insert(1);
  if (o.max) {
    for (int n = 1; n <= o.max_steps; ++n) needed.insert(n);
  }
  const std::vector<int> steps(needed.begin(), needed.end());
  const std::vector<double> losses =
      steps.empty() ? std::vector<double>{} : perturbed_losses(train, steps, o);
  const auto loss_at = [&](int n) {
    return losses[static_cast<size_t>(std::lower_bound(steps.begin(), steps.end(), n) -
                                      steps.begin())];
  };

  out.asc = o.asc ? loss_at(1) : kNaN;
  out.max = kNaN;
  if (o.max) {
    for (int n = 1; n <= o.max_steps; ++n) out.max_per_step.push_back(loss_at(n));
    // Every w^{pn} lies in the ρ-ball, so each is a lower bound of the true maximum: keep the best.
    out.max = *std::max_element(out.max_per_step.begin(), out.max_per_step.end());
  }
  out.perturbed_steps = o.perturbed_steps;
  for (int n : o.perturbed_steps) out.perturbed_loss.push_back(loss_at(n));

  out.avg = out.avg_standard_error = kNaN;
  if (o.avg) average_direction_loss(train, o, out);

  out.test_loss = out.test_accuracy = out.gap_loss = out.gap_error = kNaN;
  if (test) {
    const Evaluation e = test->evaluate();
    out.test_loss = e.loss;
    out.test_accuracy = e.accuracy;
    out.gap_loss = e.loss - out.loss;
    out.gap_error = (1.0 - e.accuracy) - (1.0 - out.accuracy);
  }
  return out;
}

std::vector<std::pair<std::string, double>> sharpness_quantities(const Sharpness& r) {
  std::vector<std::pair<std::string, double>> q{
      {"loss", r.loss},
      {"accuracy", r.accuracy},
      {"L_asc", r.asc},
      {"sharpness_asc", r.asc - r.loss},
      {"L_max", r.max},
      {"sharpness_max", r.max - r.loss},
      {"L_avg", r.avg},
      {"L_avg_standard_error", r.avg_standard_error},
      {"sharpness_avg", r.avg - r.loss},
  };
  for (size_t i = 0; i < r.perturbed_steps.size(); ++i) {
    q.emplace_back("L_p" + std::to_string(r.perturbed_steps[i]), r.perturbed_loss[i]);
  }
  q.emplace_back("test_loss", r.test_loss);
  q.emplace_back("test_accuracy", r.test_accuracy);
  q.emplace_back("gap_loss", r.gap_loss);
  q.emplace_back("gap_error", r.gap_error);
  return q;
}

std::vector<GroupStatistics> group_statistics(const std::vector<std::string>& labels,
                                              const std::vector<Sharpness>& results) {
  std::vector<GroupStatistics> groups;
  std::map<std::string, std::vector<size_t>> members;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (members.find(labels[i]) == members.end()) groups.push_back({labels[i]});
    members[labels[i]].push_back(i);
  }
  std::vector<std::vector<std::pair<std::string, double>>> quantities;
  for (const Sharpness& r : results) quantities.push_back(sharpness_quantities(r));
  for (GroupStatistics& g : groups) {
    const std::vector<size_t>& idx = members[g.group];
    g.members = static_cast<int64_t>(idx.size());
    for (size_t q = 0; q < quantities[idx[0]].size(); ++q) {
      double sum = 0.0;
      for (size_t i : idx) sum += quantities[i][q].second;
      const double mean = sum / static_cast<double>(idx.size());
      double squares = 0.0;
      for (size_t i : idx)
        squares += (quantities[i][q].second - mean) * (quantities[i][q].second - mean);
      g.names.push_back(quantities[idx[0]][q].first);
      g.mean.push_back(mean);
      g.std.push_back(idx.size() > 1 ? std::sqrt(squares / static_cast<double>(idx.size() - 1))
                                     : 0.0);
    }
  }
  return groups;
}

}  // namespace sharpscope
