#include "sharpscope/core/zoo.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>

#include "sharpscope/core/error.h"

namespace sharpscope {
namespace {

const InputShape kMnist{1, 28, 28, 10};
const InputShape kCifar100{3, 32, 32, 100};
const InputShape kCifar10{3, 32, 32, 10};

int64_t parameter_count(Network& net) {
  int64_t count = 0;
  for (const auto& p : net.parameters()) count += p.numel();
  return count;
}

std::vector<std::string> names(const torch::OrderedDict<std::string, at::Tensor>& tensors) {
  return tensors.keys();
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

struct CountCase {
  std::string spec;
  InputShape shape;
  int64_t parameters;
};

// Counted by hand, layer by layer (weights + biases; BatchNorm weight + bias per channel; convs
// before BatchNorm have no bias), and cross-checked against published totals where they exist.
const CountCase kCounts[] = {
    // 784·500+500 + 500·500+500 + 500·10+10
    {"mlp:500,500", kMnist, 648010},
    {"mlp", kMnist, 648010},
    {"mlp:500,500", kCifar100, 1837100},
    {"mlp:100", kMnist, 79510},
    // conv1 1·6·25+6, conv2 6·16·25+16, fc 400·120+120, 120·84+84, 84·10+10: the classic 61,706
    {"lenet5", kMnist, 61706},
    {"lenet5", kCifar100, 69656},
    // conv 1·32·9, bn 64, conv 32·64·9, bn 128, fc 64·7·7·10+10
    {"cnn", kMnist, 50282},
    {"cnn", kCifar100, 429188},
    {"cnn:8,16", kMnist, 9122},
    // ResNet-20 with option-A shortcuts has 269,722 parameters on CIFAR-10 (He et al.: 0.27M);
    // option B adds 1x1 convs 16→32 (512) and 32→64 (2048) with their BatchNorms (64 + 128).
    {"resnet20", kCifar10, 272474},
    {"resnet20", kMnist, 272186},
    {"resnet20", kCifar100, 278324},
    // ResNet-56: 853,018 with option A, + 2,752 for the projections.
    {"resnet56", kCifar10, 855770},
    {"resnet56", kMnist, 855482},
    // The usual CIFAR ResNet-18 (3x3 stem, projection shortcuts): 11,173,962.
    {"resnet18", kCifar10, 11173962},
    {"resnet18", kMnist, 11172810},
    {"resnet18", kCifar100, 11220132},
    // WRN-16-4 and WRN-28-10 on CIFAR-10: 2,748,890 and 36,479,194 (Zagoruyko & Komodakis'
    // reference implementation: 2.7M and 36.5M).
    {"wrn16-4", kCifar10, 2748890},
    {"wrn16-4", kMnist, 2748602},
    {"wrn16-4", kCifar100, 2772020},
    {"wrn28-10", kCifar10, 36479194},
};

TEST(CoreZoo, ParameterCountsMatchHandCounts) {
  for (const auto& c : kCounts) {
    const auto net = make_network(c.spec, c.shape);
    EXPECT_EQ(parameter_count(*net), c.parameters) << c.spec << " on " << to_string(c.shape);
  }
}

TEST(CoreZoo, EveryArchitectureGivesLogitsOfTheRightShape) {
  torch::manual_seed(0);
  std::vector<std::string> specs = zoo_examples();
  specs.push_back("mlp:64");
  specs.push_back("cnn:8,16");
  specs.push_back("resnet32");
  specs.push_back("wrn28-10");
  for (const auto& shape : {kMnist, kCifar100}) {
    for (const auto& spec : specs) {
      const auto net = make_network(spec, shape);
      const at::Tensor input = torch::randn({2, shape.channels, shape.height, shape.width});
      for (const bool train : {true, false}) {
        net->train(train);
        const at::Tensor logits = net->forward(input);
        EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{2, shape.num_classes}))
            << spec << " on " << to_string(shape);
        EXPECT_TRUE(logits.isfinite().all().item<bool>()) << spec;
      }
    }
  }
}

TEST(CoreZoo, SmallAndNonSquareImagesWork) {
  for (const auto& shape :
       {InputShape{2, 8, 8, 3}, InputShape{1, 8, 13, 4}, InputShape{3, 12, 9, 2}}) {
    for (const auto& spec : zoo_examples()) {
      const auto net = make_network(spec, shape);
      net->eval();
      const at::Tensor logits =
          net->forward(torch::randn({2, shape.channels, shape.height, shape.width}));
      EXPECT_EQ(logits.sizes(), (std::vector<int64_t>{2, shape.num_classes}))
          << spec << " on " << to_string(shape);
    }
  }
}

TEST(CoreZoo, BatchNormStatisticsAreBuffersNotParameters) {
  for (const auto& spec : zoo_examples()) {
    const auto net = make_network(spec, kCifar100);
    const auto parameters = names(net->named_parameters());
    const auto buffers = names(net->named_buffers());
    for (const auto& name : parameters) {
      EXPECT_EQ(name.find("running"), std::string::npos) << spec << ": " << name;
      EXPECT_FALSE(contains(buffers, name)) << spec << ": " << name;
    }
    const bool has_batch_norm = spec != "lenet5" && spec.rfind("mlp", 0) != 0;
    EXPECT_EQ(!buffers.empty(), has_batch_norm) << spec;
    for (const auto& name : buffers) {
      const bool is_statistic = name.find("running_mean") != std::string::npos ||
                                name.find("running_var") != std::string::npos ||
                                name.find("num_batches_tracked") != std::string::npos;
      EXPECT_TRUE(is_statistic) << spec << ": " << name;
    }
  }
}

TEST(CoreZoo, ParameterNamesFollowTorchvision) {
  const auto resnet = names(make_network("resnet20", kCifar10)->named_parameters());
  for (const char* name :
       {"conv1.weight", "bn1.weight", "layer1.0.conv1.weight", "layer1.2.bn2.bias",
        "layer2.0.downsample.0.weight", "layer3.0.downsample.1.weight", "fc.weight", "fc.bias"}) {
    EXPECT_TRUE(contains(resnet, name)) << name;
  }
  EXPECT_FALSE(contains(resnet, "layer1.0.downsample.0.weight"));
  EXPECT_FALSE(contains(resnet, "conv1.bias"));
  EXPECT_TRUE(contains(names(make_network("resnet20", kCifar10)->named_buffers()),
                       "layer2.0.downsample.1.running_var"));

  const auto resnet18 = names(make_network("resnet18", kCifar10)->named_parameters());
  EXPECT_TRUE(contains(resnet18, "layer4.1.conv2.weight"));
  EXPECT_EQ(make_network("resnet18", kCifar10)->named_parameters()["conv1.weight"].sizes(),
            (std::vector<int64_t>{64, 3, 3, 3}));

  const auto wrn = names(make_network("wrn16-4", kCifar10)->named_parameters());
  for (const char* name : {"conv1.weight", "layer1.0.bn1.weight", "layer1.0.shortcut.weight",
                           "layer3.1.conv2.weight", "bn.weight", "fc.bias"}) {
    EXPECT_TRUE(contains(wrn, name)) << name;
  }
  EXPECT_FALSE(contains(wrn, "layer1.1.shortcut.weight"));

  EXPECT_EQ(names(make_network("mlp:500,500", kMnist)->named_parameters()),
            (std::vector<std::string>{"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias",
                                      "fc3.weight", "fc3.bias"}));
}

TEST(CoreZoo, LeNetPadsMnistToTheClassicFrame) {
  // 28x28 padded by 2 is LeCun's 32x32 frame: 16·5·5 features before fc1, as for 32x32 input.
  for (const auto& shape : {kMnist, kCifar10}) {
    const auto params = make_network("lenet5", shape)->named_parameters();
    EXPECT_EQ(params["fc1.weight"].sizes(), (std::vector<int64_t>{120, 400})) << to_string(shape);
  }
}

TEST(CoreZoo, DefaultInitializationIsPyTorchs) {
  torch::manual_seed(1);
  const auto net = make_network("resnet20", kCifar10);
  const auto params = net->named_parameters();
  EXPECT_TRUE(torch::equal(params["bn1.weight"], torch::ones({16})));
  EXPECT_TRUE(torch::equal(params["bn1.bias"], torch::zeros({16})));
  // Kaiming-uniform with a = sqrt(5): bound = 1/sqrt(fan_in).
  const double bound = 1.0 / std::sqrt(3.0 * 9.0);
  EXPECT_LE(params["conv1.weight"].abs().max().item<double>(), bound);
  EXPECT_GT(params["conv1.weight"].abs().max().item<double>(), 0.9 * bound);
}

TEST(CoreZoo, SameSeedSameNetwork) {
  torch::manual_seed(7);
  const auto a = make_network("cnn", kMnist)->parameters();
  torch::manual_seed(7);
  const auto b = make_network("cnn", kMnist)->parameters();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(torch::equal(a[i], b[i]));
}

TEST(CoreZoo, InvalidSpecsAreUsageErrors) {
  for (const char* spec :
       {"",          "foo",       "resnet",     "resnet21",  "resnet2",        "resnet-20",
        "resnet20x", "resnet+20", "resnet20:4", "wrn",       "wrn16",          "wrn15-4",
        "wrn16-0",   "wrn16-x",   "wrn-4",      "wrn16-4-2", "mlp:",           "mlp:500,,500",
        "mlp:500,",  "mlp:0",     "mlp:-5",     "mlp:5x",    "mlp: 5",         "cnn:32,0",
        "cnn:",      "lenet5:3",  "lenet",      "MLP",       "mlp:9999999999", "cnn:1,1,1,1,1"}) {
    EXPECT_THROW(make_network(spec, kMnist), UsageError) << "'" << spec << "'";
  }
  try {
    make_network("resnet21", kMnist);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("--arch = 'resnet21': depth must be 6n+2 (20, 32", 0), 0u)
        << e.what();
  }
}

TEST(CoreZoo, InvalidShapesAreUsageErrors) {
  for (const auto& shape : {InputShape{0, 28, 28, 10}, InputShape{1, 7, 28, 10},
                            InputShape{1, 28, 4, 10}, InputShape{1, 28, 28, 0}}) {
    EXPECT_THROW(make_network("mlp", shape), UsageError) << to_string(shape);
  }
}

TEST(CoreZoo, InputShapeRoundTrips) {
  const InputShape shape = parse_input_shape("3,32,24,100");
  EXPECT_EQ(shape.channels, 3);
  EXPECT_EQ(shape.height, 32);
  EXPECT_EQ(shape.width, 24);
  EXPECT_EQ(shape.num_classes, 100);
  EXPECT_EQ(to_string(shape), "3,32,24,100");
  for (const char* text :
       {"", "3,32,32", "3,32,32,10,1", "3,32,,10", "3,32,32,0", "a,b,c,d", "3,32,32,10,"}) {
    EXPECT_THROW(parse_input_shape(text), UsageError) << "'" << text << "'";
  }
}

}  // namespace
}  // namespace sharpscope
