#pragma once
// Builders of the zoo's architectures, called by make_network (zoo.cpp) once the spec is parsed
// and the shape validated, so every builder may assume positive sizes and images of 8x8 or more.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sharpscope/core/zoo.h"

namespace sharpscope::zoo {

// Fully connected ReLU network with the given hidden widths (zoo_plain.cpp).
std::shared_ptr<Network> make_mlp(const std::vector<int64_t>& widths, const InputShape& shape);

// LeNet-5 with ReLU and max pooling (zoo_plain.cpp).
std::shared_ptr<Network> make_lenet5(const InputShape& shape);

// One conv3x3-BN-ReLU-maxpool block per channel count, then a linear layer (zoo_plain.cpp).
// Throws UsageError when the blocks would pool the image away.
std::shared_ptr<Network> make_cnn(const std::vector<int64_t>& channels, const InputShape& shape,
                                  const std::string& spec);

// CIFAR ResNet-(6n+2) with n blocks per stage (zoo_resnet.cpp).
std::shared_ptr<Network> make_cifar_resnet(int64_t blocks_per_stage, const InputShape& shape);

// ResNet-18 for small images (zoo_resnet.cpp).
std::shared_ptr<Network> make_resnet18(const InputShape& shape);

// WideResNet-(6n+4)-k with n blocks per stage and widen factor k (zoo_resnet.cpp).
std::shared_ptr<Network> make_wide_resnet(int64_t blocks_per_stage, int64_t widen,
                                          const InputShape& shape);

}  // namespace sharpscope::zoo
