#pragma once
/// Shared test helpers: one tensor-comparison assertion, tiny models with a few dozen parameters
/// whose Hessians can be built explicitly, and small in-memory data sets.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>

#include "sharpscope/core/model.h"
#include "sharpscope/core/types.h"
#include "sharpscope/core/zoo.h"
#include "sharpscope/data/loader.h"

namespace sharpscope::testing {

/// Tolerances used across the suite, named so each assertion says what it relies on.
/// float64 round-off of sums over a few thousand terms: ~1e-13 relative; we allow 1e-10.
inline constexpr double kFloat64Exact = 1e-10;
/// Central finite differences with h = 1e-5 in float64 have O(h²) = 1e-10 truncation error and
/// O(ε/h) = 1e-11 round-off per unit of curvature; 1e-6 relative leaves a wide margin.
inline constexpr double kFiniteDifference = 1e-6;

/// Compares two tensors: shape, dtype and device must match (reported first), then values within
/// |a-b| <= atol + rtol*|b|. Returns a gtest assertion result naming the worst element.
::testing::AssertionResult tensors_near(const at::Tensor& a, const at::Tensor& b, double rtol,
                                        double atol = 0.0);
::testing::AssertionResult params_near(const ParamList& a, const ParamList& b, double rtol,
                                       double atol = 0.0);
/// Bit-exact equality of every tensor.
::testing::AssertionResult params_equal(const ParamList& a, const ParamList& b);

/// A two-layer tanh network Linear(D→H) → tanh → Linear(H→K), optionally with BatchNorm1d after
/// the first layer. With D=4, H=5, K=3: 25 + 18 = 43 parameters — small enough for dense Hessians.
struct TinyNet : Network {
  TinyNet(int64_t in, int64_t hidden, int64_t classes, bool batch_norm);
  at::Tensor forward(const at::Tensor& input) override;
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
  torch::nn::BatchNorm1d bn{nullptr};
};

/// A TinyNet Model in float64 on CPU, initialized from `seed`.
Model tiny_model(uint64_t seed = 0, bool batch_norm = false, int64_t in = 4, int64_t hidden = 5,
                 int64_t classes = 3);

/// A model linear in its parameters, logits = W x + b (Linear(D→K)): its Hessian is exactly its
/// GGN, since the logits have no second derivative in w. With D=4, K=3: 15 parameters.
struct LinearNet : Network {
  LinearNet(int64_t in, int64_t classes);
  at::Tensor forward(const at::Tensor& input) override;
  torch::nn::Linear fc{nullptr};
};
Model tiny_linear_model(uint64_t seed = 0, int64_t in = 4, int64_t classes = 3);

/// `n` random examples of shape [n,1,2,2] (D = 4 features) with `classes` labels, from `seed`.
Dataset tiny_dataset(int64_t n, uint64_t seed = 1, int64_t classes = 3);

/// The mean cross-entropy over all of `data` in one forward call (with label smoothing
/// `smoothing`), written independently of Objective (the oracle the objective and Hessian tests
/// compare against).
at::Tensor direct_loss(Model& model, const Dataset& data, double smoothing = 0.0);

/// Dense Hessian [d, d] of direct_loss by autograd, one row per parameter (differentiating each
/// gradient entry). Float64 models only; d² entries, so for models of a few dozen parameters.
at::Tensor dense_hessian(Model& model, const Dataset& data, double smoothing = 0.0);

/// The Jacobians of every example's logits, [n, K, d]: one forward pass over all of `data`, then
/// one backward per logit (so a model in train mode couples the examples through BatchNorm, as
/// one batch of the whole data would).
at::Tensor logit_jacobians(Model& model, const Dataset& data);

/// The generalized Gauss–Newton matrix [d, d] assembled explicitly, (1/n) Σ Jᵢᵀ Λᵢ Jᵢ with the
/// per-example Jacobians above and Λᵢ = diag(pᵢ) − pᵢpᵢᵀ written out entry by entry.
at::Tensor dense_ggn(Model& model, const Dataset& data);

/// Per-example gradients [n, d] of the cross-entropy of example i with label `labels[i]` and
/// label smoothing `smoothing`, one backward each (no Jacobian involved).
at::Tensor per_example_gradients(Model& model, const Dataset& data, const at::Tensor& labels,
                                 double smoothing = 0.0);

/// The empirical Fisher (1/n) Σ gᵢgᵢᵀ [d, d] from per_example_gradients with the data's labels.
at::Tensor dense_empirical_fisher(Model& model, const Dataset& data, double smoothing = 0.0);

/// The Monte-Carlo Fisher (1/(nM)) Σᵢ Σₘ ĝᵢₘĝᵢₘᵀ [d, d] for given sampled labels [n, M], each
/// ĝ the gradient of −log p(ŷ | xᵢ) (no smoothing).
at::Tensor dense_mc_fisher(Model& model, const Dataset& data, const at::Tensor& sampled);

}  // namespace sharpscope::testing
