#include "sharpscope/landscape/directions.h"

#include <torch/torch.h>

#include <cmath>
#include <sstream>

#include "sharpscope/core/error.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/number_text.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/params.h"

namespace sharpscope {

namespace {

// w_other − w for a checkpoint of the same architecture.
ParamList checkpoint_difference(const std::string& path, Model& model) {
  Model other = Model::load(path);
  other.to(model.device(), model.dtype());
  other.require_finite_weights();
  if (other.parameter_names() != model.parameter_names()) {
    throw InputError(path + ": parameters differ from the model's (not the same architecture)");
  }
  ParamList difference = clone(other.parameters());
  for (size_t i = 0; i < difference.size(); ++i) {
    if (!difference[i].sizes().equals(model.parameters()[i].sizes())) {
      throw InputError(path + ": parameter '" + model.parameter_names()[i] +
                       "' has another shape than the model's");
    }
  }
  axpy(-1.0, model.parameters(), difference);
  return difference;
}

}  // namespace

ParamList filter_normalized_random(const ParamList& weights, uint64_t seed, bool include_bn) {
  torch::NoGradGuard no_grad;
  at::Generator generator = at::detail::createCPUGenerator(seed);
  ParamList direction;
  for (const at::Tensor& w : weights) {
    const at::Tensor w64 = w.detach().to(at::kCPU, at::kDouble);
    // Drawn even for tensors that end up zero, so one tensor's choice never shifts the random
    // stream of the next: --include-bn changes only the 1-D tensors.
    at::Tensor d = at::randn(w64.sizes(), generator, at::TensorOptions().dtype(at::kDouble));
    if (w64.dim() >= 2) {
      // Li et al. 2018 §4: d_{i} ← d_{i}/‖d_{i}‖ · ‖w_{i}‖ for every output filter / row i.
      const at::Tensor w_rows = w64.reshape({w64.size(0), -1});
      const at::Tensor d_rows = d.reshape({d.size(0), -1});
      const at::Tensor d_norms = d_rows.norm(2, {1}, /*keepdim=*/true);
      const at::Tensor scale = w_rows.norm(2, {1}, true) / d_norms.clamp_min(1e-300);
      d = (d_rows * scale).reshape(w64.sizes());
    } else if (include_bn) {
      d = d * (w64.norm() / d.norm().clamp_min(1e-300));
    } else {
      d.zero_();
    }
    direction.push_back(d.to(w.device(), w.scalar_type()));
  }
  return direction;
}

void orthonormalize(ParamList& d1, ParamList& d2) {
  const double n1 = norm(d1);
  if (!(n1 > 0.0)) throw UsageError("--orthogonalize: the first direction is zero");
  scale(d1, 1.0 / n1);
  axpy(-dot(d2, d1), d1, d2);
  const double n2 = norm(d2);
  // Relative to d2's own scale: what is left after projection is round-off when they are parallel.
  if (!(n2 > 1e-10 * std::max(1.0, n1))) {
    throw UsageError("--orthogonalize: the two directions are parallel (or the second is zero)");
  }
  scale(d2, 1.0 / n2);
}

Direction build_direction(const DirectionSpec& spec, const Objective& objective,
                          const DirectionOptions& options, int position) {
  Model& model = objective.model();
  ParamList& weights = model.parameters();
  Direction out;
  out.spec = spec.text;
  switch (spec.kind) {
    case DirectionKind::kAscent: {
      AscentOptions ascent = options.ascent;
      ascent.steps = spec.index;
      // Batch scope: the direction a SAM step on the first mini-batch would take.
      const Objective source = options.scope == Scope::kFull ? objective : objective.batch(0);
      out.values = ascend(weights, full_gradient(source), ascent).direction;
      out.description = spec.text + ": " + std::to_string(spec.index) +
                        "-step ascent direction, rho " + number_text(ascent.rho) + ", " +
                        to_string(options.scope) + " scope";
      break;
    }
    case DirectionKind::kRandom: {
      const uint64_t seed = spec.seed ? *spec.seed : options.seed + static_cast<uint64_t>(position);
      out.values = filter_normalized_random(weights, seed, options.include_bn);
      out.description = spec.text + ": filter-normalized Gaussian (Li et al. 2018), seed " +
                        std::to_string(seed) +
                        (options.include_bn ? ", 1-D tensors kept" : ", 1-D tensors zero");
      break;
    }
    case DirectionKind::kEigen: {
      if (options.eigen_file.empty()) {
        throw UsageError("--dirs " + spec.text +
                         " needs --eigen-file F.h5: run 'sharpscope hessian spectrum MODEL "
                         "--save-vectors --out F.h5' first");
      }
      out.values =
          options.read_stored(options.eigen_file, "directions/eig" + std::to_string(spec.index));
      out.description = spec.text + ": curvature eigenvector " + std::to_string(spec.index) +
                        " from " + options.eigen_file;
      break;
    }
    case DirectionKind::kPca: {
      if (options.trajectory_file.empty()) {
        throw UsageError("--dirs " + spec.text +
                         " needs --trajectory F.h5: run 'sharpscope landscape trajectory CK1 ... "
                         "CKn --out F.h5' first (the model analysed should be CKn)");
      }
      out.values = options.read_stored(options.trajectory_file,
                                       "directions/pca" + std::to_string(spec.index));
      out.description = spec.text + ": principal direction " + std::to_string(spec.index) +
                        " of the training path in " + options.trajectory_file;
      break;
    }
    case DirectionKind::kCheckpoint:
      out.values = checkpoint_difference(spec.path, model);
      out.description = spec.text + ": w(" + spec.path + ") - w";
      break;
    case DirectionKind::kFile:
      out.values = options.read_stored(spec.path, spec.name);
      out.description = spec.text + ": stored direction '" + spec.name + "' of " + spec.path;
      break;
  }
  return out;
}

}  // namespace sharpscope
