#pragma once
/// The loss along the top eigenvectors of a curvature of a model (003 Fig. 2 for the Hessian;
/// docs/math.md §4, §6, §17): the top-k eigenpairs from the one operator concept (the Hessian, the
/// GGN or a Fisher, hessian/curvature.h), then L(w + t vᵢ) on a grid of t for each unit vᵢ.
/// `landscape eigen` runs it over a series of checkpoints.
#include <cstdint>
#include <string>
#include <vector>

#include "sharpscope/hessian/curvature.h"
#include "sharpscope/hessian/spectrum_result.h"

namespace sharpscope {

class Objective;

struct EigenLine {
  std::vector<double> t;
  std::vector<double> eigenvalues, residuals;  ///< [k]
  std::vector<double> loss, accuracy;          ///< [k, t]: L(w + t vᵢ) and its accuracy
  int64_t hvps = 0;
  /// The eigenvectors' sign is fixed so that Σ vᵢ ≥ 0 (solvers return either sign).
  std::vector<ParamList> vectors;
  std::vector<std::string> parameter_names;  ///< of the model, to store the vectors as directions
};

/// `landscape eigen` over a series of checkpoints: one line per model, with `top` eigenvectors
/// asked of each (a Lanczos solve returns only its converged pairs, so a line may hold fewer).
struct EigenLineSeries {
  std::vector<std::string> models, model_sha256;
  int top = 1;
  std::vector<EigenLine> lines;
  std::string curvature = "Hessian";  ///< display_name of the curvature (hessian/curvature.h)
};

/// Cost: the spectrum's products + k·|t| forward passes (+ one forward pass for mc-fisher's
/// label draws). Weights are restored bit-exactly.
EigenLine eigen_line(const Objective& objective, const SpectrumOptions& spectrum,
                     const CurvatureOptions& curvature, const std::vector<double>& t);

}  // namespace sharpscope
