#pragma once
/// A result that is more than a fixed tuple of numbers, packed into one of the point loop's rows
/// (core/point_loop.h) so that it can travel between ranks and be saved for --resume: scalars in
/// order, each array as its length and then its values, the rest of the row NaN. It is read back
/// in the order it was packed. The row's width is fixed by the command beforehand, from the
/// largest result its options allow (packed_width).
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "sharpscope/core/point_loop.h"

namespace sharpscope {

/// Width of a row holding `scalars` scalars and arrays of at most `array_capacities` values.
inline int64_t packed_width(int64_t scalars, const std::vector<int64_t>& array_capacities) {
  int64_t width = scalars;
  for (int64_t capacity : array_capacities) width += 1 + capacity;
  return width;
}

class RowPacker {
 public:
  explicit RowPacker(int64_t width)
      : row_(static_cast<size_t>(width), std::numeric_limits<double>::quiet_NaN()) {}

  RowPacker& scalar(double value) {
    room_for(1);
    row_[next_++] = value;
    return *this;
  }

  RowPacker& array(const std::vector<double>& values) {
    room_for(1 + values.size());
    row_[next_++] = static_cast<double>(values.size());
    for (double v : values) row_[next_++] = v;
    return *this;
  }

  std::vector<double> row() && { return std::move(row_); }

 private:
  void room_for(size_t values) const {
    if (next_ + values > row_.size()) {
      throw std::logic_error("RowPacker: " + std::to_string(next_ + values) +
                             " values do not fit a row of " + std::to_string(row_.size()));
    }
  }

  std::vector<double> row_;
  size_t next_ = 0;
};

/// Reads the row of `point` back, in packing order.
class RowUnpacker {
 public:
  RowUnpacker(const PointStore& store, int64_t point) : store_(store), point_(point) {}

  double scalar() { return store_.value(point_, next_++); }

  std::vector<double> array() {
    const double length = scalar();
    if (!(length >= 0.0) || length > static_cast<double>(store_.width() - next_)) {
      throw std::logic_error("RowUnpacker: point " + std::to_string(point_) +
                             " holds no array at column " + std::to_string(next_ - 1));
    }
    std::vector<double> values(static_cast<size_t>(length));
    for (double& v : values) v = scalar();
    return values;
  }

 private:
  const PointStore& store_;
  int64_t point_;
  int64_t next_ = 0;
};

}  // namespace sharpscope
