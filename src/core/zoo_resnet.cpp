// Residual networks of the zoo: the CIFAR ResNets and ResNet-18 (one implementation, two
// configurations) and the pre-activation WideResNets.
#include <torch/torch.h>

#include "core/sync_batch_norm.h"
#include "core/zoo_nets.h"

namespace sharpscope::zoo {
namespace {

// Convolutions here are always followed by BatchNorm, which makes a bias redundant (He et al. and
// torchvision omit it too).
torch::nn::Conv2d conv3x3(int64_t in, int64_t out, int64_t stride) {
  return torch::nn::Conv2d(
      torch::nn::Conv2dOptions(in, out, 3).stride(stride).padding(1).bias(false));
}

torch::nn::Conv2d conv1x1(int64_t in, int64_t out, int64_t stride) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1).stride(stride).bias(false));
}

// A stage of `blocks` residual blocks; only the first changes stride and width.
template <typename Block>
torch::nn::Sequential make_stage(int64_t in, int64_t out, int64_t blocks, int64_t stride) {
  torch::nn::Sequential stage;
  for (int64_t block = 0; block < blocks; ++block) {
    stage->push_back(std::make_shared<Block>(block == 0 ? in : out, out, block == 0 ? stride : 1));
  }
  return stage;
}

// He et al. 2016 ("Deep Residual Learning", Fig. 2 left): conv3x3-BN-ReLU-conv3x3-BN plus the
// shortcut, then ReLU. Where the stride or width changes the shortcut is a 1x1 convolution + BN
// (projection, option B of §3.3, Eq. 2), as in torchvision's BasicBlock.
struct BasicBlock : torch::nn::Module {
  BasicBlock(int64_t in, int64_t out, int64_t stride) {
    conv1 = register_module("conv1", conv3x3(in, out, stride));
    bn1 = register_module("bn1", SyncableBatchNorm2d(out));
    conv2 = register_module("conv2", conv3x3(out, out, 1));
    bn2 = register_module("bn2", SyncableBatchNorm2d(out));
    if (stride != 1 || in != out) {
      downsample = register_module(
          "downsample", torch::nn::Sequential(conv1x1(in, out, stride), SyncableBatchNorm2d(out)));
    }
  }

  at::Tensor forward(const at::Tensor& x) {
    at::Tensor y = torch::relu(bn1->forward(conv1->forward(x)));
    y = bn2->forward(conv2->forward(y));
    return torch::relu(y + (downsample.is_empty() ? x : downsample->forward(x)));
  }

  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr};
  SyncableBatchNorm2d bn1{nullptr}, bn2{nullptr};
  torch::nn::Sequential downsample{nullptr};
};

// He et al. 2016: conv3x3 stem - BN - ReLU, then one stage of BasicBlocks per width, every stage
// after the first halving the image (stride 2 in its first block), global average pooling and a
// linear classifier. §4.2's CIFAR ResNet-(6n+2) is widths 16/32/64 with n blocks each; ResNet-18
// (Table 1) is widths 64/128/256/512 with 2 blocks each, its 7x7 stride-2 stem and max pool
// replaced by a 3x3 stride-1 stem for small images.
struct ResNet : Network {
  ResNet(const std::vector<int64_t>& widths, int64_t blocks_per_stage, const InputShape& shape) {
    conv1 = register_module("conv1", conv3x3(shape.channels, widths.front(), 1));
    bn1 = register_module("bn1", SyncableBatchNorm2d(widths.front()));
    int64_t in = widths.front();
    for (size_t stage = 0; stage < widths.size(); ++stage) {
      stages_.push_back(register_module(
          "layer" + std::to_string(stage + 1),
          make_stage<BasicBlock>(in, widths[stage], blocks_per_stage, stage == 0 ? 1 : 2)));
      in = widths[stage];
    }
    fc = register_module("fc", torch::nn::Linear(in, shape.num_classes));
  }

  at::Tensor forward(const at::Tensor& input) override {
    at::Tensor x = torch::relu(bn1->forward(conv1->forward(input)));
    for (auto& stage : stages_) x = stage->forward(x);
    return fc->forward(x.mean({2, 3}));
  }

  torch::nn::Conv2d conv1{nullptr};
  SyncableBatchNorm2d bn1{nullptr};
  torch::nn::Linear fc{nullptr};

 private:
  std::vector<torch::nn::Sequential> stages_;
};

// Zagoruyko & Komodakis 2016 ("Wide Residual Networks", Fig. 1c, block B(3,3)) with dropout 0:
// BN-ReLU-conv3x3-BN-ReLU-conv3x3 (pre-activation, He et al. 2016b) plus the shortcut. Where the
// stride or width changes the shortcut is a 1x1 convolution of the pre-activated input, as in the
// authors' reference implementation.
struct WideBlock : torch::nn::Module {
  WideBlock(int64_t in, int64_t out, int64_t stride) {
    bn1 = register_module("bn1", SyncableBatchNorm2d(in));
    conv1 = register_module("conv1", conv3x3(in, out, stride));
    bn2 = register_module("bn2", SyncableBatchNorm2d(out));
    conv2 = register_module("conv2", conv3x3(out, out, 1));
    if (stride != 1 || in != out) shortcut = register_module("shortcut", conv1x1(in, out, stride));
  }

  at::Tensor forward(const at::Tensor& x) {
    const at::Tensor activated = torch::relu(bn1->forward(x));
    at::Tensor y = conv1->forward(activated);
    y = conv2->forward(torch::relu(bn2->forward(y)));
    return y + (shortcut.is_empty() ? x : shortcut->forward(activated));
  }

  SyncableBatchNorm2d bn1{nullptr}, bn2{nullptr};
  torch::nn::Conv2d conv1{nullptr}, conv2{nullptr}, shortcut{nullptr};
};

// WRN-(6n+4)-k (Zagoruyko & Komodakis 2016, Table 1): conv3x3 stem to 16 channels, three stages of
// n WideBlocks with widths 16k, 32k, 64k (strides 1, 2, 2), BN-ReLU, global average pooling and a
// linear classifier.
struct WideResNet : Network {
  WideResNet(int64_t blocks_per_stage, int64_t widen, const InputShape& shape) {
    conv1 = register_module("conv1", conv3x3(shape.channels, 16, 1));
    int64_t in = 16;
    const int64_t widths[] = {16 * widen, 32 * widen, 64 * widen};
    for (size_t stage = 0; stage < 3; ++stage) {
      stages_.push_back(register_module(
          "layer" + std::to_string(stage + 1),
          make_stage<WideBlock>(in, widths[stage], blocks_per_stage, stage == 0 ? 1 : 2)));
      in = widths[stage];
    }
    bn = register_module("bn", SyncableBatchNorm2d(in));
    fc = register_module("fc", torch::nn::Linear(in, shape.num_classes));
  }

  at::Tensor forward(const at::Tensor& input) override {
    at::Tensor x = conv1->forward(input);
    for (auto& stage : stages_) x = stage->forward(x);
    x = torch::relu(bn->forward(x));
    return fc->forward(x.mean({2, 3}));
  }

  torch::nn::Conv2d conv1{nullptr};
  SyncableBatchNorm2d bn{nullptr};
  torch::nn::Linear fc{nullptr};

 private:
  std::vector<torch::nn::Sequential> stages_;
};

}  // namespace

std::shared_ptr<Network> make_cifar_resnet(int64_t blocks_per_stage, const InputShape& shape) {
  return std::make_shared<ResNet>(std::vector<int64_t>{16, 32, 64}, blocks_per_stage, shape);
}

std::shared_ptr<Network> make_resnet18(const InputShape& shape) {
  return std::make_shared<ResNet>(std::vector<int64_t>{64, 128, 256, 512}, 2, shape);
}

std::shared_ptr<Network> make_wide_resnet(int64_t blocks_per_stage, int64_t widen,
                                          const InputShape& shape) {
  return std::make_shared<WideResNet>(blocks_per_stage, widen, shape);
}

}  // namespace sharpscope::zoo
