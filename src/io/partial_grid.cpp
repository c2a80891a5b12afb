#include "sharpscope/io/partial_grid.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <limits>
#include <stdexcept>

#include "sharpscope/core/atomic_file.h"
#include "sharpscope/core/distributed.h"
#include "sharpscope/core/error.h"
#include "sharpscope/io/h5_writer.h"

namespace sharpscope {

namespace {

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::string shape_text(int64_t rows, int64_t columns) {
  return "[" + std::to_string(rows) + ", " + std::to_string(columns) + "]";
}

}  // namespace

PartialGrid::PartialGrid(const std::string& out_path, std::string signature, int64_t points,
                         int64_t width, bool resume)
    : partial_path_(out_path + ".partial.h5"),
      signature_(std::move(signature)),
      points_(points),
      width_(width),
      values_(static_cast<size_t>(points * width), std::numeric_limits<double>::quiet_NaN()),
      done_(static_cast<size_t>(points), 0),
      last_flush_(steady_seconds()) {
  // Rank 0 alone writes and reads the file (it may exist on its machine only); the point loop
  // gives its rows to the other ranks. Its temp files are written every few seconds: a killed run
  // leaves one.
  if (!is_output_rank()) return;
  remove_stale_temps(partial_path_);
  if (!resume || !std::filesystem::exists(partial_path_)) return;
  const H5Reader reader(partial_path_);
  const std::string advice = "; remove it or run without --resume";
  if (reader.attribute("/", "signature") != signature_)
    throw InputError(partial_path_ + ": written by different options (signature mismatch)" +
                     advice);
  std::vector<int64_t> shape;
  std::vector<double> values = reader.read("values", &shape);
  std::vector<int64_t> done = reader.read_int("done");
  if (shape != std::vector<int64_t>{points_, width_} || done.size() != static_cast<size_t>(points_))
    throw InputError(partial_path_ + ": written by different options (grid shape " +
                     (shape.size() == 2 ? shape_text(shape[0], shape[1]) : "?") + ", expected " +
                     shape_text(points_, width_) + ")" + advice);
  values_ = std::move(values);
  done_ = std::move(done);
}

int64_t PartialGrid::completed() const {
  int64_t count = 0;
  for (int64_t d : done_) count += d != 0;
  return count;
}

void PartialGrid::record(int64_t point, const std::vector<double>& row) {
  check_row(*this, point, row);
  std::copy(row.begin(), row.end(), values_.begin() + point * width_);
  done_[point] = 1;
  if (steady_seconds() - last_flush_ > flush_seconds) flush();
}

void PartialGrid::flush() {
  // Rank 0 holds a distributed grid's rows (core/point_loop.h); the other ranks' copies are
  // never saved, so they cannot overwrite its file.
  if (!is_output_rank()) return;
  H5Writer writer(partial_path_);
  writer.write("values", values_, std::vector<int64_t>{points_, width_});
  writer.write_int("done", done_, {points_}, "1 where the row of values is complete");
  writer.attribute("/", "signature", signature_);
  writer.commit();
  last_flush_ = steady_seconds();
}

void PartialGrid::discard() {
  if (!is_output_rank()) return;  // rank 0's file, removed only once rank 0 committed the output
  std::error_code ignored;        // already gone (never flushed) is fine
  std::filesystem::remove(partial_path_, ignored);
}

}  // namespace sharpscope
