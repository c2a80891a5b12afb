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

/// `n` random examples of shape [n,1,2,2] (D = 4 features) with `classes` labels, from `seed`.
Dataset tiny_dataset(int64_t n, uint64_t seed = 1, int64_t classes = 3);

/// The mean cross-entropy over all of `data` in one forward call, written independently of
/// Objective (the oracle the objective and Hessian tests compare against).
at::Tensor direct_loss(Model& model, const Dataset& data);

/// Dense Hessian [d, d] of direct_loss by autograd, one row per parameter (differentiating each
/// gradient entry). Float64 models only; d² entries, so for models of a few dozen parameters.
at::Tensor dense_hessian(Model& model, const Dataset& data);

}  // namespace sharpscope::testing
