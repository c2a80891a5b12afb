#pragma once
/// Loss surfaces L(w + x·d₁ + y·d₂) on a grid, and 1-D lines L(w + x·d₁) (Kim et al. Fig. 4,
/// Li et al. 2018; docs/math.md §4). Every point is set from the saved w, so points are
/// independent: the values do not depend on traversal order, and a grid can be resumed.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "sharpscope/core/types.h"

namespace sharpscope {

class Objective;
class PointStore;
class SavedWeights;

struct SurfaceOptions {
  std::vector<double> x;
  std::vector<double> y;  ///< empty: a 1-D line along d₁
  void validate() const;  ///< UsageError naming --x
  int64_t points() const { return static_cast<int64_t>(x.size() * std::max<size_t>(1, y.size())); }
};

/// Values are row-major [nx, ny] (x on the first axis; ny = 1 for a line).
struct Surface {
  std::vector<double> x, y;
  std::vector<double> loss;      ///< L; NaN/inf kept as computed
  std::vector<double> accuracy;  ///< fraction in [0, 1]
  int64_t non_finite = 0;
  std::string summary() const;  ///< one line: L(w) (if on the grid), min, max, non-finite count
};

/// Row width stored per point: {loss, accuracy}.
inline constexpr int64_t kSurfaceRowWidth = 2;

/// Loss and accuracy at w + x d₁ + y d₂ (`d2` may be null), set from the saved w of `saved`.
/// One forward pass over the objective.
std::vector<double> surface_point(const Objective& objective, SavedWeights& saved,
                                  const ParamList& d1, const ParamList* d2, double x, double y);

/// Evaluates every point `rows` does not hold yet (rows: options.points() × kSurfaceRowWidth;
/// point index i·ny + j) and returns the full surface. Cost: one forward pass per new point.
/// Weights are restored bit-exactly, also when interrupted.
Surface evaluate_surface(const Objective& objective, const ParamList& d1, const ParamList* d2,
                         const SurfaceOptions& options, PointStore& rows);

}  // namespace sharpscope
