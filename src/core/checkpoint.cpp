#include "sharpscope/core/checkpoint.h"

#include <caffe2/serialize/inline_container.h>
#include <torch/torch.h>

#include <filesystem>
#include <set>
#include <stdexcept>

#include "core/allocation_budget.h"
#include "core/untrusted_archive.h"
#include "sharpscope/core/atomic_file.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/zoo.h"

namespace sharpscope {
namespace {

// Archive layout:
//   format    string, kCheckpointFormat
//   metadata  Dict[str, str]: one IValue rather than one attribute per key, because TorchScript
//             attribute names cannot carry every key (metrics.train_loss has a dot)
//   model     the network as torch::nn::Module::save writes it, one nested archive per submodule
//             (layer1 → 0 → conv1 → weight), so any LibTorch program can read it
//   ...       whatever the `extra` callback writes
constexpr const char* kFormatKey = "format";
constexpr const char* kMetadataKey = "metadata";
constexpr const char* kModelKey = "model";
constexpr const char* kFormatFamily = "sharpscope-checkpoint";

std::string brief(const std::exception& e) {
  if (const auto* c10_error = dynamic_cast<const c10::Error*>(&e)) {
    return c10_error->what_without_backtrace();
  }
  return e.what();
}

std::string describe_tensor(const at::Tensor& t) {
  return c10::str(t.sizes(), " ", t.scalar_type());
}

Metadata read_metadata(torch::serialize::InputArchive& archive, const std::string& path) {
  c10::IValue value;
  if (!archive.try_read(kMetadataKey, value) || !value.isGenericDict()) {
    throw InputError(path + ": checkpoint has no metadata dictionary");
  }
  Metadata metadata;
  for (const auto& entry : value.toGenericDict()) {
    if (!entry.key().isString() || !entry.value().isString()) {
      throw InputError(path + ": checkpoint metadata holds a non-string entry");
    }
    metadata[entry.key().toStringRef()] = entry.value().toStringRef();
  }
  return metadata;
}

const std::string& required(const Metadata& metadata, const std::string& key,
                            const std::string& path) {
  const auto it = metadata.find(key);
  if (it == metadata.end()) throw InputError(path + ": checkpoint metadata lacks '" + key + "'");
  return it->second;
}

// Mirrors torch::nn::Module::load, but checks what it leaves unchecked: every tensor must be
// present with the network's shape, and nothing may be left over (a checkpoint of another depth
// or width would otherwise load partially). Tensors keep their saved dtype, so a float64 model
// comes back as float64 (LibTorch's Module::to converts integer buffers such as
// num_batches_tracked too, so no dtype is checked).
void restore(torch::nn::Module& module, torch::serialize::InputArchive& archive,
             const std::string& prefix, const std::string& path) {
  std::set<std::string> expected;
  const auto restore_tensor = [&](const std::string& name, at::Tensor& target, bool is_buffer) {
    expected.insert(name);
    at::Tensor saved;
    if (!archive.try_read(name, saved, is_buffer)) {
      throw InputError(path + ": checkpoint lacks tensor '" + prefix + name + "'");
    }
    if (saved.sizes() != target.sizes()) {
      throw InputError(path + ": tensor '" + prefix + name + "' is " + describe_tensor(saved) +
                       " but the network expects " + describe_tensor(target));
    }
    target.set_data(saved);
  };
  for (auto& item : module.named_parameters(/*recurse=*/false)) {
    restore_tensor(item.key(), item.value(), /*is_buffer=*/false);
  }
  for (auto& item : module.named_buffers(/*recurse=*/false)) {
    restore_tensor(item.key(), item.value(), /*is_buffer=*/true);
  }
  for (const auto& child : module.named_children()) {
    expected.insert(child.key());
    torch::serialize::InputArchive child_archive;
    if (!archive.try_read(child.key(), child_archive)) {
      throw InputError(path + ": checkpoint lacks module '" + prefix + child.key() + "'");
    }
    restore(*child.value(), child_archive, prefix + child.key() + ".", path);
  }
  for (const auto& key : archive.keys()) {
    c10::IValue value;
    archive.try_read(key, value);
    // Scalars such as TorchScript's `training` flag are not state of the network.
    if ((value.isTensor() || value.isObject()) && expected.count(key) == 0) {
      throw InputError(path + ": checkpoint holds '" + prefix + key +
                       "', which the network does not have");
    }
  }
}

// What the tensors of a module archive and its submodule archives occupy, counted as saved.
std::size_t saved_bytes(torch::serialize::InputArchive& archive) {
  std::size_t total = 0;
  for (const auto& key : archive.keys()) {
    c10::IValue value;
    archive.try_read(key, value);
    if (value.isTensor()) {
      total += value.toTensor().nbytes();
    } else if (value.isObject()) {
      torch::serialize::InputArchive child;
      if (archive.try_read(key, child)) total += saved_bytes(child);
    }
  }
  return total;
}

}  // namespace

bool is_checkpoint(const std::string& path) {
  try {
    torch::serialize::InputArchive archive;
    read_untrusted_archive(path, [&] { archive.load_from(path, torch::Device(torch::kCPU)); });
    c10::IValue format;
    // Any version of the format counts, so load_checkpoint can report an unsupported one.
    return archive.try_read(kFormatKey, format) && format.isString() &&
           format.toStringRef().rfind(kFormatFamily, 0) == 0;
  } catch (const std::exception&) {
    return false;
  }
}

void save_checkpoint(const std::string& path, Model& model,
                     const std::function<void(torch::serialize::OutputArchive&)>& extra) {
  const auto net = model.network();
  if (!net) {
    throw UsageError(path + ": only native zoo models can be saved as checkpoints, not " +
                     model.kind() + " ones");
  }
  Metadata metadata = model.metadata();
  if (metadata.count("input_shape") == 0) {
    throw std::invalid_argument("save_checkpoint(" + path +
                                "): metadata lacks 'input_shape' (C,H,W,K), which the trainer "
                                "must set so the network can be rebuilt");
  }
  parse_input_shape(metadata["input_shape"]);
  metadata["format"] = kCheckpointFormat;
  metadata["arch"] = model.arch();

  torch::serialize::OutputArchive archive;
  archive.write(kFormatKey, c10::IValue(std::string(kCheckpointFormat)));
  c10::Dict<std::string, std::string> dict;
  for (const auto& [key, value] : metadata) dict.insert(key, value);
  archive.write(kMetadataKey, c10::IValue(dict));
  torch::serialize::OutputArchive model_archive(archive.compilation_unit());
  net->save(model_archive);
  archive.write(kModelKey, model_archive);
  if (extra) extra(archive);

  // A crash or a full disk mid-write must never leave a truncated file under the final name,
  // which a later run would take for a finished checkpoint. LibTorch writes through the callback;
  // a failed write is remembered by the AtomicFile and reported at commit, so LibTorch's zip
  // writer never meets an error (its destructor would throw a second time and terminate).
  AtomicFile file(path);
  archive.save_to([&file](const void* data, size_t size) {
    file.write(data, size);
    return size;
  });
  // Opening the archive reads its central directory, which is written last: a complete listing
  // means every record made it to the file.
  file.commit([](const std::string& temporary) {
    try {
      caffe2::serialize::PyTorchStreamReader reader(temporary);
      if (reader.getAllRecords().empty()) throw std::runtime_error("the archive is empty");
    } catch (const c10::Error& e) {
      throw std::runtime_error(e.what_without_backtrace());
    }
  });
}

Model load_checkpoint(const std::string& path,
                      const std::function<void(torch::serialize::InputArchive&)>& extra) {
  if (!std::filesystem::is_regular_file(path)) throw InputError(path + ": no such file");
  torch::serialize::InputArchive archive;
  try {
    read_untrusted_archive(path, [&] { archive.load_from(path, torch::Device(torch::kCPU)); });
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    throw InputError(path + ": not a sharpscope checkpoint or TorchScript file (" + brief(e) + ")");
  }
  c10::IValue format;
  if (!archive.try_read(kFormatKey, format) || !format.isString()) {
    throw InputError(path + ": not a sharpscope checkpoint (no '" + kFormatKey + "' entry)");
  }
  if (format.toStringRef() != kCheckpointFormat) {
    throw InputError(path + ": checkpoint format '" + format.toStringRef() +
                     "' is not supported (expected '" + kCheckpointFormat + "')");
  }

  Metadata metadata = read_metadata(archive, path);
  const std::string arch = required(metadata, "arch", path);
  const std::string input_shape = required(metadata, "input_shape", path);
  try {
    torch::serialize::InputArchive model_archive;
    if (!archive.try_read(kModelKey, model_archive)) {
      throw InputError(path + ": checkpoint has no '" + kModelKey + "' entry");
    }
    // The metadata sizes the network that is built, before restore compares it with the saved
    // tensors; a network that matches them holds no more bytes than they do (float32 against
    // saved float32 or float64), so a larger one is refused before it is allocated.
    const std::size_t saved = saved_bytes(model_archive);
    const std::size_t budget = 2 * saved + (std::size_t{16} << 20);
    std::shared_ptr<Network> net;
    try {
      with_allocation_budget(budget,
                             [&] { net = make_network(arch, parse_input_shape(input_shape)); });
    } catch (const UsageError& e) {
      throw InputError(path + ": checkpoint metadata: " + e.what());
    } catch (const std::bad_alloc&) {
      throw InputError(path + ": checkpoint metadata describes a network (arch '" + arch +
                       "', input_shape '" + input_shape + "') too large for the " +
                       std::to_string(saved) + " bytes of tensors the file holds");
    }
    torch::NoGradGuard no_grad;
    restore(*net, model_archive, "", path);
    if (extra) extra(archive);
    Model model(net, arch);
    model.metadata() = std::move(metadata);
    return model;
  } catch (const c10::Error& e) {
    throw InputError(path + ": corrupt checkpoint: " + brief(e));
  }
}

}  // namespace sharpscope
