#include "sharpscope/optim/train_log.h"

#include <torch/torch.h>

namespace sharpscope {

const std::vector<Column<StepRecord>>& step_columns() {
  static const std::vector<Column<StepRecord>> columns = {
      {"step", "steps", "optimizer step index t (0-based)", &StepRecord::step},
      {"epoch", "epochs", "fractional epoch t / steps_per_epoch", &StepRecord::epoch},
      {"lr", "", "learning rate used for this step", &StepRecord::lr},
      {"passes", "passes",
       "forward-backward passes so far, in whole-batch units, including this step",
       &StepRecord::passes},
      {"step_passes", "passes", "forward-backward passes of this step (docs/math.md §3 table)",
       &StepRecord::step_passes},
      {"loss", "nats", "L_B(w): mean cross-entropy of the batch at w", &StepRecord::loss},
      {"perturbed_loss", "nats",
       "L_B(w^p): batch loss at the perturbed point (= L_B(w) for SGD steps)",
       &StepRecord::perturbed_loss},
      {"gradient_norm", "", "||grad L_B(w)||", &StepRecord::gradient_norm},
      {"ascent_gradient_norm", "", "||g_asc||: surrogate gradient before GSAM/StableSAM",
       &StepRecord::ascent_gradient_norm},
      {"norm_ratio", "", "||g_asc|| / ||grad L_B(w)|| (003 Fig. 1)", &StepRecord::norm_ratio},
      {"alignment", "", "<g_asc, grad L_B(w)> / ||grad L_B(w)||^2 (003 Fig. 3)",
       &StepRecord::alignment},
      {"sharpness", "flag", "1 if this step took an ascent (PSAM / switching), else 0",
       &StepRecord::sharpness},
  };
  return columns;
}

const std::vector<Column<EpochRecord>>& epoch_columns() {
  static const std::vector<Column<EpochRecord>> columns = {
      {"epoch", "epochs", "epochs completed (fractional at the end of a --steps run)",
       &EpochRecord::epoch},
      {"step", "steps", "optimizer steps completed", &EpochRecord::step},
      {"passes", "passes", "forward-backward passes so far, whole-batch units",
       &EpochRecord::passes},
      {"train_loss", "nats", "L_S(w) on the train evaluation subset (eval mode)",
       &EpochRecord::train_loss},
      {"train_accuracy", "fraction", "accuracy on the train evaluation subset",
       &EpochRecord::train_accuracy},
      {"test_loss", "nats", "L_S(w) on the test split (eval mode)", &EpochRecord::test_loss},
      {"test_accuracy", "fraction", "accuracy on the test split", &EpochRecord::test_accuracy},
      {"wall_seconds", "s", "wall time since the start of training (across resumes)",
       &EpochRecord::wall_seconds},
  };
  return columns;
}

namespace {

template <class Record>
void save_table(torch::serialize::OutputArchive& archive, const std::string& prefix,
                const std::vector<Record>& records, const std::vector<Column<Record>>& columns) {
  for (const auto& c : columns) {
    std::vector<double> values;
    for (const auto& r : records) values.push_back(r.*c.field);
    archive.write(
        prefix + c.name,
        torch::tensor(values, torch::kDouble).reshape({static_cast<int64_t>(values.size())}));
  }
}

template <class Record>
void load_table(torch::serialize::InputArchive& archive, const std::string& prefix,
                std::vector<Record>& records, const std::vector<Column<Record>>& columns) {
  records.clear();
  for (const auto& c : columns) {
    at::Tensor values;
    archive.read(prefix + c.name, values);
    values = values.contiguous();
    records.resize(values.numel());
    for (int64_t i = 0; i < values.numel(); ++i) records[i].*c.field = values.data_ptr<double>()[i];
  }
}

}  // namespace

void TrainLog::save(torch::serialize::OutputArchive& archive) const {
  save_table(archive, "log_steps_", steps, step_columns());
  save_table(archive, "log_epochs_", epochs, epoch_columns());
}

void TrainLog::load(torch::serialize::InputArchive& archive) {
  load_table(archive, "log_steps_", steps, step_columns());
  load_table(archive, "log_epochs_", epochs, epoch_columns());
}

}  // namespace sharpscope
