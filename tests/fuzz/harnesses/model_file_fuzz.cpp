// Fuzzes the loading of a MODEL argument from raw bytes (core/model.h Model::load): the file is
// told apart as a sharpscope checkpoint or a TorchScript module and read by LibTorch's zip and
// pickle readers (torch::serialize::InputArchive, torch::jit::load), whose failures sharpscope must
// turn into one InputError naming the file. The seeds are a tiny TorchScript module and a tiny
// checkpoint. A loaded TorchScript module is not run: its forward is a program of the file's
// author (docs/reliability.md "Fuzzing").
#include <torch/torch.h>

#include <optional>

#include "fuzz/fuzz_target.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/model.h"

using sharpscope::fuzz::fail;

SHARPSCOPE_FUZZ_TARGET(model_file) {
  static sharpscope::fuzz::MemoryFile file("model");
  const std::string& path = file.write(data, size);
  std::optional<sharpscope::Model> model;
  try {
    model.emplace(sharpscope::Model::load(path));
  } catch (const sharpscope::InputError& e) {
    sharpscope::fuzz::expect_one_line(e, path);
    return;
  }
  if (model->parameters().empty()) fail("a model without parameters was accepted");
  if (model->parameter_names().size() != model->parameters().size()) fail("names and parameters");
  for (const at::Tensor& p : model->parameters()) {
    if (!p.defined()) fail("undefined parameter");
  }
  (void)model->describe();
}
