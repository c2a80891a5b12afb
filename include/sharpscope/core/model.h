#pragma once
/// A classifier whose parameters the analyses move around: either a native zoo network (possibly
/// restored from a trainer checkpoint) or a TorchScript module saved from Python with
/// torch.jit.save. Both expose the same interface, so no analysis knows which it holds.
#include <memory>
#include <string>

#include "sharpscope/core/types.h"

namespace sharpscope {

struct Network;  // native zoo network (core/zoo.h)

class Model {
 public:
  /// Wraps a native network built from `arch` (zoo spec such as "mlp:500,500" or "resnet20").
  Model(std::shared_ptr<Network> net, std::string arch);

  /// Loads `path`: a sharpscope trainer checkpoint or a TorchScript file. Throws InputError naming
  /// the file when it is missing, unreadable or neither kind.
  static Model load(const std::string& path);

  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;
  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;
  ~Model();

  /// Logits [B, K] for an input batch [B, C, H, W] of the model's dtype and device.
  at::Tensor forward(const at::Tensor& input);

  /// The trainable parameters (the tensors themselves, not copies), in a fixed order.
  ParamList& parameters();
  const std::vector<std::string>& parameter_names() const;
  /// Buffers (BatchNorm running statistics etc.): never perturbed, but saved/restored with the
  /// weights where an analysis runs in train mode.
  ParamList buffers() const;

  void set_training(bool training);
  bool training() const;

  /// Moves parameters and buffers to a device and floating dtype (float32/float64).
  void to(const at::Device& device, at::ScalarType dtype);
  at::Device device() const;
  at::ScalarType dtype() const;

  /// "native" or "torchscript".
  const std::string& kind() const;
  /// Zoo spec for native models, "torchscript" otherwise.
  const std::string& arch() const;
  /// Checkpoint metadata (empty for plain TorchScript files): data spec, optimizer, seed, ...
  const Metadata& metadata() const;
  Metadata& metadata();
  /// The file the model was loaded from (empty for models built in memory).
  const std::string& source() const;
  /// Number of trainable scalars.
  int64_t parameter_count() const;
  /// Multi-line human-readable architecture summary.
  std::string describe() const;

  /// Throws InputError naming the model's file and the first parameter or floating buffer holding
  /// NaN or inf ("m.pt: parameter 'fc1.weight' holds 3 NaN/inf values of 392000 (a diverged
  /// run?); every loss at these weights would be NaN"). Analyses call it on every model they
  /// load; the trainer does not (a diverged checkpoint is a result). Cost: one pass over w.
  void require_finite_weights() const;

  /// Native network (nullptr for TorchScript models); the trainer uses it to save checkpoints.
  std::shared_ptr<Network> network() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  explicit Model(std::unique_ptr<Impl> impl);
};

}  // namespace sharpscope
