#pragma once
/// Resumable results for long grids (landscapes, sweeps). Each grid point produces a fixed-width
/// row of doubles. Completed rows are saved atomically to "<out>.partial.h5" every few seconds, on
/// Ctrl-C and on any exception, together with a signature of the options that produced them; a
/// run with --resume and the same signature skips the rows already done. Points must be computed
/// independently of each other (docs/math.md §4: every point starts from the saved w), so a resumed
/// grid is identical to an uninterrupted one. Loops run over it through core/point_loop.h.
///
/// In a distributed run only rank 0 saves and removes the partial file (core/distributed.h
/// is_output_rank); the other ranks' grids take their rows from rank 0 in the point loop.
#include <cstdint>
#include <string>
#include <vector>

#include "sharpscope/core/point_loop.h"

namespace sharpscope {

class PartialGrid : public PointStore {
 public:
  /// `out_path` is the final output file; the partial file lives beside it. With `resume` and a
  /// matching partial file, its rows are loaded; a partial file with another signature or shape
  /// is an InputError (the user changed options: they must remove it or drop --resume).
  PartialGrid(const std::string& out_path, std::string signature, int64_t points, int64_t width,
              bool resume);

  bool done(int64_t point) const override { return done_[point] != 0; }
  int64_t completed() const override;
  int64_t points() const override { return points_; }
  int64_t width() const override { return width_; }

  /// Stores a row; saves the partial file if more than `flush_seconds` passed since the last save.
  void record(int64_t point, const std::vector<double>& row) override;
  /// Row-major [points, width] values; rows not done are NaN.
  const std::vector<double>& values() const { return values_; }
  double value(int64_t point, int64_t column) const override {
    return values_[point * width_ + column];
  }

  /// Saves the partial file now (atomically).
  void flush() override;
  /// The partial file.
  std::string location() const override { return partial_path_; }
  /// Deletes the partial file (call after the final output is committed).
  void discard();
  const std::string& partial_path() const { return partial_path_; }

  double flush_seconds = 5.0;

 private:
  std::string partial_path_;
  std::string signature_;
  int64_t points_, width_;
  std::vector<double> values_;
  std::vector<int64_t> done_;
  double last_flush_ = 0.0;
};

}  // namespace sharpscope
