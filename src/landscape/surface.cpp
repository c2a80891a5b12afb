#include "sharpscope/landscape/surface.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "sharpscope/core/error.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/point_loop.h"
#include "sharpscope/core/saved_weights.h"

namespace sharpscope {

void SurfaceOptions::validate() const {
  if (x.empty()) throw UsageError("--x: the grid has no points");
}

std::string Surface::summary() const {
  std::ostringstream out;
  double lo = INFINITY, hi = -INFINITY;
  for (double v : loss) {
    if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  }
  out << x.size() << "x" << std::max<size_t>(1, y.size()) << " grid: loss min " << lo << ", max "
      << hi;
  if (non_finite > 0) out << ", " << non_finite << " non-finite points";
  return out.str();
}

std::vector<double> surface_point(const Objective& objective, SavedWeights& saved,
                                  const ParamList& d1, const ParamList* d2, double x, double y) {
  if (d2) {
    saved.move_to({{x, &d1}, {y, d2}});
  } else {
    saved.move_to({{x, &d1}});
  }
  const Evaluation e = objective.evaluate();
  return {e.loss, e.accuracy};
}

Surface evaluate_surface(const Objective& objective, const ParamList& d1, const ParamList* d2,
                         const SurfaceOptions& options, PointStore& rows) {
  options.validate();
  const size_t ny = std::max<size_t>(1, options.y.size());
  {
    SavedWeights saved(objective.model().parameters());
    run_pending_points(rows, "surface", [&](int64_t i) {
      const double x = options.x[static_cast<size_t>(i) / ny];
      const double y = options.y.empty() ? 0.0 : options.y[static_cast<size_t>(i) % ny];
      return surface_point(objective, saved, d1, d2, x, y);
    });
  }
  Surface out;
  out.x = options.x;
  out.y = options.y;
  for (int64_t i = 0; i < rows.points(); ++i) {
    out.loss.push_back(rows.value(i, 0));
    out.accuracy.push_back(rows.value(i, 1));
    if (!std::isfinite(out.loss.back())) ++out.non_finite;
  }
  return out;
}

}  // namespace sharpscope
