#include "sharpscope/core/model.h"

#include <torch/script.h>
#include <torch/torch.h>

#include <filesystem>
#include <optional>
#include <sstream>

#include "core/untrusted_archive.h"
#include "sharpscope/core/checkpoint.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/zoo.h"

namespace sharpscope {

struct Model::Impl {
  std::shared_ptr<Network> net;              // native models
  std::optional<torch::jit::Module> script;  // TorchScript models
  std::string kind, arch, source;
  Metadata metadata;
  ParamList params;
  std::vector<std::string> names;

  // Parameter tensors are re-collected after every move because a dtype/device change may
  // replace them; analyses then hold the current ones.
  void collect() {
    params.clear();
    names.clear();
    if (net) {
      for (const auto& item : net->named_parameters(/*recurse=*/true)) {
        if (!item.value().requires_grad()) continue;
        names.push_back(item.key());
        params.push_back(item.value());
      }
      return;
    }
    for (const auto& item : script->named_parameters(/*recurse=*/true)) {
      // torch.jit.save keeps requires_grad; frozen parameters are not part of w.
      if (!item.value.requires_grad()) continue;
      names.push_back(item.name);
      params.push_back(item.value);
    }
  }
};

Model::Model(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) { impl_->collect(); }

Model::Model(std::shared_ptr<Network> net, std::string arch) : impl_(std::make_unique<Impl>()) {
  impl_->net = std::move(net);
  impl_->kind = "native";
  impl_->arch = std::move(arch);
  impl_->collect();
}

Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;
Model::~Model() = default;

Model Model::load(const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) {
    throw InputError(path + (std::filesystem::exists(path) ? ": not a regular file (a directory?)"
                                                           : ": no such model file"));
  }
  if (is_checkpoint(path)) {
    Model model = load_checkpoint(path);
    model.impl_->source = path;
    return model;
  }
  auto impl = std::make_unique<Impl>();
  try {
    read_untrusted_archive(path, [&] { impl->script = torch::jit::load(path, torch::kCPU); });
  } catch (const InputError&) {
    throw;
  } catch (const std::exception&) {
    // c10::Error from the zip and pickle readers; std::runtime_error from the TorchScript
    // compiler when the archive's code does not parse.
    throw InputError(path + ": not a sharpscope checkpoint or a TorchScript file (torch.jit.save)");
  }
  if (impl->script->find_method("forward") == c10::nullopt) {
    throw InputError(path + ": TorchScript module has no forward method");
  }
  impl->kind = "torchscript";
  impl->arch = "torchscript";
  impl->source = path;
  Model model(std::move(impl));
  if (model.impl_->params.empty()) {
    throw InputError(path + ": model has no trainable parameters");
  }
  return model;
}

at::Tensor Model::forward(const at::Tensor& input) {
  if (impl_->net) return impl_->net->forward(input);
  const c10::IValue output = impl_->script->forward({input});
  if (!output.isTensor()) {
    throw InputError(impl_->source + ": TorchScript forward returns " + output.tagKind() +
                     ", expected a tensor of logits [B, K]");
  }
  return output.toTensor();
}

ParamList& Model::parameters() { return impl_->params; }
const std::vector<std::string>& Model::parameter_names() const { return impl_->names; }

ParamList Model::buffers() const {
  ParamList out;
  if (impl_->net) {
    for (const auto& b : impl_->net->buffers(/*recurse=*/true)) out.push_back(b);
  } else {
    for (const auto& b : impl_->script->buffers(/*recurse=*/true)) out.push_back(b);
  }
  return out;
}

void Model::set_training(bool training) {
  if (impl_->net) {
    impl_->net->train(training);
  } else {
    impl_->script->train(training);
  }
}

bool Model::training() const {
  return impl_->net ? impl_->net->is_training() : impl_->script->is_training();
}

void Model::to(const at::Device& device, at::ScalarType dtype) {
  if (impl_->net) {
    impl_->net->to(device, dtype);
  } else {
    impl_->script->to(device, dtype);
  }
  impl_->collect();
}

at::Device Model::device() const { return impl_->params.front().device(); }
at::ScalarType Model::dtype() const { return impl_->params.front().scalar_type(); }
const std::string& Model::kind() const { return impl_->kind; }
const std::string& Model::arch() const { return impl_->arch; }
const std::string& Model::source() const { return impl_->source; }
const Metadata& Model::metadata() const { return impl_->metadata; }
Metadata& Model::metadata() { return impl_->metadata; }
std::shared_ptr<Network> Model::network() const { return impl_->net; }

int64_t Model::parameter_count() const {
  int64_t n = 0;
  for (const auto& p : impl_->params) n += p.numel();
  return n;
}

std::string Model::describe() const {
  std::ostringstream out;
  out << "model: " << impl_->kind << " " << impl_->arch << ", " << parameter_count()
      << " trainable parameters in " << impl_->params.size() << " tensors, " << buffers().size()
      << " buffers\n";
  for (size_t i = 0; i < impl_->params.size(); ++i) {
    out << "  " << impl_->names[i] << " " << impl_->params[i].sizes() << "\n";
  }
  return out.str();
}

void Model::require_finite_weights() const {
  const auto check = [&](const at::Tensor& t, const std::string& what) {
    if (!t.is_floating_point()) return;
    const int64_t bad = t.numel() - torch::isfinite(t.detach()).sum().item<int64_t>();
    if (bad == 0) return;
    throw InputError((impl_->source.empty() ? std::string("model") : impl_->source) + ": " + what +
                     " holds " + std::to_string(bad) + " NaN/inf values of " +
                     std::to_string(t.numel()) +
                     " (a diverged run?); every loss at these weights would be NaN");
  };
  for (size_t i = 0; i < impl_->params.size(); ++i)
    check(impl_->params[i], "parameter '" + impl_->names[i] + "'");
  if (impl_->net) {
    for (const auto& item : impl_->net->named_buffers(/*recurse=*/true))
      check(item.value(), "buffer '" + item.key() + "'");
  } else {
    for (const auto& item : impl_->script->named_buffers(/*recurse=*/true))
      check(item.value, "buffer '" + item.name + "'");
  }
}

}  // namespace sharpscope
