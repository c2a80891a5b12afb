#pragma once
/// The native model zoo. A spec string names an architecture and its options:
///   mlp:500,500   fully connected, ReLU, given hidden widths (003 §5.2 uses mlp:500,500)
///   lenet5        LeNet-5 (tanh-free ReLU variant with max pooling)
///   cnn           small CNN: 2×(conv3x3-BN-ReLU-maxpool) + linear; cnn:32,64 sets the channels
///   resnet20 | resnet56 | resnetD   CIFAR-style ResNet-(6n+2) with BatchNorm (He et al. 2016)
///   resnet18      ImageNet-style ResNet-18 adapted to small images (3×3 stem, no max pool)
///   wrn16-4       WideResNet-d-k (Zagoruyko & Komodakis 2016), e.g. wrn28-10
/// Every architecture takes any channel count, image size and class count.
#include <memory>
#include <string>
#include <vector>

#include <torch/nn/module.h>

namespace sharpscope {

/// Input geometry the zoo builds for.
struct InputShape {
  int64_t channels = 1;
  int64_t height = 28;
  int64_t width = 28;
  int64_t num_classes = 10;
};

/// A zoo network: a torch::nn::Module with a virtual forward, so the Model wrapper can call any of
/// them and torch's serialization saves their parameters and buffers by name.
struct Network : torch::nn::Module {
  virtual at::Tensor forward(const at::Tensor& input) = 0;
};

/// Builds a freshly initialized network (initialized from torch's global generator: seed first).
/// Throws UsageError for an unknown or malformed spec.
std::shared_ptr<Network> make_network(const std::string& spec, const InputShape& shape);

/// The architecture specs make_network accepts, for --help texts and tests.
std::vector<std::string> zoo_examples();

}  // namespace sharpscope
