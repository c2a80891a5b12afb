#pragma once
/// The two training sets of an algorithmic-stability experiment (docs/math.md §8).
#include <cstdint>

#include "sharpscope/core/dataset.h"

namespace sharpscope {

/// One of the two neighbouring training sets of an algorithmic-stability experiment (docs/math.md
/// §8, 003 §5.2): S = `data` without example `removed`; with `replaced` ≥ 0, S′ = S with its
/// example at index `replaced` (an index into S) replaced by the removed one. Both have N − 1
/// examples and differ in exactly one. Throws UsageError naming --drop-example / --replace-example
/// when out of range.
Dataset neighbouring_set(const Dataset& data, int64_t removed, int64_t replaced = -1);

}  // namespace sharpscope
