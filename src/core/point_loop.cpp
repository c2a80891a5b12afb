#include "sharpscope/core/point_loop.h"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "sharpscope/core/interrupt.h"
#include "sharpscope/core/progress.h"

namespace sharpscope {

void check_row(const PointStore& store, int64_t point, const std::vector<double>& row) {
  if (point < 0 || point >= store.points() || static_cast<int64_t>(row.size()) != store.width()) {
    throw std::invalid_argument("PointStore::record: point " + std::to_string(point) + " of " +
                                std::to_string(store.points()) + " with " +
                                std::to_string(row.size()) + " values, expected " +
                                std::to_string(store.width()));
  }
}

MemoryPoints::MemoryPoints(int64_t points, int64_t width)
    : points_(points),
      width_(width),
      values_(static_cast<size_t>(points * width), std::numeric_limits<double>::quiet_NaN()),
      done_(static_cast<size_t>(points), 0) {}

int64_t MemoryPoints::completed() const { return std::count(done_.begin(), done_.end(), 1); }

void MemoryPoints::record(int64_t point, const std::vector<double>& row) {
  check_row(*this, point, row);
  std::copy(row.begin(), row.end(), values_.begin() + point * width_);
  done_[point] = 1;
}

void run_pending_points(PointStore& rows, const std::string& label, const PointFunction& compute,
                        const PointDetail& detail) {
  // Whoever keeps resumable results wants the first Ctrl-C to save them rather than kill.
  install_interrupt_handler();
  Progress progress(label, rows.points());
  try {
    for (int64_t i = 0; i < rows.points(); ++i) {
      if (rows.done(i)) continue;
      const std::vector<double> row = compute(i);
      rows.record(i, row);
      progress.update(rows.completed(), detail ? detail(i, row) : std::string());
      if (interrupt_requested()) {
        rows.flush();
        throw_if_interrupted(rows.location());
      }
    }
  } catch (...) {
    // A failure at point i must not cost the points before it: they are saved for --resume. When
    // saving fails too (the failure may be a full disk), the first error is the one to report.
    try {
      rows.flush();
    } catch (const std::exception&) {
    }
    throw;
  }
  progress.finish();
}

}  // namespace sharpscope
