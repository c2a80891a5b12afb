#pragma once
/// The generalized Gauss–Newton matrix and the two Fisher matrices of the mean loss (docs/math.md
/// §17), as curvatures of the one operator concept (hessian/curvature_operator.h). All three have
/// the form M = (1/n) Σᵢ Jᵢᵀ Λᵢ Jᵢ, Jᵢ [K, d] the Jacobian of example i's logits zᵢ with respect to
/// the selected parameters, and differ only in the K×K output matrix Λᵢ:
///
///   ggn        Λᵢ = ∇²_z ℓᵢ = diag(pᵢ) − pᵢpᵢᵀ, pᵢ = softmax(zᵢ) — the same with or without label
///              smoothing (the smoothed target enters the loss linearly in z)
///   ef         Λᵢ = rᵢrᵢᵀ, rᵢ = ∇_z ℓᵢ = pᵢ − qᵢ (qᵢ the possibly smoothed target), so that
///              Jᵢᵀrᵢ = gᵢ = ∇ℓᵢ and M = (1/n) Σ gᵢgᵢᵀ, the empirical Fisher
///   mc-fisher  Λᵢ = (1/M) Σₘ sᵢₘsᵢₘᵀ, sᵢₘ = pᵢ − e(ŷᵢₘ), labels ŷᵢₘ ~ Categorical(pᵢ) drawn once
///              when the operator is built; E[Λᵢ] = diag(pᵢ) − pᵢpᵢᵀ, so E[M] = G
///
/// A product M·v never materializes a Jacobian: per batch, one forward pass gives the logits z;
/// J v comes from a vector-Jacobian product differentiated once more (the double-vjp trick:
/// Jᵀu is linear in a dummy u, and J v = ∂/∂u [(Jᵀu)·v]); Λ is applied to J v in output space
/// (B×K numbers); one more vector-Jacobian product gives Jᵀ(Λ J v). Cost per product, over S:
/// one forward, one backward that records its graph, one backward through that graph (to u) and
/// one plain backward — about the work of one exact HVP (docs/hessian.md measures both). Memory:
/// one batch's graph, as for an HVP; no per-example gradient is ever stored.
#include <cstdint>
#include <string>
#include <vector>

#include "sharpscope/hessian/curvature_operator.h"

namespace sharpscope {

struct GaussNewtonOptions {
  Curvature curvature = Curvature::kGgn;  ///< kGgn, kEmpiricalFisher or kMcFisher
  /// ECMAScript regex on Model::parameter_names() (std::regex_search); empty = all.
  std::string params_regex;
  int mc_samples = 1;  ///< M, labels drawn per example (mc-fisher only)
  uint64_t seed = 0;   ///< mc-fisher: the seed of the label draws (docs/math.md §17)
  /// UsageError naming --curvature (kHessian is not a Gauss–Newton curvature), --mc-samples or
  /// --params.
  void validate() const;
};

class GaussNewtonOperator : public CurvatureOperator {
 public:
  /// Binds an objective (which must outlive the operator). For mc-fisher, draws the labels now:
  /// one forward pass over S at the current weights. UsageError as GaussNewtonOptions::validate,
  /// and naming --params when the regex selects nothing.
  GaussNewtonOperator(const Objective& objective, GaussNewtonOptions options);
  /// The same over an explicit selection (indices into Model::parameters(), ascending);
  /// options.params_regex is then ignored. The same seed draws the same labels whatever the
  /// selection, so the blocks of several such operators are blocks of one matrix.
  GaussNewtonOperator(const Objective& objective, GaussNewtonOptions options,
                      std::vector<size_t> selected);

  /// mc-fisher: the labels drawn, int64 [n, M] on the CPU (row i: example i of this rank's share
  /// of S, all of S in one process); undefined for the other curvatures.
  const at::Tensor& sampled_labels() const { return sampled_labels_; }
  const GaussNewtonOptions& options() const { return options_; }
  Curvature curvature() const override { return options_.curvature; }
  std::string describe() const override;

 protected:
  /// Cost: one forward + three backward-type passes over S (see above).
  ParamList product(const ParamList& v) const override;

 private:
  /// Λ·jv for one batch: logits [B, K] (detached), labels [B], the batch's first index in S.
  at::Tensor output_product(const at::Tensor& logits, const at::Tensor& labels, int64_t first,
                            const at::Tensor& jv) const;
  void draw_labels();

  GaussNewtonOptions options_;
  at::Tensor sampled_labels_;
  int64_t labels_first_ = 0;  // index in S of sampled_labels_'s first row
};

}  // namespace sharpscope
