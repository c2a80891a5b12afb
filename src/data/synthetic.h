#pragma once
// Seeded Gaussian class-blobs: a data set a small model learns in a few steps, for tests.
#include <cstdint>
#include <vector>

#include "sharpscope/data/loader.h"

namespace sharpscope::data_detail {

/// Generates the `split` of synthetic[:N,C,H,W,K,SEED] (`params` holds all six values).
/// Class k has a mean image with i.i.d. N(0,1) pixels drawn from SEED alone, so both splits share
/// the classes; example i has label i mod K and pixels mean_k + N(0,1) noise drawn from a stream
/// that depends on SEED and the split, so train and test differ. Both splits hold N examples.
Dataset make_synthetic(const std::vector<int64_t>& params, Split split);

}  // namespace sharpscope::data_detail
