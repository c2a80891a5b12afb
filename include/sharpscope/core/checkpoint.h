#pragma once
/// Trainer checkpoints: the network's parameters and buffers by name plus everything needed to
/// rebuild and evaluate it with no other flag (metadata keys below), optionally the optimizer state.
///
/// Metadata keys written by the trainer (all strings): format, arch, input_shape ("C,H,W,K"),
/// data, normalization, optimizer, lr, epoch, step, seed, metrics.* and the tool version.
#include <functional>
#include <string>

#include "sharpscope/core/types.h"

namespace torch::serialize {
class OutputArchive;
class InputArchive;
}  // namespace torch::serialize

namespace sharpscope {

class Model;

/// The value of metadata["format"] that marks a sharpscope checkpoint.
inline constexpr const char* kCheckpointFormat = "sharpscope-checkpoint-v1";

/// True when `path` holds a sharpscope checkpoint (as opposed to a TorchScript file).
bool is_checkpoint(const std::string& path);

/// Writes a native model with its metadata atomically (temp file + rename). `extra`, if given,
/// adds more state (optimizer, trainer state) under its own keys.
void save_checkpoint(const std::string& path, Model& model,
                     const std::function<void(torch::serialize::OutputArchive&)>& extra = {});

/// Restores a native model from a checkpoint; `extra`, if given, reads additional state.
Model load_checkpoint(const std::string& path,
                      const std::function<void(torch::serialize::InputArchive&)>& extra = {});

}  // namespace sharpscope
