#pragma once
/// The training log: one record per step (the diagnostics of docs/math.md §3) and one per
/// evaluation (end of each epoch, and the end of training). Every field is a double so the log is
/// a pair of plain tables; the column lists name, unit and meaning of each field once, for the
/// HDF5 writer and for checkpoint (resume) serialization alike.
#include <vector>

namespace torch::serialize {
class OutputArchive;
class InputArchive;
}  // namespace torch::serialize

namespace sharpscope {

struct StepRecord {
  double step = 0, epoch = 0, lr = 0, passes = 0;
  double loss = 0, perturbed_loss = 0, gradient_norm = 0, ascent_gradient_norm = 0;
  double norm_ratio = 0, alignment = 0, step_passes = 0, sharpness = 0;
  /// Log version 2 (docs/train.md): 003 Fig. 1's ratio and Fig. 3's y in the papers' orientation.
  double exact_surrogate_norm_ratio = 0, ascent_inner_excess = 0;
};

/// Version of the HDF5 training log layout (root attribute `log_version`; absent = 1). Version 2
/// added the columns exact_surrogate_norm_ratio and ascent_inner_excess; every version-1 column is
/// kept with its meaning.
constexpr int kTrainLogVersion = 2;

struct EpochRecord {
  double epoch = 0, step = 0, passes = 0;
  double train_loss = 0, train_accuracy = 0, test_loss = 0, test_accuracy = 0, wall_seconds = 0;
};

template <class Record>
struct Column {
  const char* name;
  const char* units;
  const char* description;
  double Record::*field;
};

const std::vector<Column<StepRecord>>& step_columns();
const std::vector<Column<EpochRecord>>& epoch_columns();

struct TrainLog {
  std::vector<StepRecord> steps;
  std::vector<EpochRecord> epochs;
  /// As float64 tensors "log_steps_<column>" / "log_epochs_<column>" (checkpoint `extra`; archive
  /// keys cannot contain dots).
  void save(torch::serialize::OutputArchive& archive) const;
  /// Reads what save wrote. A checkpoint written before log version 2 lacks the two version-2
  /// columns; they are derived from the version-1 ones (ratio = gradient_norm /
  /// ascent_gradient_norm, excess = (alignment − 1)·gradient_norm²), so such a run resumes.
  /// Any other missing column is an error (LibTorch's, naming the key).
  void load(torch::serialize::InputArchive& archive);
};

}  // namespace sharpscope
