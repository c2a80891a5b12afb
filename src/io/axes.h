#pragma once
// Coordinate values shared by the result writers.
#include <cstdint>
#include <vector>

namespace sharpscope {

/// first, first + 1, ..., first + n − 1: the coordinate dataset of an index axis (configs, trials,
/// models, eigenvector ranks).
inline std::vector<double> index_values(int64_t n, double first = 0.0) {
  std::vector<double> values(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) values[static_cast<size_t>(i)] = first + static_cast<double>(i);
  return values;
}

}  // namespace sharpscope
