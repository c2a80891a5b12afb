#include "sharpscope/landscape/resumable.h"

#include "sharpscope/io/partial_grid.h"
#include "sharpscope/io/progress.h"

namespace sharpscope {

void run_pending_points(PartialGrid& rows, const std::string& label, const PointFunction& compute) {
  Progress progress(label, rows.points());
  try {
    for (int64_t i = 0; i < rows.points(); ++i) {
      if (rows.done(i)) continue;
      rows.record(i, compute(i));
      progress.update(rows.completed());
      if (interrupt_requested()) {
        rows.flush();
        throw_if_interrupted(rows.partial_path());
      }
    }
  } catch (...) {
    // A failure at point i must not cost the points before it: they are saved for --resume.
    rows.flush();
    throw;
  }
  progress.finish();
}

}  // namespace sharpscope
