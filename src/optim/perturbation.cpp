#include "sharpscope/optim/perturbation.h"

#include <torch/torch.h>

#include "sharpscope/core/params.h"

namespace sharpscope {

ParamList Perturbation::epsilon() const { return scaled(direction, scale); }

namespace {

class MultiStepAscent : public AscentRule {
 public:
  explicit MultiStepAscent(AscentOptions options) : options_(std::move(options)) {
    options_.validate();
  }
  Perturbation perturb(ParamList& w, const GradientOracle& oracle, at::Generator&) const override {
    // keep_gradients: ∇L(w⁰) feeds the diagnostics and ∇L(w¹..w^{N−1}) feed MSAM (Kim et al. Eq.
    // 9).
    AscentTrace trace = ascend(w, oracle, options_, /*keep_gradients=*/true);
    Perturbation p;
    p.at_weights = {trace.losses.front(), std::move(trace.gradients.front())};
    for (size_t n = 1; n < trace.gradients.size(); ++n)
      p.intermediate.push_back(std::move(trace.gradients[n]));
    p.direction = std::move(trace.direction);
    p.scale = options_.rho;
    return p;
  }
  int passes() const override { return options_.steps; }

 private:
  AscentOptions options_;
};

class RandomAscent : public AscentRule {
 public:
  explicit RandomAscent(double rho) : rho_(rho) {}
  Perturbation perturb(ParamList& w, const GradientOracle& oracle,
                       at::Generator& generator) const override {
    Perturbation p;
    p.at_weights = oracle();
    torch::NoGradGuard no_grad;
    for (const auto& t : w) {
      // Drawn on the CPU generator and moved, so the noise is the same on every device.
      p.direction.push_back(torch::randn(t.sizes(), generator, torch::kDouble).to(t.options()));
    }
    p.scale = rho_ / norm(p.direction);
    return p;
  }
  int passes() const override { return 1; }

 private:
  double rho_;
};

class AdaptiveAscent : public AscentRule {
 public:
  AdaptiveAscent(double rho, double eta) : rho_(rho), eta_(eta) {}
  Perturbation perturb(ParamList& w, const GradientOracle& oracle, at::Generator&) const override {
    Perturbation p;
    p.at_weights = oracle();
    torch::NoGradGuard no_grad;
    ParamList scaled_gradient;  // T g
    for (size_t i = 0; i < w.size(); ++i) {
      const at::Tensor t = w[i].abs() + eta_;
      scaled_gradient.push_back(t * p.at_weights.gradient[i]);
      p.direction.push_back(t * scaled_gradient.back());  // T² g
    }
    const double tg_norm = norm(scaled_gradient);
    p.scale = tg_norm > 0.0 ? rho_ / tg_norm : 0.0;
    return p;
  }
  int passes() const override { return 1; }

 private:
  double rho_, eta_;
};

class StochasticWeightPerturbation : public AscentRule {
 public:
  StochasticWeightPerturbation(std::unique_ptr<AscentRule> inner, double beta)
      : inner_(std::move(inner)), beta_(beta) {}
  Perturbation perturb(ParamList& w, const GradientOracle& oracle,
                       at::Generator& generator) const override {
    Perturbation p = inner_->perturb(w, oracle, generator);
    torch::NoGradGuard no_grad;
    for (auto& d : p.direction) {
      const at::Tensor keep = torch::rand(d.sizes(), generator, torch::kDouble).lt(beta_);
      d.mul_(keep.to(d.options()));
    }
    p.scale /= beta_;
    return p;
  }
  int passes() const override { return inner_->passes(); }

 private:
  std::unique_ptr<AscentRule> inner_;
  double beta_;
};

}  // namespace

std::unique_ptr<AscentRule> multi_step_ascent(const AscentOptions& options) {
  return std::make_unique<MultiStepAscent>(options);
}
std::unique_ptr<AscentRule> random_ascent(double rho) {
  return std::make_unique<RandomAscent>(rho);
}
std::unique_ptr<AscentRule> adaptive_ascent(double rho, double eta) {
  return std::make_unique<AdaptiveAscent>(rho, eta);
}
std::unique_ptr<AscentRule> stochastic_weight_perturbation(std::unique_ptr<AscentRule> inner,
                                                           double beta) {
  return std::make_unique<StochasticWeightPerturbation>(std::move(inner), beta);
}

}  // namespace sharpscope
