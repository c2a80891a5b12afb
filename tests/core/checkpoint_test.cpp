#include "sharpscope/core/checkpoint.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "sharpscope/core/error.h"
#include "sharpscope/core/model.h"
#include "sharpscope/core/zoo.h"
#include "support/scratch_dir.h"
#include "support/testing.h"

namespace sharpscope {
namespace {

namespace fs = std::filesystem;
using testing::params_equal;

const InputShape kShape{3, 16, 16, 7};

ParamList tensors(const torch::OrderedDict<std::string, at::Tensor>& dict) { return dict.values(); }

// Moves every parameter and BatchNorm statistic away from its initial value, so a loader that
// skipped any of them (or reinitialized the network) fails the comparison. The steps are small
// enough to keep the logits of a 56-layer network finite, which the exact comparison of outputs
// needs (NaN equals nothing).
void perturb(Network& net) {
  torch::NoGradGuard no_grad;
  for (auto& p : net.parameters()) p.add_(0.05 * torch::randn_like(p));
  for (auto& item : net.named_buffers()) {
    at::Tensor& b = item.value();
    if (item.key().find("running_var") != std::string::npos) {
      b.copy_(torch::rand_like(b) + 0.5);  // variances must stay positive
    } else if (b.is_floating_point()) {
      b.copy_(0.1 * torch::randn_like(b));
    } else {
      b.fill_(17);  // num_batches_tracked
    }
  }
}

Model make_model(const std::string& arch, const InputShape& shape = kShape) {
  auto net = make_network(arch, shape);
  perturb(*net);
  Model model(net, arch);
  model.metadata() = {{"input_shape", to_string(shape)},
                      {"seed", "3"},
                      {"metrics.train_loss", "0.25"},
                      {"data", "cifar10:/data/cifar-10-batches-bin"}};
  return model;
}

bool has_temporary_files(const std::string& dir) {
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().filename().string().find(".tmp.") != std::string::npos) return true;
  }
  return false;
}

std::string write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

void expect_input_error_naming(const std::string& path, const std::string& fragment = "") {
  try {
    load_checkpoint(path);
    ADD_FAILURE() << "no InputError for " << path;
  } catch (const InputError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find(fragment), std::string::npos) << message;
  }
}

TEST(CoreCheckpoint, EveryZooArchitectureRoundTripsBitExactly) {
  torch::manual_seed(0);
  const testing::ScratchDir scratch("checkpoint");
  const std::string dir = scratch.str();
  for (const auto& arch : zoo_examples()) {
    SCOPED_TRACE(arch);
    Model model = make_model(arch);
    const std::string path = dir + "/model.pt";
    save_checkpoint(path, model);
    EXPECT_FALSE(has_temporary_files(dir));
    ASSERT_TRUE(is_checkpoint(path));

    Model loaded = load_checkpoint(path);
    EXPECT_EQ(loaded.kind(), "native");
    EXPECT_EQ(loaded.arch(), arch);
    Metadata expected = model.metadata();
    expected["format"] = kCheckpointFormat;
    expected["arch"] = arch;
    EXPECT_EQ(loaded.metadata(), expected);

    const auto& net = *model.network();
    const auto& restored = *loaded.network();
    EXPECT_EQ(restored.named_parameters().keys(), net.named_parameters().keys());
    EXPECT_EQ(restored.named_buffers().keys(), net.named_buffers().keys());
    EXPECT_TRUE(
        params_equal(tensors(restored.named_parameters()), tensors(net.named_parameters())));
    EXPECT_TRUE(params_equal(tensors(restored.named_buffers()), tensors(net.named_buffers())));
    EXPECT_TRUE(params_equal(loaded.parameters(), model.parameters()));

    model.set_training(false);
    loaded.set_training(false);
    const at::Tensor input = torch::randn({2, kShape.channels, kShape.height, kShape.width});
    const at::Tensor logits = model.forward(input);
    ASSERT_TRUE(logits.isfinite().all().item<bool>());
    EXPECT_TRUE(params_equal({loaded.forward(input)}, {logits}));
  }
  fs::remove_all(dir);
}

TEST(CoreCheckpoint, ModelLoadDispatchesToCheckpoints) {
  const testing::ScratchDir scratch("checkpoint");
  const std::string dir = scratch.str();
  Model model = make_model("cnn:4,8");
  save_checkpoint(dir + "/cnn.pt", model);
  Model loaded = Model::load(dir + "/cnn.pt");
  EXPECT_EQ(loaded.arch(), "cnn:4,8");
  EXPECT_TRUE(params_equal(loaded.parameters(), model.parameters()));
  fs::remove_all(dir);
}

TEST(CoreCheckpoint, Float64ModelsComeBackInFloat64) {
  const testing::ScratchDir scratch("checkpoint");
  const std::string dir = scratch.str();
  Model model = make_model("resnet20");
  model.to(torch::kCPU, torch::kFloat64);
  save_checkpoint(dir + "/f64.pt", model);
  Model loaded = load_checkpoint(dir + "/f64.pt");
  EXPECT_EQ(loaded.dtype(), torch::kFloat64);
  EXPECT_TRUE(params_equal(loaded.parameters(), model.parameters()));
  EXPECT_TRUE(params_equal(loaded.buffers(), model.buffers()));
  fs::remove_all(dir);
}

TEST(CoreCheckpoint, ExtraStateRoundTrips) {
  const testing::ScratchDir scratch("checkpoint");
  const std::string dir = scratch.str();
  Model model = make_model("mlp:8");
  const at::Tensor momentum = torch::randn({8, 3});
  save_checkpoint(dir + "/extra.pt", model, [&](torch::serialize::OutputArchive& archive) {
    archive.write("trainer_step", c10::IValue(int64_t{1234}));
    archive.write("momentum", momentum, /*is_buffer=*/true);
  });
  c10::IValue step;
  at::Tensor restored;
  load_checkpoint(dir + "/extra.pt", [&](torch::serialize::InputArchive& archive) {
    archive.read("trainer_step", step);
    archive.read("momentum", restored, /*is_buffer=*/true);
  });
  EXPECT_EQ(step.toInt(), 1234);
  EXPECT_TRUE(params_equal({restored}, {momentum}));
  fs::remove_all(dir);
}

TEST(CoreCheckpoint, OverwritesAtomically) {
  const testing::ScratchDir scratch("checkpoint");
  const std::string dir = scratch.str();
  const std::string path = dir + "/model.pt";
  Model first = make_model("lenet5");
  Model second = make_model("lenet5");
  save_checkpoint(path, first);
  save_checkpoint(path, second);
  EXPECT_FALSE(has_temporary_files(dir));
  EXPECT_TRUE(params_equal(load_checkpoint(path).parameters(), second.parameters()));
  fs::remove_all(dir);
}

TEST(CoreCheckpoint, MissingAndCorruptFilesAreInputErrors) {
  const testing::ScratchDir scratch("checkpoint");
  const std::string dir = scratch.str();
  const std::string missing = dir + "/missing.pt";
  EXPECT_FALSE(is_checkpoint(missing));
  expect_input_error_naming(missing, "no such file");

  torch::manual_seed(5);
  const at::Tensor noise = torch::randint(0, 256, {4096}, torch::kUInt8);
  const std::string corrupt = write_file(
      dir + "/corrupt.pt",
      std::string(reinterpret_cast<const char*>(noise.data_ptr<uint8_t>()), noise.numel()));
  EXPECT_FALSE(is_checkpoint(corrupt));
  expect_input_error_naming(corrupt, "not a sharpscope checkpoint");

  // A valid checkpoint cut short, as a crash without the atomic rename would leave it.
  Model model = make_model("cnn");
  save_checkpoint(dir + "/whole.pt", model);
  std::ifstream whole(dir + "/whole.pt", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(whole)),
                          std::istreambuf_iterator<char>());
  const std::string truncated =
      write_file(dir + "/truncated.pt", bytes.substr(0, bytes.size() / 2));
  EXPECT_FALSE(is_checkpoint(truncated));
  expect_input_error_naming(truncated);

  // A plain LibTorch archive of a zoo network has no sharpscope format entry.
  torch::save(make_network("cnn", kShape), dir + "/plain.pt");
  EXPECT_FALSE(is_checkpoint(dir + "/plain.pt"));
  expect_input_error_naming(dir + "/plain.pt", "not a sharpscope checkpoint");
  fs::remove_all(dir);
}

TEST(CoreCheckpoint, NetworkMismatchNamesTheTensor) {
  const testing::ScratchDir scratch("checkpoint");
  const std::string dir = scratch.str();
  // Checkpoints whose arch does not describe their tensors: wrong widths, fewer and more blocks.
  Model narrow(make_network("cnn:8,16", kShape), "cnn");
  narrow.metadata()["input_shape"] = to_string(kShape);
  save_checkpoint(dir + "/narrow.pt", narrow);
  expect_input_error_naming(dir + "/narrow.pt", "'conv1.weight'");

  Model shallow(make_network("resnet20", kShape), "resnet32");
  shallow.metadata()["input_shape"] = to_string(kShape);
  save_checkpoint(dir + "/shallow.pt", shallow);
  expect_input_error_naming(dir + "/shallow.pt", "'layer1.3'");

  Model deep(make_network("resnet32", kShape), "resnet20");
  deep.metadata()["input_shape"] = to_string(kShape);
  save_checkpoint(dir + "/deep.pt", deep);
  expect_input_error_naming(dir + "/deep.pt", "'layer1.3'");
  fs::remove_all(dir);
}

// Metadata that asks for a huge network is refused before that network is allocated: the widest mlp
// the zoo accepts needs 3 TB, the large input 160 GB, and the files hold a few kilobytes of
// tensors. Allocating first ended in LibTorch's allocation error (exit 1) or, overcommitted, in the
// OOM killer. Every zoo architecture still loads (EveryZooArchitectureRoundTripsBitExactly,
// Float64Models...).
TEST(CoreCheckpoint, MetadataOfAHugeNetworkIsRefusedBeforeItIsBuilt) {
  const testing::ScratchDir scratch("checkpoint");
  const std::string dir = scratch.str();
  Model wide(make_network("mlp:4", kShape), "mlp:999999999");
  wide.metadata()["input_shape"] = to_string(kShape);
  save_checkpoint(dir + "/wide.pt", wide);
  expect_input_error_naming(dir + "/wide.pt", "too large for the");

  Model large_input(make_network("mlp:4", kShape), "mlp:4");
  large_input.metadata()["input_shape"] = "1,100000,100000,10";
  save_checkpoint(dir + "/large_input.pt", large_input);
  expect_input_error_naming(dir + "/large_input.pt", "input_shape '1,100000,100000,10'");

  fs::remove_all(dir);
}

// Reading a model archive is capped at twice its size plus 64 MiB (src/core/untrusted_archive.h):
// a checkpoint larger than that slack (23 M parameters, 93 MB) still loads whole.
TEST(CoreCheckpoint, ACheckpointLargerThanTheReadersSlackLoads) {
  const testing::ScratchDir scratch("checkpoint");
  const std::string dir = scratch.str();
  Model model = make_model("mlp:30000");
  save_checkpoint(dir + "/large.pt", model);
  ASSERT_GT(fs::file_size(dir + "/large.pt"), std::uintmax_t{64} << 20);
  Model loaded = load_checkpoint(dir + "/large.pt");
  EXPECT_TRUE(params_equal(tensors(loaded.network()->named_parameters()),
                           tensors(model.network()->named_parameters())));
  fs::remove_all(dir);
}

TEST(CoreCheckpoint, SavingWithoutInputShapeFailsAndWritesNothing) {
  const testing::ScratchDir scratch("checkpoint");
  const std::string dir = scratch.str();
  Model model(make_network("mlp", kShape), "mlp");
  EXPECT_THROW(save_checkpoint(dir + "/model.pt", model), std::invalid_argument);
  EXPECT_TRUE(fs::is_empty(dir));
  fs::remove_all(dir);
}

TEST(CoreCheckpoint, UnwritablePathIsAnOutputError) {
  const testing::ScratchDir scratch("checkpoint");
  const std::string dir = scratch.str();
  Model model = make_model("mlp:4");
  EXPECT_THROW(save_checkpoint(dir + "/no/such/dir/model.pt", model), OutputError);
  EXPECT_TRUE(fs::is_empty(dir));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace sharpscope
