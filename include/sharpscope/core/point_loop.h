#pragma once
/// The one loop every resumable computation runs (landscape grids, lines, cosine fields, escape
/// trials): compute each point the store does not hold yet, record its row, show progress with
/// an ETA, and on Ctrl-C or an exception save the rows done so far before leaving. Points must be
/// independent (each set from the saved w), so the order they run in never changes a value.
///
/// Rows live in a PointStore: io/partial_grid.h keeps them in a resumable file beside the output;
/// MemoryPoints keeps them in memory.
///
/// In a distributed run (core/distributed.h, docs/distributed.md) every rank calls the loop with
/// its own store; rank 0's decides which points are pending. Under --parallel points the pending
/// points are dealt to ranks (a work queue in the rendezvous store, or statically), each row
/// travels to rank 0 as soon as it is computed, and rank 0 records (and flushes) it; under
/// --parallel data all ranks compute every point together. Either way every rank's store ends with
/// rank 0's rows, so all ranks return the same results, bit-identical to one rank's under points.
/// A rank that fails or is interrupted tells the others through the store. While it computes, a
/// rank beats (a counter in the store, every tenth of --dist-timeout), so a point may take longer
/// than the timeout (a training run, a model's sharpness); a rank that neither finishes a point nor
/// beats for --dist-timeout is taken for dead (a live process whose point hangs keeps beating: that
/// is left to the launcher's time limit). Rank 0 saves its rows before the loop throws.
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
  /// Whether flushed rows survive the process (a --resume can use them).
  virtual bool resumable() const { return true; }
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
  bool resumable() const override { return false; }

 private:
  int64_t points_, width_;
  std::vector<double> values_;
  std::vector<char> done_;
};

/// Computes the row of point `index` (width = store width).
using PointFunction = std::function<std::vector<double>(int64_t index)>;
/// A few words about a finished point for the progress line ("SAM trial 3: 45 steps").
using PointDetail = std::function<std::string(int64_t index, const std::vector<double>& row)>;

/// Runs `compute` for every point not yet done in `rows`, in index order (one rank), with a
/// progress bar named `label` counting the points of all ranks. Throws Interrupted (after
/// flushing) on Ctrl-C; any other exception is rethrown after flushing; DistributedError when
/// another rank failed, died or hung. Installs the interrupt handler (core/interrupt.h).
void run_pending_points(PointStore& rows, const std::string& label, const PointFunction& compute,
                        const PointDetail& detail = {});

/// Checks a row's width against the store's; std::invalid_argument naming the point otherwise
/// (for PointStore implementations).
void check_row(const PointStore& store, int64_t point, const std::vector<double>& row);

}  // namespace sharpscope
