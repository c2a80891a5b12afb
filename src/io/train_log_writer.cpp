#include "sharpscope/io/train_log_writer.h"

#include <string>

#include "sharpscope/io/h5_writer.h"
#include "sharpscope/optim/train_log.h"

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

}  // namespace sharpscope
