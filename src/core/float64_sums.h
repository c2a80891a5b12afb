#pragma once
// Inner products of parameter lists accumulated in float64 without a float64 copy of the tensors.
// Converting a float32 gradient with .to(kDouble) before at::dot wrote and re-read three times the
// data a norm needs: a SAM-2 step spends several norms per step on it (bench/core_bench.cpp).
#include "sharpscope/core/types.h"

namespace sharpscope::detail {

/// Which of Σx², Σy², Σxy to form (the others are left at zero).
struct SumSelection {
  bool xx = false, yy = false, xy = false;
};
inline constexpr SumSelection kCrossSum{false, false, true};   // ⟨x, y⟩
inline constexpr SumSelection kSquareSum{true, false, false};  // ‖x‖²
inline constexpr SumSelection kAllSums{true, true, true};      // the Gram triple

struct Float64Sums {
  double xx = 0.0, yy = 0.0, xy = 0.0;
};

/// The selected sums over all tensor pairs (x[i], y[i]). The lists must have equal length (the
/// params.h callers check it, naming themselves); each pair must have equal numel. Every product
/// of float32 (or float64) values is formed exactly in float64 and summed in fixed blocks whose
/// partial sums are added in order, so the result does not depend on the thread count.
Float64Sums float64_sums(const ParamList& x, const ParamList& y, SumSelection which);

}  // namespace sharpscope::detail
