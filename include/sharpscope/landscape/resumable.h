#pragma once
/// The loop every resumable grid runs: compute each point the store does not hold yet, record its
/// row, show progress with ETA, and on Ctrl-C or an exception save the rows done so far before
/// leaving (io/partial_grid.h). Points must be independent (each set from the saved w).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sharpscope {

class PartialGrid;

/// Computes the row of point `index` (width = rows.width()).
using PointFunction = std::function<std::vector<double>(int64_t index)>;

/// Runs `compute` for every point not yet done in `rows`, in index order. Throws Interrupted (after
/// flushing) on Ctrl-C; any other exception is rethrown after flushing. `label` names the progress
/// bar.
void run_pending_points(PartialGrid& rows, const std::string& label, const PointFunction& compute);

}  // namespace sharpscope
