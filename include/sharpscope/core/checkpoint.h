#pragma once
/// Trainer checkpoints: the network's parameters and buffers by name plus everything needed to
/// rebuild and evaluate it with no other flag (metadata keys below), optionally the optimizer
/// state.
///
/// Metadata keys written by the trainer (all strings): format, arch, input_shape ("C,H,W,K"),
/// data, normalization, optimizer, lr, epoch, step, seed, metrics.* and the tool version.
/// save_checkpoint sets format and arch itself; input_shape must be in Model::metadata() (the
/// trainer sets it with to_string(InputShape), core/zoo.h), since a Model does not know its shape.
///
/// File layout (a torch::serialize archive): "format" (string), "metadata" (Dict[str, str]),
/// "model" (the network as torch::nn::Module::save writes it), then the keys `extra` writes.
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

/// True when `path` holds a sharpscope checkpoint (as opposed to a TorchScript file), of any
/// format version, so that load_checkpoint can name an unsupported one. False for a missing,
/// unreadable or corrupt file. Reads the whole archive.
bool is_checkpoint(const std::string& path);

/// Writes a native model with its metadata atomically (core/atomic_file.h). `extra`,
/// if given, adds more state (optimizer, trainer state) under its own keys. Throws OutputError when
/// the file cannot be written, UsageError for a TorchScript model, std::invalid_argument when the
/// metadata lacks input_shape.
void save_checkpoint(const std::string& path, Model& model,
                     const std::function<void(torch::serialize::OutputArchive&)>& extra = {});

/// Restores a native model from a checkpoint on the CPU, in the dtype it was saved in, in training
/// mode; `extra`, if given, reads additional state. Throws InputError naming the file when it is
/// missing, corrupt, of another format version, or when a tensor is missing, surplus or of another
/// shape than make_network(arch, input_shape) builds (the message names the tensor).
Model load_checkpoint(const std::string& path,
                      const std::function<void(torch::serialize::InputArchive&)>& extra = {});

}  // namespace sharpscope
