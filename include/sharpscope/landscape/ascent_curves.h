#pragma once
/// Loss along ascent directions, L(w + k·v_N) for several N (Kim et al. Fig. 3, docs/math.md §4).
#include <string>
#include <vector>

#include "sharpscope/landscape/perturbation.h"

namespace sharpscope {

class Objective;

struct AscentCurveOptions {
  double rho = 0.1;
  std::vector<double> ratio;               ///< relative ascent step sizes (empty: equal)
  std::vector<int> steps{1, 2, 3, 5, 10};  ///< the N of each curve, each ≥ 1
  std::vector<double> k;                   ///< distances along v_N
  Scope scope = Scope::kFull;
  void validate() const;  ///< UsageError naming --rho / --steps / --k
};

/// One curve per N. Matrices are row-major [steps.size(), ·].
struct AscentCurves {
  std::vector<int> steps;
  std::vector<double> k;
  std::vector<double> loss;  ///< [N, k]: L(w + k v_N) (batch scope: Σ_B |B|/|S| L_B(w + k v_N^B))
  std::vector<double> accuracy;        ///< [N, k]
  std::vector<double> perturbed_loss;  ///< [N]: L(w^{pN}) = L(w + ρ v_N)
  std::vector<double> displacement;    ///< [N]: ‖wᴺ − w‖ (batch scope: batch-weighted mean)
  /// [N, max N + 1]: L(wⁿ) at the ascent iterates n = 0..N, NaN beyond a curve's own N.
  std::vector<double> iterate_loss;
  int64_t non_finite = 0;       ///< number of non-finite entries of `loss`
  std::string summary() const;  ///< one line: L(w^{pN}) per N
};

/// Cost: full scope Σ N gradient passes + |steps|·(|k| + N) loss passes; batch scope the same
/// work spread over the batches. The model's weights are restored bit-exactly.
AscentCurves ascent_curves(const Objective& objective, const AscentCurveOptions& options);

}  // namespace sharpscope
