#pragma once
/// The one loop every resumable computation runs (landscape grids, lines, cosine fields, escape
/// trials): compute each point the store does not hold yet, record its row, show progress with
/// an ETA, and on Ctrl-C or an exception save the rows done so far before leaving. Points must be
/// independent (each set from the saved w), so the order they run in never changes a value.
///
/// Rows live in a PointStore: io/partial_grid.h keeps them in a resumable file beside the output;
/// MemoryPoints keeps them in memory.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace sharpscope {

/// Fixed-width rows of doubles, one per point, some of them done.
class PointStore {
 public:
  virtual ~PointStore() = default;
  virtual int64_t points() const = 0;
  virtual int64_t width() const = 0;
  virtual bool done(int64_t point) const = 0;
  virtual int64_t completed() const = 0;
  /// Column `column` of the row of `point` (NaN while not done).
  virtual double value(int64_t point, int64_t column) const = 0;
  /// Stores the row of `point` (width() values); may save durably now and then.
  virtual void record(int64_t point, const std::vector<double>& row) = 0;
  /// Saves every recorded row durably now (nothing to do for a store in memory).
  virtual void flush() = 0;
  /// Where flushed rows are, for messages ("partial results saved to ...").
  virtual std::string location() const = 0;
};

/// A store in memory: nothing survives the process.
class MemoryPoints : public PointStore {
 public:
  MemoryPoints(int64_t points, int64_t width);
  int64_t points() const override { return points_; }
  int64_t width() const override { return width_; }
  bool done(int64_t point) const override { return done_[point] != 0; }
  int64_t completed() const override;
  double value(int64_t point, int64_t column) const override {
    return values_[point * width_ + column];
  }
  void record(int64_t point, const std::vector<double>& row) override;
  void flush() override {}
  std::string location() const override { return "memory"; }

 private:
  int64_t points_, width_;
  std::vector<double> values_;
  std::vector<char> done_;
};

/// Computes the row of point `index` (width = store width).
using PointFunction = std::function<std::vector<double>(int64_t index)>;
/// A few words about a finished point for the progress line ("SAM trial 3: 45 steps").
using PointDetail = std::function<std::string(int64_t index, const std::vector<double>& row)>;

/// Runs `compute` for every point not yet done in `rows`, in index order, with a progress bar
/// named `label`. Throws Interrupted (after flushing) on Ctrl-C; any other exception is rethrown
/// after flushing. Installs the interrupt handler (core/interrupt.h).
void run_pending_points(PointStore& rows, const std::string& label, const PointFunction& compute,
                        const PointDetail& detail = {});

/// Checks a row's width against the store's; std::invalid_argument naming the point otherwise
/// (for PointStore implementations).
void check_row(const PointStore& store, int64_t point, const std::vector<double>& row);

}  // namespace sharpscope
