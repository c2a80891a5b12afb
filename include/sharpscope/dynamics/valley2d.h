#pragma once
/// The two-dimensional valley of 002 Fig. 3.2 (Theorem 3.3.2 on ℝ²; docs/math.md §9): a loss with
/// an asymmetric direction along each coordinate,
///   L(w₁, w₂) = ℓ_{α₁}(w₁) + ℓ_{α₂}(w₂),   ℓ_α(x) = e^{αx} − αx − 1 (LINEX, 002 Fig. 3.1),
/// and its SAM objective over the ℓ₂ disk, L̃(w) = max_{‖ε‖₂ ≤ ρ} L(w + ε). L is convex, so the
/// maximum over the disk lies on its boundary circle: L̃(w) = max_θ L(w + ρ(cos θ, sin θ)),
/// found by a dense angular search refined by golden section. L̃ is convex too (a maximum of
/// convex functions), so its minimum is found by nested golden sections. Each α < 0 makes the
/// side x > 0 of its coordinate the flat one; Theorem 3.3.2 applied per direction moves the
/// minimum of L̃ towards the flat side of both, i.e. diagonally.
#include <cstdint>
#include <vector>

namespace sharpscope {

struct Valley2dOptions {
  double alpha1 = -0.3, alpha2 = -0.3;  ///< LINEX α of each coordinate (--alpha a1,a2): ≠ 0
  std::vector<double> rhos;             ///< radii ρ ≥ 0 (--rho)
  std::vector<double> w1, w2;           ///< grid coordinates (--grid), ≥ 3 points each, ascending
  int64_t angles = 720;                 ///< angular samples of the circle before refinement
  /// UsageError naming --alpha, --rho, --grid or --angles.
  void validate() const;
};

struct Valley2dPoint {
  double w1 = 0.0, w2 = 0.0, value = 0.0;
};

struct Valley2dResult {
  Valley2dOptions options;
  std::vector<double> loss;  ///< L on the grid, [w1][w2] row-major
  std::vector<double> sam;   ///< L̃ on the grid, [rho][w1][w2] row-major
  Valley2dPoint minimum;     ///< of L: (0, 0), value 0
  /// Of L̃, per ρ (brackets of 1e-9; accurate to ≈ 1e-8·max(1, |w|), docs/math.md §9.3).
  std::vector<Valley2dPoint> sam_minima;
};

/// L(w₁, w₂).
double valley2d_loss(const Valley2dOptions& options, double w1, double w2);
/// L̃(w₁, w₂) for radius ρ (ρ = 0 gives L).
double valley2d_sam_objective(const Valley2dOptions& options, double w1, double w2, double rho);
/// The grids of L and L̃ and their minima (validates first). Cost: (1 + |rhos|)·|w1|·|w2| values,
/// each L̃ value ≈ `angles` + 60 evaluations of L.
Valley2dResult valley2d(const Valley2dOptions& options);

}  // namespace sharpscope
