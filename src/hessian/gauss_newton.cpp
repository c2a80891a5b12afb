#include "sharpscope/hessian/gauss_newton.h"

#include <torch/torch.h>

#include "sharpscope/core/error.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/number_text.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/params.h"
#include "sharpscope/core/random.h"

namespace sharpscope {

void GaussNewtonOptions::validate() const {
  if (curvature == Curvature::kHessian) {
    throw UsageError("--curvature = 'hessian': not a Gauss-Newton curvature (use HvpOperator)");
  }
  // A product holds B·M·K numbers for the draws of a batch: 1000 draws of 100 classes in a batch
  // of 128 are 100 MB in float64.
  if (mc_samples < 1 || mc_samples > 1000) {
    throw UsageError("--mc-samples = " + std::to_string(mc_samples) + ": must be in [1, 1000]");
  }
  if (mc_samples != 1 && curvature != Curvature::kMcFisher) {
    throw UsageError("--mc-samples = " + std::to_string(mc_samples) +
                     ": applies to --curvature mc-fisher only");
  }
  check_parameter_regex(params_regex);
}

namespace {

const GaussNewtonOptions& validated(const GaussNewtonOptions& options) {
  options.validate();
  return options;
}

// J·v for logits z [B, K] of a graph over `params`, by the double-vjp trick: g(u) = Jᵀu is linear
// in the dummy u, so ∂/∂u [g(u)·v] = J v. Undefined when z does not depend on the parameters.
at::Tensor jacobian_vector_product(const at::Tensor& z, const ParamList& params,
                                   const ParamList& v) {
  const at::Tensor u = torch::zeros_like(z).requires_grad_(true);
  const auto jtu = torch::autograd::grad({z}, params, {u}, /*retain_graph=*/true,
                                         /*create_graph=*/true, /*allow_unused=*/true);
  at::Tensor inner;
  for (size_t j = 0; j < params.size(); ++j) {
    if (!jtu[j].defined() || !jtu[j].requires_grad()) continue;
    const at::Tensor term = (jtu[j] * v[j]).sum();
    inner = inner.defined() ? inner + term : term;
  }
  if (!inner.defined()) return {};
  // The graph of z is kept: the caller's vector-Jacobian product Jᵀ(Λ J v) runs on it next.
  const at::Tensor jv = torch::autograd::grad({inner}, {u}, {}, /*retain_graph=*/true,
                                              /*create_graph=*/false, /*allow_unused=*/true)[0];
  return jv.defined() ? jv : torch::zeros_like(z);
}

// A uniform number in [0, 1) from the top 53 bits, so the labels do not depend on the standard
// library's distribution implementation.
double unit_uniform(uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

}  // namespace

GaussNewtonOperator::GaussNewtonOperator(const Objective& objective, GaussNewtonOptions options)
    : GaussNewtonOperator(
          objective, options,
          select_parameters(objective.model().parameter_names(), validated(options).params_regex)) {
}

GaussNewtonOperator::GaussNewtonOperator(const Objective& objective, GaussNewtonOptions options,
                                         std::vector<size_t> selected)
    : CurvatureOperator(objective, std::move(selected)), options_(std::move(options)) {
  options_.validate();
  if (options_.curvature == Curvature::kMcFisher) draw_labels();
}

std::string GaussNewtonOperator::describe() const {
  switch (options_.curvature) {
    case Curvature::kGgn:
      return "GGN (softmax cross-entropy: Lambda = diag(p) - p p^T)";
    case Curvature::kEmpiricalFisher:
      return "empirical Fisher (data labels, label smoothing " +
             number_text(objective().options().label_smoothing) + ")";
    case Curvature::kMcFisher:
      return "Monte-Carlo Fisher (" + std::to_string(options_.mc_samples) +
             " label(s) per example sampled from the model, seed " + std::to_string(options_.seed) +
             ")";
    case Curvature::kHessian:
      break;
  }
  return "?";
}

void GaussNewtonOperator::draw_labels() {
  // Class probabilities of this rank's examples in float64 on the CPU, then inverse-CDF draws
  // from a counter-based stream indexed by (example, draw): the labels depend on the seed and the
  // weights only, not on the batch size, the device or the number of ranks.
  std::vector<at::Tensor> parts;
  {
    torch::NoGradGuard no_grad;
    objective().visit_batches([&](const at::Tensor& x, const at::Tensor&, int64_t first) {
      if (parts.empty()) labels_first_ = first;
      parts.push_back(
          torch::softmax(objective().model().forward(x).to(torch::kCPU, torch::kDouble), 1));
    });
  }
  const int64_t m = options_.mc_samples;
  if (parts.empty()) {  // a rank without examples
    sampled_labels_ = torch::empty({0, m}, torch::kLong);
    return;
  }
  const at::Tensor p = torch::cat(parts).contiguous();
  const int64_t n = p.size(0), k = p.size(1);
  sampled_labels_ = torch::empty({n, m}, torch::kLong);
  auto labels = sampled_labels_.accessor<int64_t, 2>();
  auto probs = p.accessor<double, 2>();
  const uint64_t stream = splitmix64(options_.seed);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t s = 0; s < m; ++s) {
      const uint64_t counter = static_cast<uint64_t>(labels_first_ + i) * m + s;
      const double target = unit_uniform(splitmix64(stream ^ counter));
      double cumulative = 0.0;
      int64_t label = k - 1;  // rounding can leave the total just below 1: the last class then
      for (int64_t c = 0; c < k; ++c) {
        cumulative += probs[i][c];
        if (target < cumulative) {
          label = c;
          break;
        }
      }
      labels[i][s] = label;
    }
  }
}

at::Tensor GaussNewtonOperator::output_product(const at::Tensor& z, const at::Tensor& labels,
                                               int64_t first, const at::Tensor& jv) const {
  switch (options_.curvature) {
    case Curvature::kGgn: {
      // ∇²_z of −log softmax(z)_y (or of its smoothed average over classes) is diag(p) − ppᵀ.
      const at::Tensor p = torch::softmax(z, 1);
      return p * jv - p * (p * jv).sum(1, /*keepdim=*/true);
    }
    case Curvature::kEmpiricalFisher: {
      // r = ∇_z ℓ by autograd on the objective's own per-example loss, so label smoothing is
      // exactly the objective's; Λu = r (rᵀu).
      const at::Tensor leaf = z.detach().requires_grad_(true);
      at::Tensor r;
      {
        torch::AutoGradMode enable(true);
        r = torch::autograd::grad({objective().example_losses(leaf, labels).sum()}, {leaf})[0];
      }
      return r * (r * jv).sum(1, /*keepdim=*/true);
    }
    case Curvature::kMcFisher: {
      const int64_t batch = z.size(0), k = z.size(1);
      const at::Tensor drawn =
          sampled_labels_.narrow(0, first - labels_first_, batch).to(z.device());
      const at::Tensor p = torch::softmax(z, 1);
      // s_m = p − e(ŷ_m) for every draw: [B, M, K].
      const at::Tensor s = p.unsqueeze(1) - torch::one_hot(drawn, k).to(z.scalar_type());
      const at::Tensor coefficients = (s * jv.unsqueeze(1)).sum(2, /*keepdim=*/true);  // [B,M,1]
      return (s * coefficients).sum(1) / static_cast<double>(options_.mc_samples);
    }
    case Curvature::kHessian:
      break;
  }
  throw std::logic_error("GaussNewtonOperator: not a Gauss-Newton curvature");
}

ParamList GaussNewtonOperator::product(const ParamList& v) const {
  Model& model = objective().model();
  const ParamList params = pick(model.parameters());
  const ParamList direction = pick(v);
  ParamList result = zeros_like(model.parameters());
  const double n = static_cast<double>(objective().data().size());
  objective().visit_batches([&](const at::Tensor& x, const at::Tensor& y, int64_t first) {
    const at::Tensor z = model.forward(x);
    const at::Tensor jv = jacobian_vector_product(z, params, direction);
    if (!jv.defined()) return;  // the logits do not depend on the selection: a zero block
    at::Tensor weighted;
    {
      torch::NoGradGuard no_grad;
      weighted = output_product(z.detach(), y, first, jv) / n;
    }
    const auto parts = torch::autograd::grad({z}, params, {weighted}, /*retain_graph=*/false,
                                             /*create_graph=*/false, /*allow_unused=*/true);
    for (size_t j = 0; j < params.size(); ++j) {
      if (parts[j].defined()) result[selected()[j]].add_(parts[j]);
    }
  });
  objective().sum_over_ranks(result);
  return result;
}

}  // namespace sharpscope
