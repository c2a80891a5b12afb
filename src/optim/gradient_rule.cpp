#include "sharpscope/optim/gradient_rule.h"

#include <torch/torch.h>

#include <cmath>
#include <sstream>

#include "sharpscope/core/error.h"
#include "sharpscope/core/number_text.h"
#include "sharpscope/core/params.h"
#include "sharpscope/core/shifted_weights.h"
#include "sharpscope/optim/perturbation.h"

namespace sharpscope {

std::string to_string(Variant variant) {
  switch (variant) {
    case Variant::kSgd:
      return "sgd";
    case Variant::kSam:
      return "sam";
    case Variant::kMsam:
      return "msam";
    case Variant::kRandSam:
      return "rand-sam";
    case Variant::kAsam:
      return "asam";
  }
  return "?";
}

std::string to_string(Schedule schedule) {
  switch (schedule) {
    case Schedule::kAlways:
      return "always";
    case Schedule::kPsam:
      return "psam";
    case Schedule::kSgdSam:
      return "sgd-sam";
    case Schedule::kSamSgd:
      return "sam-sgd";
  }
  return "?";
}

ParamList orthogonal_part(const ParamList& g, const ParamList& p) {
  ParamList result = clone(g);
  const double pp = dot(p, p);
  if (pp > 0.0) axpy(-dot(g, p) / pp, p, result);
  return result;
}

double renormalization_factor(double gradient_norm, double ascent_gradient_norm,
                              std::optional<double> clamp) {
  if (!(ascent_gradient_norm > 0.0)) return 1.0;
  double gamma = gradient_norm / ascent_gradient_norm;
  if (clamp) gamma = std::min(std::max(gamma, *clamp), std::sqrt(*clamp));
  return gamma;
}

bool sharpness_step(const RuleOptions& o, int64_t step, int64_t total) {
  if (o.variant == Variant::kSgd) return false;
  if (o.schedule == Schedule::kPsam) {
    const int64_t threshold = o.psam_threshold.value_or(total);
    return step >= threshold || step % o.psam_period == 0;
  }
  const bool switched = static_cast<double>(step) >= o.switch_at * static_cast<double>(total);
  if (o.schedule == Schedule::kSgdSam) return switched;
  if (o.schedule == Schedule::kSamSgd) return !switched;
  return true;
}

namespace {

StepDiagnostics diagnose(const LossGradient& at_w, double perturbed_loss, const ParamList& g_asc) {
  StepDiagnostics d;
  d.loss = at_w.loss;
  d.perturbed_loss = perturbed_loss;
  const Gram g = gram(at_w.gradient, g_asc);
  d.gradient_norm = std::sqrt(g.xx);
  d.ascent_gradient_norm = std::sqrt(g.yy);
  d.norm_ratio = d.ascent_gradient_norm / d.gradient_norm;
  d.alignment = g.xy / (d.gradient_norm * d.gradient_norm);
  d.exact_surrogate_norm_ratio = d.gradient_norm / d.ascent_gradient_norm;
  d.ascent_inner_excess = g.xy - g.xx;
  return d;
}

// A plain step's g_asc is ∇L_B(w) itself: one norm, ratio and alignment 1 by definition.
StepDiagnostics diagnose_plain(const LossGradient& at_w) {
  StepDiagnostics d;
  d.loss = d.perturbed_loss = at_w.loss;
  d.gradient_norm = d.ascent_gradient_norm = norm(at_w.gradient);
  d.norm_ratio = d.alignment = d.exact_surrogate_norm_ratio = 1.0;
  d.ascent_inner_excess = 0.0;
  return d;
}

class PlainGradient : public GradientRule {
 public:
  StepGradient compute(ParamList&, const BatchView& view, const StepContext&) const override {
    const double before = view.batch->passes();
    LossGradient at_w = view.gradient();
    StepGradient out;
    out.diagnostics = diagnose_plain(at_w);
    out.diagnostics.passes = view.batch->passes() - before;
    out.gradient = std::move(at_w.gradient);
    return out;
  }
};

struct DescentOptions {
  bool mean_gradients = false;  // MSAM
  double gsam_alpha = 0.0;
  bool stable = false;
  std::optional<double> stable_clamp;
};

class SharpnessGradient : public GradientRule {
 public:
  SharpnessGradient(std::unique_ptr<AscentRule> ascent, DescentOptions descent)
      : ascent_(std::move(ascent)), descent_(descent) {}

  StepGradient compute(ParamList& w, const BatchView& view,
                       const StepContext& context) const override {
    const double before = view.batch->passes();
    Perturbation p = ascent_->perturb(w, view.oracle(), *context.generator);
    LossGradient at_perturbed;
    {
      // w itself is never written, so the base optimizer sees it bit-exactly.
      const ShiftedWeights at_perturbed_point(w, p.scale, p.direction);
      at_perturbed = view.gradient();
    }

    ParamList g_asc = std::move(at_perturbed.gradient);
    if (descent_.mean_gradients && !p.intermediate.empty()) {
      // Kim et al. Eq. 9: (1/N) Σ_{n=1..N} ∇L(w^{p_N^n}); the intermediate points are the raw
      // iterates w¹..w^{N−1} whose gradients the ascent already computed (docs/math.md §1).
      for (const auto& g_n : p.intermediate) axpy(1.0, g_n, g_asc);
      scale(g_asc, 1.0 / static_cast<double>(p.intermediate.size() + 1));
    }
    StepGradient out;
    out.diagnostics = diagnose(p.at_weights, at_perturbed.loss, g_asc);
    out.diagnostics.sharpness = true;

    out.gradient = g_asc;
    if (descent_.gsam_alpha > 0.0) {
      // Zhuang et al. 2022 Alg. 1: descend ∇L(w^p) − α g⊥, g⊥ ⟂ ∇L(w^p).
      axpy(-descent_.gsam_alpha, orthogonal_part(p.at_weights.gradient, g_asc), out.gradient);
    }
    if (descent_.stable) {
      // 003 Alg. 1 line 6, applied to the gradient actually handed on, so its norm is ‖∇L_B(w)‖.
      scale(out.gradient, renormalization_factor(out.diagnostics.gradient_norm, norm(out.gradient),
                                                 descent_.stable_clamp));
    }
    out.diagnostics.passes = view.batch->passes() - before;
    return out;
  }

 private:
  std::unique_ptr<AscentRule> ascent_;
  DescentOptions descent_;
};

// PSAM and switching: each step is either a plain or a sharpness-aware one.
class ScheduledGradient : public GradientRule {
 public:
  ScheduledGradient(std::unique_ptr<GradientRule> sharp, RuleOptions options)
      : sharp_(std::move(sharp)), options_(std::move(options)) {}
  StepGradient compute(ParamList& w, const BatchView& view,
                       const StepContext& context) const override {
    if (sharpness_step(options_, context.step, context.total_steps))
      return sharp_->compute(w, view, context);
    return plain_.compute(w, view, context);
  }

 private:
  std::unique_ptr<GradientRule> sharp_;
  PlainGradient plain_;
  RuleOptions options_;
};

// m-sharpness (Foret et al. 2021 §4.1): every chunk of m examples takes its own ascent; the
// chunks' gradients and diagnostics are averaged weighted by chunk size, which for plain SGD
// reproduces the whole-batch gradient.
class ChunkedGradient : public GradientRule {
 public:
  ChunkedGradient(std::unique_ptr<GradientRule> inner, int64_t m)
      : inner_(std::move(inner)), m_(m) {}
  StepGradient compute(ParamList& w, const BatchView& view,
                       const StepContext& context) const override {
    StepGradient total;
    StepDiagnostics& d = total.diagnostics;
    for (int64_t offset = 0; offset < view.count; offset += m_) {
      const int64_t count = std::min(m_, view.count - offset);
      const double weight = static_cast<double>(count) / static_cast<double>(view.count);
      StepGradient part = inner_->compute(w, {view.batch, view.start + offset, count}, context);
      if (total.gradient.empty()) total.gradient = zeros_like(part.gradient);
      axpy(weight, part.gradient, total.gradient);
      const StepDiagnostics& p = part.diagnostics;
      d.loss += weight * p.loss;
      d.perturbed_loss += weight * p.perturbed_loss;
      d.gradient_norm += weight * p.gradient_norm;
      d.ascent_gradient_norm += weight * p.ascent_gradient_norm;
      d.norm_ratio += weight * p.norm_ratio;
      d.alignment += weight * p.alignment;
      d.exact_surrogate_norm_ratio += weight * p.exact_surrogate_norm_ratio;
      d.ascent_inner_excess += weight * p.ascent_inner_excess;
      d.passes += p.passes;
      d.sharpness = p.sharpness;
    }
    return total;
  }

 private:
  std::unique_ptr<GradientRule> inner_;
  int64_t m_;
};

std::unique_ptr<AscentRule> make_ascent(const RuleOptions& o) {
  std::unique_ptr<AscentRule> ascent;
  if (o.variant == Variant::kRandSam) {
    ascent = random_ascent(o.ascent.rho);
  } else if (o.variant == Variant::kAsam) {
    ascent = adaptive_ascent(o.ascent.rho, o.asam_eta);
  } else {
    ascent = multi_step_ascent(o.ascent);
  }
  if (o.esam_beta < 1.0) ascent = stochastic_weight_perturbation(std::move(ascent), o.esam_beta);
  return ascent;
}

}  // namespace

void RuleOptions::validate() const {
  ascent.validate();
  if ((variant == Variant::kRandSam || variant == Variant::kAsam) && ascent.steps != 1) {
    throw UsageError("--steps = " + std::to_string(ascent.steps) + ": " + to_string(variant) +
                     " takes a single ascent step");
  }
  if (!(asam_eta > 0.0) || !std::isfinite(asam_eta)) {
    throw UsageError("--asam-eta = " + number_text(asam_eta) + ": must be > 0");
  }
  if (stable_clamp && !(*stable_clamp > 0.0 && *stable_clamp < 1.0)) {
    throw UsageError("--stable-clamp = " + number_text(*stable_clamp) +
                     ": must be in (0, 1) (003 Remark 19)");
  }
  if (!(gsam_alpha >= 0.0) || !std::isfinite(gsam_alpha)) {
    throw UsageError("--gsam-alpha = " + number_text(gsam_alpha) + ": must be >= 0");
  }
  if (!(esam_beta > 0.0 && esam_beta <= 1.0)) {
    throw UsageError("--esam-beta = " + number_text(esam_beta) + ": must be in (0, 1]");
  }
  if (m < 0)
    throw UsageError("--m-sharpness = " + std::to_string(m) + ": must be >= 0 (0 = whole batch)");
  if (psam_period < 1)
    throw UsageError("--psam-period = " + std::to_string(psam_period) + ": must be >= 1");
  if (psam_threshold && *psam_threshold < 0) {
    throw UsageError("--psam-threshold = " + std::to_string(*psam_threshold) + ": must be >= 0");
  }
  if (!(switch_at >= 0.0 && switch_at <= 1.0)) {
    throw UsageError("--switch-at = " + number_text(switch_at) + ": must be in [0, 1]");
  }
  if (variant == Variant::kSgd) {
    const char* modifier = stable                          ? "--stable"
                           : stable_clamp                  ? "--stable-clamp"
                           : gsam_alpha > 0.0              ? "--gsam-alpha"
                           : esam_beta < 1.0               ? "--esam-beta"
                           : schedule != Schedule::kAlways ? "--schedule"
                                                           : nullptr;
    if (modifier) {
      throw UsageError(
          std::string(modifier) +
          ": needs an ascent variant (--optimizer sam, msam, rand-sam or asam), not sgd");
    }
  }
  if (stable_clamp && !stable) throw UsageError("--stable-clamp: needs --stable");
}

std::string RuleOptions::describe() const {
  std::ostringstream out;
  out << to_string(variant);
  if (variant == Variant::kSgd) {
    if (m > 0) out << " m=" << m;
    return out.str();
  }
  if (variant == Variant::kSam || variant == Variant::kMsam) out << "-" << ascent.steps;
  out << " rho=" << ascent.rho;
  if (!ascent.ratio.empty()) {
    out << " ratio=";
    for (size_t i = 0; i < ascent.ratio.size(); ++i) out << (i ? ":" : "") << ascent.ratio[i];
  }
  if (variant == Variant::kAsam) out << " eta=" << asam_eta;
  if (esam_beta < 1.0) out << " +esam(beta=" << esam_beta << ")";
  if (gsam_alpha > 0.0) out << " +gsam(alpha=" << gsam_alpha << ")";
  if (stable)
    out << " +stable" << (stable_clamp ? "(clamp=" + number_text(*stable_clamp) + ")" : "");
  if (m > 0) out << " m=" << m;
  if (schedule == Schedule::kPsam) {
    out << " psam(n=" << psam_period
        << ", E=" << (psam_threshold ? std::to_string(*psam_threshold) : "all") << ")";
  } else if (schedule != Schedule::kAlways) {
    out << " " << to_string(schedule) << "@" << switch_at;
  }
  return out.str();
}

std::unique_ptr<GradientRule> make_rule(const RuleOptions& o) {
  o.validate();
  std::unique_ptr<GradientRule> rule;
  if (o.variant == Variant::kSgd) {
    rule = std::make_unique<PlainGradient>();
  } else {
    rule = std::make_unique<SharpnessGradient>(
        make_ascent(o),
        DescentOptions{o.variant == Variant::kMsam, o.gsam_alpha, o.stable, o.stable_clamp});
    if (o.schedule != Schedule::kAlways)
      rule = std::make_unique<ScheduledGradient>(std::move(rule), o);
  }
  if (o.m > 0) rule = std::make_unique<ChunkedGradient>(std::move(rule), o.m);
  return rule;
}

}  // namespace sharpscope
