#include "sharpscope/landscape/eigen_line.h"

#include "sharpscope/core/model.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/saved_weights.h"
#include "sharpscope/hessian/spectrum.h"
#include "sharpscope/landscape/surface.h"

namespace sharpscope {

EigenLine eigen_line(const Objective& objective, const SpectrumOptions& spectrum,
                     const CurvatureOptions& curvature, const std::vector<double>& t) {
  const std::unique_ptr<CurvatureOperator> owned = make_curvature_operator(objective, curvature);
  const CurvatureOperator& op = *owned;
  const SpectrumResult result = compute_spectrum(op, spectrum);
  op.release_graph();  // the weights move below; the graphs' memory is not needed for the line
  EigenLine line;
  line.t = t;
  line.hvps = op.hvp_count();
  line.parameter_names = objective.model().parameter_names();
  SavedWeights saved(objective.model().parameters());
  for (const Eigenpair& pair : result.pairs) {
    line.eigenvalues.push_back(pair.value);
    line.residuals.push_back(pair.residual);
    line.vectors.push_back(
        op.to_params(pair.vector.sum() >= 0.0 ? pair.vector : Eigen::VectorXd(-pair.vector)));
    for (double step : t) {
      const std::vector<double> row =
          surface_point(objective, saved, line.vectors.back(), nullptr, step, 0.0);
      line.loss.push_back(row[0]);
      line.accuracy.push_back(row[1]);
    }
  }
  return line;
}

}  // namespace sharpscope
