#pragma once
/// Gradient geometry around w (Kim et al. §3.2, docs/math.md §5): the cosine similarities of the
/// gradients at the perturbed weights w^{pN} (Fig. 5), and the cosine between a reference gradient
/// ∇L(w^{pR}) and the gradient at every point of a grid w + x d₁ + y d₂ (Fig. 6).
#include <cstdint>
#include <string>
#include <vector>

#include "sharpscope/core/types.h"
#include "sharpscope/landscape/surface.h"

namespace sharpscope {

class Objective;
class PointStore;

struct CosineMatrixOptions {
  double rho = 0.1;
  std::vector<double> ratio;
  std::vector<int> steps{0, 1, 2, 3, 4};  ///< N ≥ 0; N = 0 is w itself
  void validate() const;                  ///< UsageError naming --rho / --steps
};

struct CosineMatrix {
  std::vector<int> steps;
  std::vector<double> cosine;  ///< [n, n], cos(∇L(w^{pNi}), ∇L(w^{pNj})); NaN for zero gradients
  std::vector<double> gradient_norm;  ///< [n], ‖∇L(w^{pN})‖
  std::vector<double> loss;           ///< [n], L(w^{pN})
  std::string summary() const;        ///< one line: the cosines next to the diagonal
};

/// Full scope. Cost: Σ N + n gradient passes. Weights restored bit-exactly.
CosineMatrix cosine_matrix(const Objective& objective, const CosineMatrixOptions& options);

struct CosineFieldOptions {
  double rho = 0.5;
  std::vector<double> ratio;
  int reference_steps = 1;  ///< the reference gradient is ∇L(w^{pR}), R = this
  SurfaceOptions grid;      ///< x, y of w + x d₁ + y d₂ (y empty: a line)
  void validate() const;    ///< UsageError naming --reference / --x
};

/// Values are row-major [nx, ny] like Surface.
struct CosineField {
  std::vector<double> x, y;
  int reference_steps = 1;
  std::vector<double> cosine;         ///< cos(∇L(w^{pR}), ∇L(w + x d₁ + y d₂))
  std::vector<double> gradient_norm;  ///< ‖∇L(w + x d₁ + y d₂)‖
  std::vector<double> loss;           ///< L(w + x d₁ + y d₂)
  double reference_norm = 0.0;        ///< ‖∇L(w^{pR})‖
  std::string summary() const;
};

/// Row width stored per grid point: {cosine, gradient norm, loss}.
inline constexpr int64_t kCosineFieldRowWidth = 3;

/// Cost: R + 1 gradient passes for the reference, then one gradient pass per new grid point.
/// Resumable through `rows` (options.grid.points() × kCosineFieldRowWidth). Weights restored.
CosineField cosine_field(const Objective& objective, const ParamList& d1, const ParamList* d2,
                         const CosineFieldOptions& options, PointStore& rows);

}  // namespace sharpscope
