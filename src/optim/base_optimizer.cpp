#include "sharpscope/optim/base_optimizer.h"

#include <torch/torch.h>

#include <cmath>
#include <sstream>

#include "sharpscope/core/error.h"
#include "sharpscope/core/number_text.h"

namespace sharpscope {
namespace {

void require(bool ok, const std::string& flag, double value, const std::string& rule) {
  if (!ok) throw UsageError(flag + " = " + number_text(value) + ": " + rule);
}

}  // namespace

std::string to_string(BaseKind kind) { return kind == BaseKind::kSgd ? "sgd" : "adamw"; }

std::string to_string(LrScheduleKind kind) {
  switch (kind) {
    case LrScheduleKind::kConstant:
      return "constant";
    case LrScheduleKind::kStep:
      return "step";
    case LrScheduleKind::kCosine:
      return "cosine";
  }
  return "?";
}

void BaseOptimizerOptions::validate() const {
  require(lr > 0.0 && std::isfinite(lr), "--lr", lr, "must be > 0");
  require(momentum >= 0.0 && momentum < 1.0, "--momentum", momentum, "must be in [0, 1)");
  if (nesterov && (kind != BaseKind::kSgd || momentum == 0.0)) {
    throw UsageError("--nesterov: needs --base sgd and --momentum > 0");
  }
  require(weight_decay >= 0.0 && std::isfinite(weight_decay), "--weight-decay", weight_decay,
          "must be >= 0");
  require(beta1 >= 0.0 && beta1 < 1.0, "--adam-beta1", beta1, "must be in [0, 1)");
  require(beta2 >= 0.0 && beta2 < 1.0, "--adam-beta2", beta2, "must be in [0, 1)");
  require(eps > 0.0, "--adam-eps", eps, "must be > 0");
}

std::string BaseOptimizerOptions::describe() const {
  std::ostringstream out;
  out << to_string(kind) << " lr=" << lr;
  if (kind == BaseKind::kSgd) {
    out << " momentum=" << momentum << (nesterov ? " nesterov" : "");
  } else {
    out << " betas=" << beta1 << "," << beta2 << " eps=" << eps;
  }
  out << " wd=" << weight_decay;
  return out.str();
}

void LrSchedule::validate() const {
  require(gamma > 0.0 && std::isfinite(gamma), "--lr-gamma", gamma, "must be > 0");
  if (warmup_steps < 0)
    require(false, "--warmup", static_cast<double>(warmup_steps), "must be >= 0");
}

double LrSchedule::lr_at(int64_t step, int64_t total_steps, double base_lr) const {
  if (step < warmup_steps)
    return base_lr * static_cast<double>(step + 1) / static_cast<double>(warmup_steps);
  if (kind == LrScheduleKind::kStep) {
    double lr = base_lr;
    for (int64_t m : milestones) lr *= step >= m ? gamma : 1.0;
    return lr;
  }
  if (kind == LrScheduleKind::kCosine) {
    const double span = static_cast<double>(std::max<int64_t>(total_steps - warmup_steps, 1));
    return 0.5 * base_lr * (1.0 + std::cos(M_PI * static_cast<double>(step - warmup_steps) / span));
  }
  return base_lr;
}

std::string LrSchedule::describe() const {
  std::ostringstream out;
  out << to_string(kind);
  if (kind == LrScheduleKind::kStep) {
    out << " gamma=" << gamma << " milestones=";
    for (size_t i = 0; i < milestones.size(); ++i) out << (i ? "," : "") << milestones[i];
  }
  if (warmup_steps > 0) out << " warmup=" << warmup_steps << " steps";
  return out.str();
}

BaseOptimizer::BaseOptimizer(const ParamList& params, const BaseOptimizerOptions& o)
    : params_(params) {
  o.validate();
  std::vector<at::Tensor> tensors(params.begin(), params.end());
  if (o.kind == BaseKind::kSgd) {
    optimizer_ = std::make_unique<torch::optim::SGD>(tensors, torch::optim::SGDOptions(o.lr)
                                                                  .momentum(o.momentum)
                                                                  .nesterov(o.nesterov)
                                                                  .weight_decay(o.weight_decay));
  } else {
    optimizer_ = std::make_unique<torch::optim::AdamW>(tensors, torch::optim::AdamWOptions(o.lr)
                                                                    .betas({o.beta1, o.beta2})
                                                                    .eps(o.eps)
                                                                    .weight_decay(o.weight_decay));
  }
}

BaseOptimizer::~BaseOptimizer() = default;

void BaseOptimizer::step(const ParamList& gradient, double lr) {
  for (auto& group : optimizer_->param_groups()) group.options().set_lr(lr);
  for (size_t i = 0; i < params_.size(); ++i) params_[i].mutable_grad() = gradient[i];
  optimizer_->step();
}

void BaseOptimizer::save(torch::serialize::OutputArchive& archive) const {
  optimizer_->save(archive);
}
void BaseOptimizer::load(torch::serialize::InputArchive& archive) { optimizer_->load(archive); }

}  // namespace sharpscope
