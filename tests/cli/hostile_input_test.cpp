// The hostile-input table: what a new user (or a broken pipeline) hands every command, one row per
// case. Each row asserts the exit code (2 usage, 3 input, 4 output), a one-line message that
// names the flag or file and what was expected, and that nothing was left where it should not be:
// no output, no temp file, no partial file.
#include <gtest/gtest.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <filesystem>
#include <fstream>
#include <limits>

#include "sharpscope/core/checkpoint.h"
#include "sharpscope/core/model.h"
#include "sharpscope/io/h5_writer.h"
#include "support/cli.h"
#include "support/processes.h"
#include "support/ranks.h"
#include "support/scratch_dir.h"

namespace sharpscope {
namespace {

namespace fs = std::filesystem;

// One row. In `args`, `message` and `absent`, {dir} is the scratch directory and {out} the output
// every row uses; `absent` lists files beyond the ones every row checks ({out}, its temp files,
// {out}.partial.h5).
struct Case {
  std::vector<std::string> args;
  int exit_code;
  std::string message;  ///< a substring of the one line on stderr
  std::vector<std::string> absent = {};
};

std::string replaced(std::string text, const std::string& dir) {
  const std::string out = dir + "/out.h5";
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, std::string>>{{"{out}", out}, {"{dir}", dir}}) {
    for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at))
      text.replace(at, key.size(), value), at += value.size();
  }
  return text;
}

void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Big-endian 32-bit integers, as IDX headers store them.
std::string be32(uint32_t v) {
  return {static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8),
          static_cast<char>(v)};
}

// The files the rows refer to, made once: small native checkpoints (good, diverged, of another
// architecture, with metadata that lies), TorchScript modules that break the contract, data
// directories with broken files, direction and result files.
class HostileInput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    scratch_ = new testing::ScratchDir("hostile");
    const std::string d = scratch_->str();
    auto train = [&](const std::string& arch, const std::string& out) {
      ASSERT_EQ(
          testing::run_cli({"train", "--arch", arch, "--data", "synthetic:2048,1,8,8,3,0",
                            "--epochs", "1", "--threads", "1", "--out", d + "/" + out, "--quiet"}),
          0);
    };
    train("mlp:16", "m.pt");
    train("mlp:8", "other-arch.pt");
    train("cnn:2,2", "cnn.pt");

    const auto edited = [&](const std::string& name, const auto& edit) {
      Model model = load_checkpoint(d + "/m.pt");
      edit(model);
      save_checkpoint(d + "/" + name, model);
    };
    edited("nan.pt", [](Model& m) {
      torch::NoGradGuard no_grad;
      m.parameters()[0].view(-1)[3] = std::numeric_limits<float>::quiet_NaN();
    });
    edited("inf.pt", [](Model& m) {
      torch::NoGradGuard no_grad;
      m.parameters()[2].view(-1)[0] = std::numeric_limits<float>::infinity();
    });
    edited("shape-lie.pt", [](Model& m) { m.metadata()["input_shape"] = "1,10,10,3"; });
    edited("data-lie.pt", [](Model& m) { m.metadata()["data"] = "imagenet"; });
    edited("classes-lie.pt", [](Model& m) { m.metadata()["data"] = "synthetic:2048,1,8,8,5,0"; });
    {
      // A BatchNorm statistic gone bad: only the buffer is non-finite.
      Model model = load_checkpoint(d + "/cnn.pt");
      torch::NoGradGuard no_grad;
      model.buffers()[1].fill_(std::numeric_limits<float>::quiet_NaN());
      save_checkpoint(d + "/bn-nan.pt", model);
    }

    // TorchScript modules that are not classifiers of the data.
    const auto script = [&](const std::string& name, const std::string& forward, bool parameters) {
      torch::jit::Module module("Hostile");
      if (parameters) module.register_parameter("w", torch::ones({64, 3}).requires_grad_(), false);
      module.define(forward);
      module.save(d + "/" + name);
    };
    script("tuple.pt",
           "def forward(self, x):\n  y = x.flatten(1).matmul(self.w)\n  return (y, y)\n", true);
    script("wrong-classes.pt",
           "def forward(self, x):\n  return x.flatten(1).matmul(self.w)[:, :2]\n", true);
    script("no-params.pt", "def forward(self, x):\n  return x.flatten(1)[:, :3]\n", false);
    script("raises.pt", "def forward(self, x):\n  return x.matmul(self.w)\n",
           true);  // [B,1,8,8] x [64,3]

    // Bytes that are no model at all.
    write_bytes(d + "/garbage.pt", "this is not a model\n");
    write_bytes(d + "/empty.pt", "");
    const std::string good = read_bytes(d + "/m.pt");
    write_bytes(d + "/truncated.pt", good.substr(0, good.size() / 2));
    fs::create_directory(d + "/a-directory.pt");

    // IDX data: a bad magic, a truncated image file, labels that disagree with the images.
    for (const char* sub : {"idx-magic", "idx-short", "idx-count", "idx-label"}) {
      fs::create_directory(d + "/" + sub);
    }
    const auto images = [](uint32_t magic, uint32_t n, size_t pixels) {
      return be32(magic) + be32(n) + be32(28) + be32(28) + std::string(pixels, '\x10');
    };
    const auto labels = [](uint32_t n, char label) {
      return be32(2049) + be32(n) + std::string(n, label);
    };
    write_bytes(d + "/idx-magic/t10k-images-idx3-ubyte", images(1234, 2, 2 * 784));
    write_bytes(d + "/idx-magic/t10k-labels-idx1-ubyte", labels(2, 1));
    write_bytes(d + "/idx-short/t10k-images-idx3-ubyte", images(2051, 2, 784));
    write_bytes(d + "/idx-short/t10k-labels-idx1-ubyte", labels(2, 1));
    write_bytes(d + "/idx-count/t10k-images-idx3-ubyte", images(2051, 2, 2 * 784));
    write_bytes(d + "/idx-count/t10k-labels-idx1-ubyte", labels(3, 1));
    write_bytes(d + "/idx-label/t10k-images-idx3-ubyte", images(2051, 2, 2 * 784));
    write_bytes(d + "/idx-label/t10k-labels-idx1-ubyte", labels(2, 42));
    fs::create_directory(d + "/cifar-short");
    write_bytes(d + "/cifar-short/test_batch.bin", std::string(3073 + 100, '\x01'));
    write_bytes(d + "/gz-broken-images.gz", "\x1f\x8b broken gzip");
    fs::create_directory(d + "/gz-broken");
    write_bytes(d + "/gz-broken/t10k-images-idx3-ubyte.gz", "\x1f\x8b\x08 broken gzip stream");
    write_bytes(d + "/gz-broken/t10k-labels-idx1-ubyte", labels(2, 1));

    // HDF5 files: a result without a config, a direction holding NaN, text posing as HDF5.
    {
      H5Writer writer(d + "/no-config.h5");
      writer.write("x", {1.0});
      writer.commit();
    }
    {
      Model model = load_checkpoint(d + "/m.pt");
      H5Writer writer(d + "/directions.h5");
      for (size_t i = 0; i < model.parameters().size(); ++i) {
        at::Tensor values = torch::ones_like(model.parameters()[i]);
        if (i == 0) values.view(-1)[0] = std::numeric_limits<float>::quiet_NaN();
        writer.write_tensor("nan/" + model.parameter_names()[i], values);
        writer.write_tensor("short/" + model.parameter_names()[i],
                            torch::ones({1}, values.options()));
      }
      writer.commit();
    }
    write_bytes(d + "/text.h5", "not hdf5\n");
    write_bytes(d + "/bad.toml", "[info]\nbatch-size = 0\n");
  }

  static void TearDownTestSuite() {
    delete scratch_;
    scratch_ = nullptr;
  }

  static testing::ScratchDir* scratch_;
};

testing::ScratchDir* HostileInput::scratch_ = nullptr;

// Runs every row and checks its three promises.
void check(const std::vector<Case>& cases, const std::string& dir) {
  const std::string out = dir + "/out.h5";
  const std::vector<std::string> before = testing::directory_names(dir);
  for (const Case& c : cases) {
    std::vector<std::string> args;
    std::string shown;
    for (const std::string& a : c.args) {
      args.push_back(replaced(a, dir));
      shown += " " + a;
    }
    std::string error;
    const int code = testing::run_cli(args, &error);
    const std::string message = replaced(c.message, dir);
    const bool one_line = !error.empty() && error.find('\n') == error.size() - 1;
    EXPECT_TRUE(code == c.exit_code && error.find(message) != std::string::npos && one_line &&
                error.rfind("sharpscope: ", 0) == 0)
        << "sharpscope" << shown << "\nexit " << code << " (expected " << c.exit_code
        << ")\nexpected: " << message << "\nstderr:   " << error;
    std::vector<std::string> absent = {out, out + ".partial.h5"};
    for (const std::string& a : c.absent) absent.push_back(replaced(a, dir));
    for (const std::string& path : absent) {
      EXPECT_FALSE(fs::exists(path)) << "sharpscope" << shown << " left " << path;
      std::error_code ignored;
      fs::remove(path, ignored);  // one row's leftover must not fail the rows after it
    }
    EXPECT_EQ(testing::directory_names(dir), before) << "sharpscope" << shown << " left files";
  }
}

const std::string kSynthetic = "synthetic:2048,1,8,8,3,0";

TEST_F(HostileInput, BadModels) {
  const std::string d = "{dir}";
  check(
      {
          {{"info", d + "/missing.pt", "--out", "{out}"},
           3,
           "{dir}/missing.pt: no such model file"},
          {{"info", d + "/garbage.pt", "--out", "{out}"},
           3,
           "{dir}/garbage.pt: not a sharpscope checkpoint or a TorchScript file"},
          {{"info", d + "/empty.pt", "--out", "{out}"}, 3, "{dir}/empty.pt: not a sharpscope"},
          {{"hessian", "trace", d + "/truncated.pt", "--out", "{out}"},
           3,
           "{dir}/truncated.pt: not a sharpscope"},
          {{"info", d + "/a-directory.pt", "--out", "{out}"},
           3,
           "{dir}/a-directory.pt: not a regular file"},
          {{"landscape", "interp", d + "/tuple.pt", "--data", kSynthetic, "--dirs", "rand:1", "--x",
            "0:1:2", "--out", "{out}"},
           3,
           "{dir}/tuple.pt: TorchScript forward returns Tuple, expected a tensor"},
          {{"info", d + "/wrong-classes.pt", "--data", kSynthetic, "--out", "{out}"},
           3,
           "{dir}/wrong-classes.pt: model outputs [2, 2] but synthetic/train has 3 classes"},
          {{"info", d + "/no-params.pt", "--data", kSynthetic, "--out", "{out}"},
           3,
           "{dir}/no-params.pt: model has no trainable parameters"},
          {{"sharpness", d + "/raises.pt", "--data", kSynthetic, "--out", "{out}"},
           3,
           "{dir}/raises.pt: model rejects input of shape"},
          {{"info", d + "/m.pt", "--data", "synthetic:64,3,32,32,3,0", "--subset", "64", "--out",
            "{out}"},
           3,
           "{dir}/m.pt: "},
          {{"info", d + "/m.pt", "--data", "synthetic:2048,1,8,8,10,0", "--out", "{out}"},
           3,
           "has 10 classes"},
      },
      scratch_->str());
}

TEST_F(HostileInput, BadCheckpoints) {
  const std::string d = "{dir}";
  check(
      {
          {{"info", d + "/nan.pt", "--out", "{out}"},
           3,
           "{dir}/nan.pt: parameter 'fc1.weight' holds 1 NaN/inf values of 1024"},
          {{"landscape", "interp", d + "/inf.pt", "--dirs", "rand:1", "--x", "0:1:2", "--out",
            "{out}"},
           3,
           "{dir}/inf.pt: parameter 'fc2.weight' holds 1 NaN/inf values"},
          {{"hessian", "spectrum", d + "/bn-nan.pt", "--out", "{out}"},
           3,
           "{dir}/bn-nan.pt: buffer '"},
          {{"landscape", "interp", d + "/m.pt", "--dirs", "to:" + d + "/nan.pt", "--x", "0:1:2",
            "--out", "{out}"},
           3,
           "{dir}/nan.pt: parameter 'fc1.weight' holds 1 NaN/inf"},
          {{"landscape", "line", d + "/m.pt", d + "/inf.pt", "--alpha", "0:1:3", "--out", "{out}"},
           3,
           "{dir}/inf.pt: parameter"},
          {{"info", d + "/shape-lie.pt", "--out", "{out}"},
           3,
           "{dir}/shape-lie.pt: tensor 'fc1.weight' is"},
          {{"info", d + "/data-lie.pt", "--out", "{out}"}, 3, "{dir}/data-lie.pt: metadata data"},
          {{"info", d + "/classes-lie.pt", "--out", "{out}"},
           3,
           "{dir}/classes-lie.pt: model outputs"},
          {{"landscape", "line", d + "/m.pt", d + "/other-arch.pt", "--alpha", "0:1:3", "--out",
            "{out}"},
           3,
           "{dir}/other-arch.pt: "},
          {{"landscape", "interp", d + "/m.pt", "--dirs", "to:" + d + "/other-arch.pt", "--x",
            "0:1:2", "--out", "{out}"},
           3,
           "{dir}/other-arch.pt: parameter 'fc1.weight' has another shape than the model's"},
          {{"train", "--arch", "mlp:16", "--data", kSynthetic, "--epochs", "2", "--resume",
            d + "/garbage.pt", "--out", "{out}"},
           3,
           "{dir}/garbage.pt: "},
          // Resuming with other options names just the fields that differ, on one line.
          {{"train", "--arch", "mlp:16", "--data", "synthetic:2048,1,8,8,3,0", "--epochs", "2",
            "--seed", "9", "--resume", d + "/m.pt", "--out", "{out}"},
           2,
           "--resume = '{dir}/m.pt': the checkpoint was trained with other options (seed 0, now "
           "9)"},
      },
      scratch_->str());
}

TEST_F(HostileInput, BadData) {
  const std::string d = "{dir}";
  const std::string m = d + "/m.pt";
  const std::string fixture = std::string(SHARPSCOPE_SOURCE_DIR) + "/tests/fixtures/tiny_cnn.pt";
  check(
      {
          {{"info", m, "--data", "imagenet", "--out", "{out}"}, 2, "--data = 'imagenet'"},
          {{"info", m, "--data", "synthetic:0,1,8,8,3,0", "--out", "{out}"}, 2, "--data"},
          {{"info", m, "--data", "synthetic:a,b", "--out", "{out}"}, 2, "--data"},
          {{"info", fixture, "--data", "fmnist:" + d + "/nowhere", "--split", "test", "--out",
            "{out}"},
           3,
           "{dir}/nowhere/t10k-images-idx3-ubyte.gz: no such file"},
          {{"info", fixture, "--data", "fmnist:" + d + "/idx-magic", "--split", "test", "--out",
            "{out}"},
           3,
           "{dir}/idx-magic/t10k-images-idx3-ubyte: bad magic number 1234"},
          {{"info", fixture, "--data", "mnist:" + d + "/idx-short", "--split", "test", "--out",
            "{out}"},
           3,
           "{dir}/idx-short/t10k-images-idx3-ubyte: truncated"},
          {{"info", fixture, "--data", "fmnist:" + d + "/idx-count", "--split", "test", "--out",
            "{out}"},
           3,
           "{dir}/idx-count/t10k-labels-idx1-ubyte: holds 3"},
          {{"info", fixture, "--data", "fmnist:" + d + "/idx-label", "--split", "test", "--out",
            "{out}"},
           3,
           "{dir}/idx-label/t10k-labels-idx1-ubyte: label 42"},
          {{"info", fixture, "--data", "fmnist:" + d + "/gz-broken", "--split", "test", "--out",
            "{out}"},
           3,
           "{dir}/gz-broken/t10k-images-idx3-ubyte.gz: "},
          {{"info", fixture, "--data", "cifar10:" + d + "/cifar-short", "--split", "test", "--out",
            "{out}"},
           3,
           "{dir}/cifar-short/test_batch.bin: size"},
          {{"info", m, "--data", kSynthetic, "--subset", "2049", "--out", "{out}"},
           2,
           "--subset = 2049"},
          {{"escape-test", m, "--data", kSynthetic, "--out", "{out}"},
           2,
           "--subset = 10000: the train split of synthetic has only 2048 examples"},
      },
      scratch_->str());
}

// A TorchScript archive on which LibTorch's own reader segfaults (fuzz finding,
// tests/fuzz/libtorch_findings): one line naming the file and exit 3, not a core dump. In a
// process of its own, since the guard ends the process.
TEST_F(HostileInput, AModelFileThatCrashesLibTorchEndsInOneLineAndExitThree) {
  const std::string model = std::string(SHARPSCOPE_SOURCE_DIR) +
                            "/tests/fuzz/libtorch_findings/model_file_parse_class_constant_segv";
  const std::string out = scratch_->str() + "/crash-out.h5";
  testing::Launch launch;
  launch.args = {"info", model, "--out", out};
  launch.directory = scratch_->str();
  launch.environments.push_back({});
  const testing::RankOutcome run = testing::launch_ranks(launch).at(0);
  EXPECT_EQ(run.exit_code, 3) << run.err;
  EXPECT_EQ(run.err, "sharpscope: " + model +
                         ": LibTorch crashed reading this file (a corrupt or hostile model "
                         "archive; only load model files you trust)\n");
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(HostileInput, BadFlags) {
  const std::string m = "{dir}/m.pt";
  const std::vector<std::string> grid{"landscape", "interp", m, "--data", kSynthetic};
  const auto with = [](std::vector<std::string> base, std::vector<std::string> extra) {
    base.insert(base.end(), extra.begin(), extra.end());
    base.insert(base.end(), {"--out", "{out}"});
    return base;
  };
  check(
      {
          {with({"info", m}, {"--batch-size", "0"}), 2, "--batch-size = 0: must be > 0"},
          {with({"info", m}, {"--batch-size", "many"}), 2, "--batch-size"},
          {with({"info", m}, {"--subset", "-5"}), 2, "--subset = -5: must be >= 0"},
          {with({"info", m}, {"--split", "validation"}), 2, "--split = 'validation'"},
          {with({"info", m}, {"--dtype", "float16"}), 2, "--dtype = 'float16'"},
          {with({"info", m}, {"--device", "tpu"}), 2, "--device = 'tpu'"},
          {with({"info", m}, {"--bn", "frozen"}), 2, "--bn = 'frozen'"},
          {with({"info", m}, {"--threads", "-1"}), 2, "--threads = -1"},
          {with({"info", m}, {"--label-smoothing", "1.5"}), 2, "--label-smoothing = 1.5"},
          {with({"info", m}, {"--no-such-flag"}), 2, "--no-such-flag"},
          {with({"info"}, {}), 2, "model is required"},
          {with(grid, {"--x", "1:0:5"}), 2, "--x = '1:0:5'"},
          {with(grid, {"--x", "0:1:0"}), 2, "--x = '0:1:0'"},
          {with(grid, {"--x", "zero:one:3"}), 2, "--x = 'zero:one:3'"},
          {with(grid, {"--x", "nan:1:3"}), 2, "--x = 'nan:1:3'"},
          {with(grid, {"--dirs", "north:1"}), 2, "--dirs"},
          {with(grid, {"--dirs", "rand:1", "--y", "0:1:3"}), 2, "--y = '0:1:3': one direction"},
          {with(grid, {"--rho", "-0.1"}), 2, "--rho = -0.1"},
          {with(grid, {"--ratio", "1:-2"}), 2, "--ratio"},
          {with(grid, {"--scope", "half"}), 2, "--scope = 'half'"},
          {with({"hessian", "spectrum", m}, {"--top", "0"}), 2, "--top = 0"},
          {with({"hessian", "spectrum", m}, {"--method", "arnoldi"}), 2, "--method = 'arnoldi'"},
          {with({"hessian", "spectrum", m}, {"--tol", "-1"}), 2, "--tol = -1"},
          {with({"hessian", "trace", m}, {"--probes", "0"}), 2, "--probes = 0"},
          {with({"hessian", "density", m}, {"--lanczos-steps", "0"}), 2, "--lanczos-steps = 0"},
          {with({"hessian", "trace", m}, {"--hvp", "guess"}), 2, "--hvp = 'guess'"},
          {with({"sharpness", m}, {"--kinds", "asc,pointy"}), 2, "--kinds"},
          {with({"gradsim", m}, {"--steps", "2,1"}), 2, "--steps = '2,1'"},
          {with({"loss-decrease", m}, {"--lr", "0"}), 2, "--lr = 0"},
          {with({"landscape", "ascent", m}, {"--k", "0:1"}), 2, "--k = '0:1'"},
          {with({"escape-test", m}, {"--optimizer", "adam"}), 2, "--optimizer"},
          {with({"escape-test", m}, {"--threshold", "0.9", "--drop", "0.1"}), 2, "--drop"},
          {with({"train"}, {"--arch", "transformer"}), 2, "--arch = 'transformer'"},
          {with({"train"}, {"--arch", "mlp:16", "--data", kSynthetic, "--epochs", "-1"}), 2,
           "--epochs = -1"},
          {with({"train"}, {"--arch", "mlp:16", "--data", kSynthetic, "--optimizer", "sam-0"}), 2,
           "--steps = 0: must be >= 1"},  // sam-N takes N ascent steps
          {with({"train"}, {"--arch", "mlp:16", "--data", kSynthetic, "--lr", "nan"}), 2, "--lr"},
          {with({"toy", "saddle"}, {"--lrs", "0:0.3:10:log"}), 2, "--lrs = '0:0.3:10:log'"},
          {with({"toy", "valley"}, {"--loss", "cubic"}), 2, "--loss = 'cubic'"},
          {with({"stability"}, {"--optimizer", "sgd", "--train-subset", "1"}), 2, "--train-subset"},
          {{"--config", "{dir}/missing.toml", "info", m, "--out", "{out}"}, 3, "missing.toml"},
          {{"--config", "{dir}/bad.toml", "info", m, "--out", "{out}"}, 2, "--batch-size = 0"},
      },
      scratch_->str());
}

TEST_F(HostileInput, BadOutputsAndStoredFiles) {
  const std::string m = "{dir}/m.pt";
  check(
      {
          {{"info", m, "--out", "{dir}/no/such/dir/out.h5"},
           4,
           "--out = '{dir}/no/such/dir/out.h5': cannot create file: directory '{dir}/no/such/dir' "
           "does not exist"},
          {{"info", m, "--out", "{dir}/a-directory.pt"}, 4, "exists and is not a regular file"},
          {{"hessian", "trace", m, "--out", "/dev/null"}, 4, "--out = '/dev/null': exists and is"},
          {{"info", m, "--out", "{dir}/m.pt/out.h5"}, 4, "'{dir}/m.pt' is not a directory"},
          {{"train", "--arch", "mlp:16", "--data", kSynthetic, "--out", "{dir}/m.pt/x.pt"},
           4,
           "--out = '{dir}/m.pt/x.pt': cannot create directory '{dir}/m.pt'"},
          {{"train", "--arch", "mlp:16", "--data", kSynthetic, "--out", "{dir}/a-directory.pt"},
           4,
           "--out = '{dir}/a-directory.pt': exists and is not a regular file"},
          {{"landscape", "interp", m, "--dirs", "file:{dir}/directions.h5:nan", "--x", "0:1:2",
            "--out", "{out}"},
           3,
           "{dir}/directions.h5: nan/fc1.weight holds 1 NaN/inf values"},
          {{"landscape", "interp", m, "--dirs", "file:{dir}/directions.h5:short", "--x", "0:1:2",
            "--out", "{out}"},
           3,
           "{dir}/directions.h5: short/fc1.weight has shape [1]"},
          {{"landscape", "interp", m, "--dirs", "file:{dir}/directions.h5:absent", "--x", "0:1:2",
            "--out", "{out}"},
           3,
           "{dir}/directions.h5: no direction 'absent'"},
          {{"landscape", "interp", m, "--dirs", "file:{dir}/text.h5:d1", "--x", "0:1:2", "--out",
            "{out}"},
           3,
           "{dir}/text.h5: not an HDF5 file"},
          {{"rerun", "{dir}/no-config.h5", "--out", "{out}"}, 3, "{dir}/no-config.h5: records no"},
          {{"rerun", "{dir}/text.h5", "--out", "{out}"}, 3, "{dir}/text.h5: not an HDF5 file"},
          {{"rerun", "{dir}/missing.h5", "--out", "{out}"}, 3, "{dir}/missing.h5: no such file"},
      },
      scratch_->str());
}

// A partial file written by other options is refused by --resume, and left for the user.
TEST_F(HostileInput, ResumeOfAnotherGridIsRefusedAndKeepsBothFiles) {
  const std::string d = scratch_->str() + "/resume";
  fs::create_directories(d);
  const std::string out = d + "/g.h5";
  const std::vector<std::string> grid{"landscape", "interp",   scratch_->str() + "/m.pt",
                                      "--data",    kSynthetic, "--dirs",
                                      "rand:1",    "--out",    out,
                                      "--quiet"};
  auto x = [&](const std::string& axis, bool resume) {
    std::vector<std::string> args = grid;
    args.insert(args.end(), {"--x", axis});
    if (resume) args.push_back("--resume");
    return args;
  };
  {
    const testing::FileSizeLimit limit(9000);  // the result (34 kB) fails, its points (6 kB) fit
    ASSERT_EQ(testing::run_cli(x("0:1:3", false)), 4);
  }
  ASSERT_TRUE(fs::exists(out + ".partial.h5"));
  std::string error;
  EXPECT_EQ(testing::run_cli(x("0:1:4", true), &error), 3);
  EXPECT_NE(error.find(out + ".partial.h5: written by different options"), std::string::npos)
      << error;
  EXPECT_TRUE(fs::exists(out + ".partial.h5"));
  EXPECT_FALSE(fs::exists(out));
  EXPECT_EQ(testing::temp_files_in(d), std::vector<std::string>{});
}

}  // namespace
}  // namespace sharpscope
