#pragma once
/// Resumable results for long grids (landscapes, sweeps). Each grid point produces a fixed-width
/// row of doubles. Completed rows are saved atomically to "<out>.partial.h5" every few seconds, on
/// Ctrl-C and on any exception, together with a signature of the options that produced them; a
/// run with --resume and the same signature skips the rows already done. Points must be computed
/// independently of each other (docs/math.md §4: every point starts from the saved w), so a resumed
/// grid is identical to an uninterrupted one.
#include <cstdint>
#include <string>
#include <vector>

namespace sharpscope {

class PartialGrid {
 public:
  /// `out_path` is the final output file; the partial file lives beside it. With `resume` and a
  /// matching partial file, its rows are loaded; a partial file with another signature or shape
  /// is an InputError (the user changed options: they must remove it or drop --resume).
  PartialGrid(const std::string& out_path, std::string signature, int64_t points, int64_t width,
              bool resume);

  bool done(int64_t point) const { return done_[point] != 0; }
  int64_t completed() const;
  int64_t points() const { return points_; }
  int64_t width() const { return width_; }

  /// Stores a row; saves the partial file if more than `flush_seconds` passed since the last save.
  void record(int64_t point, const std::vector<double>& row);
  /// Row-major [points, width] values; rows not done are NaN.
  const std::vector<double>& values() const { return values_; }
  double value(int64_t point, int64_t column) const { return values_[point * width_ + column]; }

  /// Saves the partial file now (atomically).
  void flush();
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

/// SIGINT/SIGTERM handling for long loops (PartialGrid installs it; other long loops that poll may
/// too; commands that never poll keep the default, so Ctrl-C stops them at once): after
/// install_interrupt_handler(), the first Ctrl-C only
/// sets a flag that loops poll with interrupt_requested() (then they save and throw Interrupted);
/// a second Ctrl-C exits at once.
void install_interrupt_handler();
bool interrupt_requested();
/// Throws Interrupted("interrupted: partial results saved to ...") when a Ctrl-C is pending.
void throw_if_interrupted(const std::string& partial_path);

}  // namespace sharpscope
