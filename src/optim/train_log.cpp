#include "sharpscope/optim/train_log.h"

#include <torch/torch.h>

#include <algorithm>
#include <string>

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
      {"norm_ratio", "",
       "||g_asc|| / ||grad L_B(w)||: the inverse of 003 Fig. 1's ratio (kept from log version 1)",
       &StepRecord::norm_ratio},
      {"alignment", "", "<g_asc, grad L_B(w)> / ||grad L_B(w)||^2 (kept from log version 1)",
       &StepRecord::alignment},
      {"exact_surrogate_norm_ratio", "",
       "||grad L_B(w)|| / ||g_asc||: 003 Fig. 1's ratio (exact over surrogate; StableSAM's "
       "unclamped gamma)",
       &StepRecord::exact_surrogate_norm_ratio},
      {"ascent_inner_excess", "",
       "<g_asc, grad L_B(w)> - ||grad L_B(w)||^2: 003 Fig. 3's y-axis (> 0 when the inner product "
       "exceeds ||grad L_B(w)||^2)",
       &StepRecord::ascent_inner_excess},
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

// Reads every column; a column in `optional` may be absent (returned in the list of missing ones).
template <class Record>
std::vector<std::string> load_table(torch::serialize::InputArchive& archive,
                                    const std::string& prefix, std::vector<Record>& records,
                                    const std::vector<Column<Record>>& columns,
                                    const std::vector<std::string>& optional = {}) {
  records.clear();
  std::vector<std::string> missing;
  for (const auto& c : columns) {
    at::Tensor values;
    if (std::find(optional.begin(), optional.end(), c.name) != optional.end()) {
      if (!archive.try_read(prefix + c.name, values)) {
        missing.push_back(c.name);
        continue;
      }
    } else {
      archive.read(prefix + c.name, values);
    }
    values = values.contiguous();
    records.resize(values.numel());
    for (int64_t i = 0; i < values.numel(); ++i) records[i].*c.field = values.data_ptr<double>()[i];
  }
  return missing;
}

}  // namespace

void TrainLog::save(torch::serialize::OutputArchive& archive) const {
  save_table(archive, "log_steps_", steps, step_columns());
  save_table(archive, "log_epochs_", epochs, epoch_columns());
}

void TrainLog::load(torch::serialize::InputArchive& archive) {
  const std::vector<std::string> missing =
      load_table(archive, "log_steps_", steps, step_columns(),
                 {"exact_surrogate_norm_ratio", "ascent_inner_excess"});
  // A log-version-1 checkpoint: the version-2 columns follow from the version-1 ones.
  for (const std::string& name : missing) {
    for (StepRecord& r : steps) {
      if (name == "exact_surrogate_norm_ratio") {
        r.exact_surrogate_norm_ratio =
            r.ascent_gradient_norm > 0.0 ? r.gradient_norm / r.ascent_gradient_norm : 1.0;
      } else {
        r.ascent_inner_excess = (r.alignment - 1.0) * r.gradient_norm * r.gradient_norm;
      }
    }
  }
  load_table(archive, "log_epochs_", epochs, epoch_columns());
}

}  // namespace sharpscope
