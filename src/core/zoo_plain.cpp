// The zoo's networks without residual connections: MLP, LeNet-5 and the small BatchNorm CNN.
#include <torch/torch.h>

#include "core/sync_batch_norm.h"
#include "core/zoo_nets.h"
#include "sharpscope/core/error.h"

namespace sharpscope::zoo {
namespace {

// Flatten, then Linear+ReLU per hidden width and a final Linear to the K logits. mlp:500,500 is
// the 2x500 fully connected network of Tan et al. (StableSAM) §5.2.
struct Mlp : Network {
  Mlp(const std::vector<int64_t>& widths, const InputShape& shape) {
    int64_t in = shape.channels * shape.height * shape.width;
    for (const int64_t width : widths) {
      add_layer(in, width);
      in = width;
    }
    add_layer(in, shape.num_classes);
  }

  at::Tensor forward(const at::Tensor& input) override {
    at::Tensor x = input.flatten(1);
    for (size_t i = 0; i + 1 < layers_.size(); ++i) x = torch::relu(layers_[i]->forward(x));
    return layers_.back()->forward(x);
  }

 private:
  void add_layer(int64_t in, int64_t out) {
    const std::string name = "fc" + std::to_string(layers_.size() + 1);
    layers_.push_back(register_module(name, torch::nn::Linear(in, out)));
  }

  std::vector<torch::nn::Linear> layers_;
};

// LeCun et al. 1998 designed LeNet-5 for a 32x32 frame and padded MNIST's 28x28 digits by 2 to
// fill it, so conv1 pads every side shorter than 32. conv2 pads only a side that, unpadded, its
// 5x5 kernel and the pool after it would shrink to nothing (shorter than 6): images down to 8x8
// stay usable while 28x28 and 32x32 inputs get the classic geometry.
int64_t conv1_padding(int64_t side) { return side < 32 ? 2 : 0; }
int64_t conv2_padding(int64_t side) { return side < 6 ? 2 : 0; }
// Side after a 5x5 convolution with the given padding and a 2x2 max pool.
int64_t conv5_pool2(int64_t side, int64_t padding) { return (side + 2 * padding - 4) / 2; }

// LeNet-5 (LeCun et al. 1998) in its common modern form: ReLU instead of tanh, max pooling
// instead of subsampling, full C3 connectivity.
struct LeNet5 : Network {
  explicit LeNet5(const InputShape& shape) {
    const int64_t pad1_h = conv1_padding(shape.height), pad1_w = conv1_padding(shape.width);
    const int64_t h1 = conv5_pool2(shape.height, pad1_h), w1 = conv5_pool2(shape.width, pad1_w);
    const int64_t pad2_h = conv2_padding(h1), pad2_w = conv2_padding(w1);
    const int64_t h2 = conv5_pool2(h1, pad2_h), w2 = conv5_pool2(w1, pad2_w);
    conv1 = register_module(
        "conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(shape.channels, 6, 5)
                                       .padding(torch::ExpandingArray<2>({pad1_h, pad1_w}))));
    conv2 = register_module("conv2", torch::nn::Conv2d(torch::nn::Conv2dOptions(6, 16, 5).padding(
                                         torch::ExpandingArray<2>({pad2_h, pad2_w}))));
    fc1 = register_module("fc1", torch::nn::Linear(16 * h2 * w2, 120));
    fc2 = register_module("fc2", torch::nn::Linear(120, 84));
    fc3 = register_module("fc3", torch::nn::Linear(84, shape.num_classes));
  }

  at::Tensor forward(const at::Tensor& input) override {
    at::Tensor x = torch::max_pool2d(torch::relu(conv1->forward(input)), 2);
    x = torch::max_pool2d(torch::relu(conv2->forward(x)), 2).flatten(1);
    x = torch::relu(fc1->forward(x));
    x = torch::relu(fc2->forward(x));
    return fc3->forward(x);
  }

  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  torch::nn::Linear fc1{nullptr}, fc2{nullptr}, fc3{nullptr};
};

// A small VGG-style CNN: per channel count a conv3x3 (padding 1) - BatchNorm - ReLU - maxpool2
// block, then flatten and one Linear layer. The convolutions carry no bias: the BatchNorm after
// them subtracts it again, so it would only be a parameter with zero gradient in train mode that
// still counts in weight norms.
struct Cnn : Network {
  Cnn(const std::vector<int64_t>& channels, const InputShape& shape) {
    int64_t in = shape.channels, height = shape.height, width = shape.width;
    for (size_t i = 0; i < channels.size(); ++i) {
      const std::string index = std::to_string(i + 1);
      convs_.push_back(register_module(
          "conv" + index,
          torch::nn::Conv2d(torch::nn::Conv2dOptions(in, channels[i], 3).padding(1).bias(false))));
      norms_.push_back(register_module("bn" + index, SyncableBatchNorm2d(channels[i])));
      in = channels[i];
      height /= 2;
      width /= 2;
    }
    fc = register_module("fc", torch::nn::Linear(in * height * width, shape.num_classes));
  }

  at::Tensor forward(const at::Tensor& input) override {
    at::Tensor x = input;
    for (size_t i = 0; i < convs_.size(); ++i) {
      x = torch::max_pool2d(torch::relu(norms_[i]->forward(convs_[i]->forward(x))), 2);
    }
    return fc->forward(x.flatten(1));
  }

  torch::nn::Linear fc{nullptr};

 private:
  std::vector<torch::nn::Conv2d> convs_;
  std::vector<SyncableBatchNorm2d> norms_;
};

}  // namespace

std::shared_ptr<Network> make_mlp(const std::vector<int64_t>& widths, const InputShape& shape) {
  return std::make_shared<Mlp>(widths, shape);
}

std::shared_ptr<Network> make_lenet5(const InputShape& shape) {
  return std::make_shared<LeNet5>(shape);
}

std::shared_ptr<Network> make_cnn(const std::vector<int64_t>& channels, const InputShape& shape,
                                  const std::string& spec) {
  const int64_t side = std::min(shape.height, shape.width);
  const auto blocks = static_cast<int64_t>(channels.size());
  if (blocks >= 63 || (side >> blocks) < 1) {
    throw UsageError("--arch = '" + spec + "': " + std::to_string(blocks) +
                     " pooling blocks leave nothing of a " + std::to_string(shape.height) + "x" +
                     std::to_string(shape.width) + " image");
  }
  return std::make_shared<Cnn>(channels, shape);
}

}  // namespace sharpscope::zoo
