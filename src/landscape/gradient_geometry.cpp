#include "sharpscope/landscape/gradient_geometry.h"

#include <cstdio>
#include <sstream>

#include "sharpscope/ascent/ascent.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/params.h"
#include "sharpscope/core/point_loop.h"
#include "sharpscope/core/saved_weights.h"
#include "sharpscope/landscape/perturbation.h"

namespace sharpscope {

void CosineMatrixOptions::validate() const { validate_step_list(rho, steps, ratio); }

std::string CosineMatrix::summary() const {
  std::ostringstream out;
  out << "cos(g_pN, g_pN+1):";
  const size_t n = steps.size();
  for (size_t i = 0; i + 1 < n; ++i) {
    char cell[64];
    std::snprintf(cell, sizeof cell, "  %d-%d %.4f", steps[i], steps[i + 1], cosine[i * n + i + 1]);
    out << cell;
  }
  return out.str();
}

CosineMatrix cosine_matrix(const Objective& objective, const CosineMatrixOptions& options) {
  options.validate();
  const std::vector<AscentTrace> traces =
      ascent_directions(objective, options.steps, AscentOptions{options.rho, 1, options.ratio});
  CosineMatrix out;
  out.steps = options.steps;
  PerturbedGradients at = gradients_at(objective, traces, options.rho);
  out.loss = std::move(at.loss);
  out.gradient_norm = std::move(at.norm);
  const std::vector<ParamList>& gradients = at.gradient;
  const size_t n = gradients.size();
  out.cosine.assign(n * n, 0.0);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i; j < n; ++j) {
      // One computation per pair, mirrored: the matrix is symmetric by construction.
      const double c = cosine(gradients[i], gradients[j]);
      out.cosine[i * n + j] = out.cosine[j * n + i] = c;
    }
  }
  return out;
}

void CosineFieldOptions::validate() const {
  AscentOptions{rho, std::max(1, reference_steps), ratio}.validate();
  if (reference_steps < 0) {
    throw UsageError("--reference = " + std::to_string(reference_steps) + ": must be >= 0");
  }
  grid.validate();
}

std::string CosineField::summary() const {
  std::ostringstream out;
  double lo = 1.0;
  for (double c : cosine) lo = std::min(lo, c);
  out << x.size() << "x" << std::max<size_t>(1, y.size()) << " cosine field vs grad L(w^p"
      << reference_steps << "): min cosine " << lo;
  return out.str();
}

CosineField cosine_field(const Objective& objective, const ParamList& d1, const ParamList* d2,
                         const CosineFieldOptions& options, PointStore& rows) {
  options.validate();
  const AscentTrace reference = ascent_directions(objective, {options.reference_steps},
                                                  AscentOptions{options.rho, 1, options.ratio})[0];
  CosineField out;
  out.x = options.grid.x;
  out.y = options.grid.y;
  out.reference_steps = options.reference_steps;
  {
    SavedWeights saved(objective.model().parameters());
    saved.move_to({{options.rho, &reference.direction}});
    const ParamList reference_gradient = objective.gradient().gradient;
    out.reference_norm = norm(reference_gradient);
    const size_t ny = std::max<size_t>(1, options.grid.y.size());
    run_pending_points(rows, "cosine field", [&](int64_t i) {
      const double x = options.grid.x[static_cast<size_t>(i) / ny];
      const double y = options.grid.y.empty() ? 0.0 : options.grid.y[static_cast<size_t>(i) % ny];
      if (d2) {
        saved.move_to({{x, &d1}, {y, d2}});
      } else {
        saved.move_to({{x, &d1}});
      }
      const LossGradient lg = objective.gradient();
      return std::vector<double>{cosine(reference_gradient, lg.gradient), norm(lg.gradient),
                                 lg.loss};
    });
  }
  for (int64_t i = 0; i < rows.points(); ++i) {
    out.cosine.push_back(rows.value(i, 0));
    out.gradient_norm.push_back(rows.value(i, 1));
    out.loss.push_back(rows.value(i, 2));
  }
  return out;
}

}  // namespace sharpscope
