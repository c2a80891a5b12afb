#include "sharpscope/dynamics/valley2d.h"

#include <cmath>
#include <functional>
#include <limits>
#include <string>

#include "sharpscope/core/error.h"
#include "sharpscope/dynamics/valley.h"

namespace sharpscope {
namespace {

constexpr double kPi = 3.14159265358979323846;

bool ascending(const std::vector<double>& v) {
  for (size_t i = 1; i < v.size(); ++i) {
    if (!(v[i] > v[i - 1])) return false;
  }
  return true;
}

}  // namespace

void Valley2dOptions::validate() const {
  for (double a : {alpha1, alpha2}) {
    if (!(a != 0.0 && std::isfinite(a)))
      throw UsageError("--alpha: each of the two values must be a finite non-zero number");
  }
  for (double rho : rhos) {
    if (!(rho >= 0.0 && std::isfinite(rho)))
      throw UsageError("--rho: radii must be finite numbers >= 0");
  }
  if (w1.size() < 3 || w2.size() < 3 || !ascending(w1) || !ascending(w2))
    throw UsageError("--grid: needs at least 3 ascending points per coordinate");
  if (angles < 8) throw UsageError("--angles = " + std::to_string(angles) + ": must be >= 8");
}

double valley2d_loss(const Valley2dOptions& o, double w1, double w2) {
  return linex(o.alpha1, w1) + linex(o.alpha2, w2);
}

double valley2d_sam_objective(const Valley2dOptions& o, double w1, double w2, double rho) {
  if (rho == 0.0) return valley2d_loss(o, w1, w2);
  const auto on_circle = [&](double theta) {
    return valley2d_loss(o, w1 + rho * std::cos(theta), w2 + rho * std::sin(theta));
  };
  const double h = 2.0 * kPi / static_cast<double>(o.angles);
  double best = -std::numeric_limits<double>::infinity(), best_theta = 0.0;
  for (int64_t k = 0; k < o.angles; ++k) {
    const double theta = h * static_cast<double>(k);
    const double v = on_circle(theta);
    if (v > best) best = v, best_theta = theta;
  }
  // The sampled maximum's two neighbouring cells hold a local maximum; refine it.
  const double theta = golden_section_minimum([&](double t) { return -on_circle(t); },
                                              best_theta - h, best_theta + h, 1e-12);
  return std::max(best, on_circle(theta));
}

Valley2dResult valley2d(const Valley2dOptions& o) {
  o.validate();
  Valley2dResult r;
  r.options = o;
  for (double a : o.w1) {
    for (double b : o.w2) r.loss.push_back(valley2d_loss(o, a, b));
  }
  r.minimum = {0.0, 0.0, 0.0};
  const double tolerance = 1e-9;
  for (double rho : o.rhos) {
    for (double a : o.w1) {
      for (double b : o.w2) r.sam.push_back(valley2d_sam_objective(o, a, b, rho));
    }
    // Nested golden sections over the grid's box: L̃ is convex, and so is the partial minimum
    // g(w₁) = min_{w₂} L̃(w₁, w₂), so both searches are unimodal.
    const auto inner = [&](double a) {
      return golden_section_minimum([&](double b) { return valley2d_sam_objective(o, a, b, rho); },
                                    o.w2.front(), o.w2.back(), tolerance);
    };
    const auto g = [&](double a) { return valley2d_sam_objective(o, a, inner(a), rho); };
    const double a = golden_section_minimum(g, o.w1.front(), o.w1.back(), tolerance);
    const double b = inner(a);
    // A convex L̃ whose minimum lies outside the box has its box minimum on the edge: the grid is
    // too small to hold the answer.
    const double edge = 1e-6 * (o.w1.back() - o.w1.front());
    if (a - o.w1.front() < edge || o.w1.back() - a < edge || b - o.w2.front() < edge ||
        o.w2.back() - b < edge)
      throw UsageError("--grid: the minimum of the SAM objective at rho = " + std::to_string(rho) +
                       " lies on the grid's edge; widen the grid");
    r.sam_minima.push_back({a, b, valley2d_sam_objective(o, a, b, rho)});
  }
  return r;
}

}  // namespace sharpscope
