#pragma once
// A tiny float64 problem (testing::tiny_model on testing::tiny_dataset), with direct (independent)
// evaluations at any point: the weights are written by plain tensor copies, not through the code
// under test.
#include <torch/torch.h>

#include <optional>

#include "sharpscope/core/model.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/params.h"
#include "support/testing.h"

namespace sharpscope::testing {

struct TinyProblem {
  /// The data are drawn from `data_seed`, by default seed + 1.
  explicit TinyProblem(int64_t examples = 48, int64_t batch_size = 1024, uint64_t seed = 0,
                       std::optional<uint64_t> data_seed = std::nullopt)
      : model(tiny_model(seed)),
        data(tiny_dataset(examples, data_seed.value_or(seed + 1))),
        objective(model, data, ObjectiveOptions{batch_size}),
        w0(clone(model.parameters())) {}

  // Evaluates at `point` by copying it into the model, then puts w back.
  Evaluation evaluate_at(const ParamList& point, const Objective* on = nullptr) {
    set(point);
    const Evaluation e = (on ? *on : objective).evaluate();
    set(w0);
    return e;
  }
  ParamList gradient_at(const ParamList& point, const Objective* on = nullptr) {
    set(point);
    ParamList g = (on ? *on : objective).gradient().gradient;
    set(w0);
    return g;
  }
  // w + Σ c·d, with plain tensor arithmetic.
  ParamList point(const std::vector<std::pair<double, const ParamList*>>& terms) const {
    ParamList p;
    for (size_t i = 0; i < w0.size(); ++i) {
      at::Tensor t = w0[i].clone();
      for (const auto& [c, d] : terms) t = t + c * (*d)[i];
      p.push_back(t);
    }
    return p;
  }
  // v_N by an independent N-step ascent (docs/math.md §1), ρₙ = ρ/N.
  ParamList ascent_direction(int steps, double rho, const Objective* on = nullptr) {
    ParamList w = clone(w0);
    for (int n = 0; n < steps; ++n) {
      const ParamList g = gradient_at(w, on);
      double g_norm = 0.0;
      for (const auto& t : g) g_norm += t.pow(2).sum().item<double>();
      g_norm = std::sqrt(g_norm);
      for (size_t i = 0; i < w.size(); ++i) w[i] = w[i] + (rho / steps / g_norm) * g[i];
    }
    ParamList d;
    double d_norm = 0.0;
    for (size_t i = 0; i < w.size(); ++i) {
      d.push_back(w[i] - w0[i]);
      d_norm += d.back().pow(2).sum().item<double>();
    }
    for (auto& t : d) t = t / std::sqrt(d_norm);
    return d;
  }
  void set(const ParamList& point) {
    torch::NoGradGuard no_grad;
    for (size_t i = 0; i < point.size(); ++i) model.parameters()[i].copy_(point[i]);
  }
  ::testing::AssertionResult weights_restored() { return params_equal(model.parameters(), w0); }

  Model model;
  Dataset data;
  Objective objective;
  ParamList w0;
};

// Tolerances of this suite: the code under test and the direct evaluations do the same float64
// arithmetic in a different order (e.g. w + x d1 + y d2 fused vs. sequential).
inline constexpr double kSameMath = 1e-12;

}  // namespace sharpscope::testing
