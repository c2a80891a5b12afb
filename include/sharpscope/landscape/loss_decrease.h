#pragma once
/// How much one gradient step lowers the loss at a perturbed weight (Kim et al. §3.3, docs/math.md
/// §5): ΔL(u) = L(u) − L(u − η g) for g ∈ {∇L(w^{pN})} and u ∈ {w^{pM}} (Fig. 7), and for u on the
/// segment from w^{pA} to w^{pB} (Fig. 8).
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sharpscope {

class Objective;

struct LossDecreaseOptions {
  double rho = 0.1;
  std::vector<double> ratio;
  std::vector<int> steps{0, 1, 2};             ///< N of the gradients and of the weights, N ≥ 0
  double lr = 0.1;                             ///< η
  std::optional<std::pair<int, int>> segment;  ///< (A, B): also evaluate along w^{pA} → w^{pB}
  int points = 11;                             ///< points on the segment, t = 0..1
  void validate() const;  ///< UsageError naming --rho / --steps / --lr / --segment / --points
};

struct LossDecrease {
  std::vector<int> steps;
  double lr = 0.0;
  std::vector<double> delta;  ///< [gradient N, weight M]: L(w^{pM}) − L(w^{pM} − η ∇L(w^{pN}))
  std::vector<double> loss;           ///< [M]: L(w^{pM})
  std::vector<double> gradient_norm;  ///< [N]: ‖∇L(w^{pN})‖
  std::pair<int, int> segment{0, 0};
  std::vector<double> t;              ///< segment positions (empty without --segment)
  std::vector<double> segment_delta;  ///< [gradient N, t]: ΔL((1−t) w^{pA} + t w^{pB})
  std::vector<double> segment_loss;   ///< [t]
  std::string summary() const;        ///< one line: the diagonal ΔL(w^{pN}) for g = ∇L(w^{pN})
};

/// Full scope (the paper uses the first training batch: --subset set to the batch size).
/// Cost: Σ N + n gradient passes, n + n² loss passes, and (n + 1)·points with a segment.
/// Weights restored bit-exactly. The n² matrix and the segment run as point loops
/// (core/point_loop.h): a distributed run deals them to ranks under --parallel points.
LossDecrease loss_decrease(const Objective& objective, const LossDecreaseOptions& options);

}  // namespace sharpscope
