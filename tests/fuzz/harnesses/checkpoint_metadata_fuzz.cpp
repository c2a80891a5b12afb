// Fuzzes how a sharpscope checkpoint's metadata is read (core/checkpoint.h, through Model::load as
// every command calls it): the format entry, the metadata dictionary, the zoo spec and input shape
// it rebuilds the network from, and the strict restore of the saved tensors into that network;
// then the data spec the commands take from it (parse_data_spec of metadata["data"]).
//
// The archive itself is well formed (the byte-level parser is LibTorch's; model_file_fuzz feeds it
// raw bytes). Input: text lines. "KEY=VALUE" sets a metadata entry; directives start with '!':
//   !model=I      the saved network is entry I of kNetworks (default 0), whatever arch claims
//   !noformat     no "format" entry       !format=TEXT  that format string
//   !format-int   an integer "format"     !nometadata   no metadata dictionary
//   !metadata-str metadata as a string    !int=KEY      KEY holds an integer, not a string
//   !nomodel      no "model" archive      !surplus      the model archive holds an extra tensor
#include <torch/torch.h>

#include <sstream>

#include "commands/parse.h"
#include "fuzz/fuzz_target.h"
#include "sharpscope/core/checkpoint.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/zoo.h"
#include "sharpscope/data/loader.h"

using sharpscope::fuzz::fail;

namespace {

// Networks the saved tensors come from: small members of each zoo family.
struct SavedNetwork {
  const char* arch;
  sharpscope::InputShape shape;
};
const SavedNetwork kNetworks[] = {
    {"mlp:4", {1, 8, 8, 3}},   {"cnn:2", {1, 8, 8, 3}},   {"lenet5", {1, 8, 8, 3}},
    {"resnet8", {3, 8, 8, 2}}, {"wrn10-1", {3, 8, 8, 2}}, {"mlp:3,3", {2, 8, 8, 2}},
};
constexpr int kNetworkCount = sizeof kNetworks / sizeof kNetworks[0];

std::shared_ptr<sharpscope::Network> saved_network(int index) {
  static std::shared_ptr<sharpscope::Network> networks[kNetworkCount];
  if (!networks[index]) {
    torch::manual_seed(index);
    networks[index] = sharpscope::make_network(kNetworks[index].arch, kNetworks[index].shape);
  }
  return networks[index];
}

struct Recipe {
  int network = 0;
  bool format = true, format_int = false, metadata = true, metadata_string = false;
  bool model = true, surplus = false;
  std::string format_text = sharpscope::kCheckpointFormat;
  std::vector<std::pair<std::string, std::string>> entries;
  std::vector<std::string> integer_keys;
};

Recipe read_recipe(const std::string& text) {
  Recipe r;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    const size_t equals = line.find('=');
    const std::string key = line.substr(0, equals);
    const std::string value = equals == std::string::npos ? "" : line.substr(equals + 1);
    if (key == "!model") {
      int index = 0;
      for (const char c : value) index = (index * 10 + (c - '0')) % 1000;
      r.network = ((index % kNetworkCount) + kNetworkCount) % kNetworkCount;
    } else if (key == "!noformat") {
      r.format = false;
    } else if (key == "!format") {
      r.format_text = value;
    } else if (key == "!format-int") {
      r.format_int = true;
    } else if (key == "!nometadata") {
      r.metadata = false;
    } else if (key == "!metadata-str") {
      r.metadata_string = true;
    } else if (key == "!int") {
      r.integer_keys.push_back(value);
    } else if (key == "!nomodel") {
      r.model = false;
    } else if (key == "!surplus") {
      r.surplus = true;
    } else {
      r.entries.emplace_back(key, value);
    }
  }
  return r;
}

// The checkpoint file the recipe describes, laid out as save_checkpoint writes it.
std::string build_checkpoint(const Recipe& r) {
  torch::serialize::OutputArchive archive;
  if (r.format) {
    archive.write("format", r.format_int ? c10::IValue(int64_t{1}) : c10::IValue(r.format_text));
  }
  if (r.metadata) {
    if (r.metadata_string) {
      archive.write("metadata", c10::IValue(std::string("arch=mlp")));
    } else {
      c10::impl::GenericDict dict(c10::StringType::get(), c10::AnyType::get());
      for (const auto& [key, value] : r.entries) dict.insert_or_assign(key, value);
      for (const auto& key : r.integer_keys) dict.insert_or_assign(key, int64_t{7});
      archive.write("metadata", c10::IValue(dict));
    }
  }
  if (r.model) {
    torch::serialize::OutputArchive model_archive(archive.compilation_unit());
    saved_network(r.network)->save(model_archive);
    if (r.surplus) model_archive.write("surplus", torch::zeros({2}));
    archive.write("model", model_archive);
  }
  std::ostringstream bytes;
  archive.save_to(bytes);
  return bytes.str();
}

}  // namespace

SHARPSCOPE_FUZZ_TARGET(checkpoint_metadata) {
  static sharpscope::fuzz::MemoryFile file("checkpoint");
  const Recipe recipe = read_recipe(std::string(reinterpret_cast<const char*>(data), size));
  const std::string& path = file.write(build_checkpoint(recipe));

  std::optional<sharpscope::Model> model;
  try {
    model.emplace(sharpscope::Model::load(path));
  } catch (const sharpscope::InputError& e) {
    sharpscope::fuzz::expect_one_line(e, path);
    return;
  }
  if (model->kind() != "native") fail("a checkpoint loaded as " + model->kind());
  if (model->parameters().empty()) fail("a checkpoint without parameters was accepted");
  const auto& metadata = model->metadata();
  const sharpscope::InputShape shape = sharpscope::parse_input_shape(metadata.at("input_shape"));
  // Every tensor matched the rebuilt network, so a forward pass at the recorded shape must run.
  if (shape.channels * shape.height * shape.width <= 65536) {
    torch::NoGradGuard no_grad;
    model->set_training(false);
    const at::Tensor logits =
        model->forward(torch::zeros({1, shape.channels, shape.height, shape.width}));
    if (logits.sizes() != at::IntArrayRef({1, shape.num_classes})) fail("logits of another shape");
  }
  // The commands' reading of the recorded data set.
  const auto data_entry = metadata.find("data");
  if (data_entry != metadata.end()) {
    try {
      sharpscope::cli::parse_data_spec(data_entry->second, path + ": metadata data");
    } catch (const sharpscope::UsageError& e) {
      sharpscope::fuzz::expect_one_line(e, path);
    }
  }
}
