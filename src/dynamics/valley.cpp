#include "sharpscope/dynamics/valley.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "sharpscope/core/error.h"

namespace sharpscope {

ValleyLoss sextic_valley() {
  const double offset = 1.0 / std::sqrt(3.0);
  return {"sextic",
          [](double w) { return w * w * (w - 1.0) * (w - 1.0) * (w - 2.0) * (w - 2.0); },
          {1.0 - offset, 1.0 + offset},
          -0.6,
          2.6};
}

double linex(double alpha, double w) {
  // expm1 keeps e^{αw} − 1 − αw accurate near the minimum, where it is O(w²).
  return std::expm1(alpha * w) - alpha * w;
}

ValleyLoss linex_valley(double alpha) {
  return {"linex", [alpha](double w) { return linex(alpha, w); }, {}, -20.0, 20.0};
}

ValleyLoss quadratic_valley() {
  return {"quadratic", [](double w) { return 0.5 * w * w; }, {}, -2.0, 2.0};
}

ValleyLoss asymmetric_valley(double slope, double steepness) {
  ValleyLoss loss{
      "asymmetric",
      [slope, steepness](double w) { return w >= 0.0 ? slope * w : -steepness * slope * w; },
      {},
      -2.0,
      2.0};
  loss.steepness = steepness;
  return loss;
}

ValleyLoss valley_loss(ValleyKind kind, const ValleyParameters& p) {
  switch (kind) {
    case ValleyKind::kSextic:
      return sextic_valley();
    case ValleyKind::kLinex:
      if (!(p.alpha != 0.0 && std::isfinite(p.alpha)))
        throw UsageError("--alpha: must be a finite non-zero number");
      return linex_valley(p.alpha);
    case ValleyKind::kQuadratic:
      return quadratic_valley();
    case ValleyKind::kAsymmetric:
      if (!(p.slope > 0.0 && std::isfinite(p.slope)))
        throw UsageError("--slope: must be a finite number > 0");
      if (!(p.steepness >= 1.0 && std::isfinite(p.steepness)))
        throw UsageError("--steepness: must be a finite number >= 1");
      return asymmetric_valley(p.slope, p.steepness);
  }
  return quadratic_valley();
}

double sam_objective(const ValleyLoss& loss, double w, double rho) {
  double worst = std::max(loss.value(w - rho), loss.value(w + rho));
  for (double m : loss.local_maxima) {
    if (m > w - rho && m < w + rho) worst = std::max(worst, loss.value(m));
  }
  return worst;
}

double golden_section_minimum(const std::function<double(double)>& f, double a, double b,
                              double tolerance) {
  const double inverse_phi = (std::sqrt(5.0) - 1.0) / 2.0;
  double c = b - inverse_phi * (b - a), d = a + inverse_phi * (b - a);
  double fc = f(c), fd = f(d);
  while (b - a > tolerance) {
    if (fc < fd) {
      b = d, d = c, fd = fc;
      c = b - inverse_phi * (b - a), fc = f(c);
    } else {
      a = c, c = d, fc = fd;
      d = a + inverse_phi * (b - a), fd = f(d);
    }
  }
  return 0.5 * (a + b);
}

std::vector<ValleyMinimum> local_minima(const std::function<double(double)>& f,
                                        const std::vector<double>& grid, double tolerance) {
  std::vector<double> values(grid.size());
  std::transform(grid.begin(), grid.end(), values.begin(), f);
  std::vector<ValleyMinimum> minima;
  for (size_t i = 1; i + 1 < grid.size(); ++i) {
    if (!(values[i] < values[i - 1])) continue;
    // L̃ can be flat at its minimum (a local maximum of L inside the window for a range of w):
    // a run of equal values bounded by larger ones is one minimum, reported at its middle.
    size_t j = i;
    while (j + 1 < grid.size() && values[j + 1] == values[i]) ++j;
    if (j + 1 == grid.size() || !(values[j + 1] > values[i])) continue;
    if (j > i) {
      const double w = 0.5 * (grid[i] + grid[j]);
      minima.push_back({w, f(w)});
      i = j;
      continue;
    }
    const double w = golden_section_minimum(f, grid[i - 1], grid[i + 1], tolerance);
    minima.push_back({w, f(w)});
  }
  return minima;
}

ValleyCurves valley_curves(const ValleyLoss& loss, const std::vector<double>& rhos,
                           const std::vector<double>& w) {
  ValleyCurves curves{loss, w, rhos, {}, {}, {}, {}, {}};
  for (double x : w) curves.loss_values.push_back(loss.value(x));
  curves.minima = local_minima(loss.value, w);
  for (double rho : rhos) {
    const auto objective = [&loss, rho](double x) { return sam_objective(loss, x, rho); };
    for (double x : w) curves.sam_values.push_back(objective(x));
    std::vector<ValleyMinimum> minima = local_minima(objective, w);
    std::vector<double> shifts;
    for (const ValleyMinimum& m : minima) {
      double nearest = std::numeric_limits<double>::quiet_NaN();
      for (const ValleyMinimum& original : curves.minima) {
        if (!(std::abs(original.w - m.w) >= std::abs(nearest - m.w))) nearest = original.w;
      }
      shifts.push_back(m.w - nearest);
    }
    curves.sam_minima.push_back(std::move(minima));
    curves.shifts.push_back(std::move(shifts));
  }
  return curves;
}

}  // namespace sharpscope
