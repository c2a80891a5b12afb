#include "sharpscope/landscape/checkpoint_line.h"

#include <cmath>
#include <limits>
#include <sstream>

#include "sharpscope/core/model.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/params.h"
#include "sharpscope/core/point_loop.h"
#include "sharpscope/core/saved_weights.h"

namespace sharpscope {

std::string CheckpointLine::summary() const {
  std::ostringstream out;
  out << alpha.size() << " points, |w_B - w_A| = " << distance;
  if (non_finite > 0) out << ", " << non_finite << " non-finite losses";
  return out.str();
}

CheckpointLine evaluate_checkpoint_line(const Objective& train, const Objective* test,
                                        const ParamList& weights_b,
                                        const std::vector<double>& alpha, PointStore& rows) {
  CheckpointLine out;
  out.alpha = alpha;
  {
    SavedWeights saved(train.model().parameters());
    ParamList difference = clone(weights_b);
    axpy(-1.0, saved.base(), difference);
    out.distance = norm(difference);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    run_pending_points(rows, "line", [&](int64_t i) {
      // w_A + α(w_B − w_A) = (1−α)w_A + α w_B, from the saved w_A.
      saved.move_to({{alpha[static_cast<size_t>(i)], &difference}});
      const Evaluation a = train.evaluate();
      std::vector<double> row{a.loss, 1.0 - a.accuracy, nan, nan};
      if (test) {
        const Evaluation b = test->evaluate();
        row[2] = b.loss;
        row[3] = 1.0 - b.accuracy;
      }
      return row;
    });
  }
  for (int64_t i = 0; i < rows.points(); ++i) {
    out.train_loss.push_back(rows.value(i, 0));
    out.train_error.push_back(rows.value(i, 1));
    out.test_loss.push_back(rows.value(i, 2));
    out.test_error.push_back(rows.value(i, 3));
    if (!std::isfinite(out.train_loss.back()) || (test && !std::isfinite(out.test_loss.back()))) {
      ++out.non_finite;
    }
  }
  return out;
}

}  // namespace sharpscope
