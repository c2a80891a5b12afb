#pragma once
/// Parameter-space linear algebra over ParamList: the primitives every analysis is written in.
/// All reductions accumulate in float64 whatever the tensors' dtype, and all functions run under
/// no-grad: they operate on values, never on the autograd graph.
#include <utility>

#include "sharpscope/core/types.h"

namespace sharpscope {

/// Σᵢ ⟨xᵢ, yᵢ⟩ over all tensors, accumulated in float64. Shapes must match pairwise.
double dot(const ParamList& x, const ParamList& y);

/// Global L2 norm ‖x‖ = sqrt(dot(x, x)).
double norm(const ParamList& x);

/// ⟨x,x⟩, ⟨y,y⟩ and ⟨x,y⟩ in one pass over x and y (the same sums as three dot() calls at a third
/// of the reads: per-step diagnostics, cosines).
struct Gram {
  double xx = 0.0, yy = 0.0, xy = 0.0;
};
Gram gram(const ParamList& x, const ParamList& y);

/// y ← y + a·x, in place.
void axpy(double a, const ParamList& x, ParamList& y);

/// x ← a·x, in place.
void scale(ParamList& x, double a);

/// a·x as new tensors (one pass, where a copy then a scale would take two).
ParamList scaled(const ParamList& x, double a);

/// x + a·y as new tensors (one pass, where a copy then an axpy would take two).
ParamList combination(const ParamList& x, double a, const ParamList& y);

/// Detached deep copies (same dtype and device), safe to keep while the model changes.
ParamList clone(const ParamList& x);

/// Zero tensors shaped like x.
ParamList zeros_like(const ParamList& x);

/// x/‖x‖ as a new list. A zero vector is returned unchanged (callers check the norm if it matters).
ParamList normalized(const ParamList& x);

/// Copies the values of `source` into the tensors of `target` (e.g. a model's parameters).
void assign(ParamList& target, const ParamList& source);

/// Sets target ← base + Σ cᵢ·dᵢ from a saved copy of the base point, never by accumulating
/// increments, so no rounding drift builds up over a grid (docs/math.md §4).
void set_combination(ParamList& target, const ParamList& base,
                     const std::vector<std::pair<double, const ParamList*>>& terms);

/// Concatenates all tensors into one flat float64 CPU vector of length Σ numel.
at::Tensor flatten(const ParamList& x);

/// Splits a flat vector into tensors shaped (and typed, and placed) like `like`.
ParamList unflatten(const at::Tensor& flat, const ParamList& like);

/// Total number of scalars Σ numel.
int64_t numel(const ParamList& x);

/// Cosine similarity ⟨x,y⟩/(‖x‖‖y‖); NaN when either vector is zero.
double cosine(const ParamList& x, const ParamList& y);

}  // namespace sharpscope
