#include "sharpscope/io/train_outputs.h"

#include <string>

#include "sharpscope/core/distributed.h"
#include "sharpscope/core/error.h"
#include "sharpscope/io/h5_writer.h"
#include "sharpscope/optim/train_log.h"
#include "sharpscope/optim/trainer_callbacks.h"

namespace sharpscope {
namespace {

template <class Record>
void write_table(H5Writer& writer, const std::string& group, const std::vector<Record>& records,
                 const std::vector<Column<Record>>& columns) {
  const std::string axis = group + "/" + columns.front().name;
  for (const auto& c : columns) {
    std::vector<double> values;
    values.reserve(records.size());
    for (const auto& r : records) values.push_back(r.*c.field);
    writer.write(group + "/" + c.name, values,
                 std::vector<int64_t>{static_cast<int64_t>(values.size())}, {axis}, c.units,
                 c.description);
  }
}

}  // namespace

void write_train_log(H5Writer& writer, const TrainLog& log) {
  write_table(writer, "steps", log.steps, step_columns());
  write_table(writer, "epochs", log.epochs, epoch_columns());
}

void TrainLogCallback::on_end(TrainingRun& run) {
  H5Writer writer(run.options.log_path(), writes_run_files());
  write_train_log(writer, run.log);
  writer.attributes("/", run.metadata(/*finished=*/true));
  writer.attributes("/", attributes_);
  writer.attribute("/", "result_kind", std::string("train_log"));
  writer.attribute("/", "log_version", static_cast<int64_t>(kTrainLogVersion));
  writer.attribute("/", "checkpoint", run.options.out);
  writer.commit();
}

TrainResult train_with_outputs(const TrainOptions& options, const Metadata& log_attributes) {
  TrainingRun run = open_training(options);
  ProgressCallback progress(run, options.quiet);
  CheckpointCallback checkpoints;
  TrainLogCallback log(log_attributes);
  InterruptCallback interrupt;
  const TrainResult result = train(run, {&progress, &checkpoints, &log, &interrupt});
  if (result.termination == Termination::kInterrupted) {
    throw Interrupted("interrupted at step " + std::to_string(result.steps) +
                      ": checkpoint saved to " + options.out + "; continue with --resume " +
                      options.out);
  }
  return result;
}

}  // namespace sharpscope
