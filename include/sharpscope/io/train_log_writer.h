#pragma once
/// Writes a TrainLog into an HDF5 file (layout in docs/train.md): /steps/<column> indexed by
/// /steps/step and /epochs/<column> indexed by /epochs/epoch, each with units and description.
namespace sharpscope {

class H5Writer;
struct TrainLog;

void write_train_log(H5Writer& writer, const TrainLog& log);

}  // namespace sharpscope
