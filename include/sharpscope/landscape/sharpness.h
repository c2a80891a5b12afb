#pragma once
/// Sharpness notions (Tiwary & Aananth, 001 Table 1; docs/math.md §2), the perturbed losses of Kim
/// et al. Table 1 (000), the generalization gap, and mean ± std over groups of checkpoints.
///
///   L^Asc = L(w + ρ g/‖g‖) = L(w^{p1})            (independent of any training N)
///   L^Max ≈ max_{n=1..N} L(w^{pn})                 (N-step ascent estimates, per-step values kept)
///   L^Avg = E_u L(w + ρ u/‖u‖), u ~ N(0, I)        (K Monte-Carlo samples, standard error)
///   sharpness^X = L^X − L(w)
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sharpscope/landscape/perturbation.h"

namespace sharpscope {

class Objective;

struct SharpnessOptions {
  double rho = 0.05;
  std::vector<double> ratio;
  bool asc = true, max = true, avg = true;  ///< which kinds to compute
  int max_steps = 5;  ///< N of L^Max = max over n ≤ N of L(w^{pn}); costs N(N+1)/2 gradient passes
  int avg_samples = 64;              ///< K of L^Avg
  std::vector<int> perturbed_steps;  ///< extra L(w^{pN}) (000 Table 1: 1,3,5)
  Scope scope = Scope::kFull;        ///< scope of every ascent (L^Avg needs none)
  uint64_t seed = 0;                 ///< L^Avg samples
  void validate()
      const;  ///< UsageError naming --rho / --max-steps / --avg-samples / --perturbed-steps
};

struct Sharpness {
  double loss = 0.0, accuracy = 0.0;           ///< L(w) and accuracy on the analysis split
  double asc = 0.0;                            ///< L^Asc (NaN when not asked)
  double max = 0.0;                            ///< L^Max estimate (NaN when not asked)
  std::vector<double> max_per_step;            ///< L(w^{pn}), n = 1..max_steps
  double avg = 0.0, avg_standard_error = 0.0;  ///< L^Avg and std/√K (NaN when not asked)
  std::vector<double> avg_samples;             ///< the K sampled losses
  std::vector<int> perturbed_steps;
  std::vector<double> perturbed_loss;  ///< L(w^{pN}) for perturbed_steps
  /// Test split (NaN when none given): loss, accuracy and the gaps L_test − L_train, err_test −
  /// err_train.
  double test_loss = 0.0, test_accuracy = 0.0, gap_loss = 0.0, gap_error = 0.0;
  std::string summary() const;  ///< one line: L(w), L^X and sharpness×10³ per kind
};

/// `train`: the analysis objective; `test`: may be null (no gap). Cost: Σ N gradient passes over
/// the distinct N needed (1 for asc, 1..max_steps for max, the perturbed steps) plus one loss pass
/// each, K loss passes for avg, one for L(w) and one on the test split. Weights restored.
Sharpness sharpness(const Objective& train, const Objective* test, const SharpnessOptions& options);

/// The scalar quantities of a result by name (loss, L_asc, sharpness_asc, ..., gap_loss), for
/// tables and group statistics. NaN entries (kinds not asked) are included as NaN.
std::vector<std::pair<std::string, double>> sharpness_quantities(const Sharpness& result);

/// Mean and sample standard deviation (n − 1; 0 for a single member) of each quantity per group.
struct GroupStatistics {
  std::string group;
  int64_t members = 0;
  std::vector<std::string> names;
  std::vector<double> mean, std;
};

/// Groups `results` by `labels` (same length), in order of first appearance.
std::vector<GroupStatistics> group_statistics(const std::vector<std::string>& labels,
                                              const std::vector<Sharpness>& results);

}  // namespace sharpscope
