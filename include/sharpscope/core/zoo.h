#pragma once
/// The native model zoo. A spec string names an architecture and its options:
///   mlp:500,500   fully connected, ReLU, given hidden widths (003 §5.2 uses mlp:500,500)
///   lenet5        LeNet-5 (tanh-free ReLU variant with max pooling)
///   cnn           small CNN: 2×(conv3x3-BN-ReLU-maxpool) + linear; cnn:32,64 sets the channels
///   resnet20 | resnet56 | resnetD   CIFAR-style ResNet-(6n+2) with BatchNorm (He et al. 2016)
///   resnet18      ImageNet-style ResNet-18 adapted to small images (3×3 stem, no max pool)
///   wrn16-4       WideResNet-d-k (Zagoruyko & Komodakis 2016), e.g. wrn28-10
/// Every architecture takes any channel count, image size (at least 8x8) and class count. Any other
/// resnetD is the CIFAR family (D = 6n+2), so resnet50 means n = 8, not the ImageNet bottleneck
/// net.
///
/// Initialization is PyTorch's module defaults everywhere (Linear and Conv2d: kaiming-uniform with
/// a = sqrt(5) and a uniform bias; BatchNorm: weight 1, bias 0), the same as torch.nn in Python.
/// Convolutions followed by BatchNorm carry no bias. Parameter names follow torchvision:
/// conv1.weight, bn1.running_mean, layer1.0.conv1.weight, layer2.0.downsample.0.weight, fc.bias.
#include <torch/nn/module.h>

#include <memory>
#include <string>
#include <vector>

#include "sharpscope/core/input_shape.h"

namespace sharpscope {

/// A zoo network: a torch::nn::Module with a virtual forward, so the Model wrapper can call any of
/// them and torch's serialization saves their parameters and buffers by name.
struct Network : torch::nn::Module {
  virtual at::Tensor forward(const at::Tensor& input) = 0;
};

/// Builds a freshly initialized float32 CPU network for inputs [B, C, H, W] and logits [B, K]
/// (initialized from torch's global generator: seed first). Throws UsageError with a one-line
/// message ("--arch = 'resnet21': depth must be 6n+2 ...") for an unknown or malformed spec, and
/// for a shape with a non-positive size or images smaller than 8x8.
std::shared_ptr<Network> make_network(const std::string& spec, const InputShape& shape);

/// Synchronizes (or, with `on` false, stops synchronizing) the training-mode statistics of every
/// BatchNorm layer of `network` over the ranks of a data-parallel run (`train --sync-bn`,
/// docs/distributed.md): each layer then normalizes by the mean and variance of the whole global
/// batch, as one rank would, instead of its rank's share. Evaluation mode, and a run on one rank,
/// are unchanged. Returns the number of BatchNorm layers.
int64_t synchronize_batch_norm(Network& network, bool on);
/// Whether any BatchNorm layer of `network` is synchronized.
bool batch_norm_synchronized(Network& network);

/// The architecture specs make_network accepts, for --help texts and tests.
std::vector<std::string> zoo_examples();

}  // namespace sharpscope
