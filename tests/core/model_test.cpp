#include "sharpscope/core/model.h"

#include <fstream>

#include "commands/parse.h"
#include "sharpscope/core/error.h"
#include "sharpscope/core/objective.h"
#include "sharpscope/core/params.h"
#include "support/scratch_dir.h"
#include "support/testing.h"

namespace sharpscope {
using cli::parse_data_spec;
namespace {

const std::string kFixture = std::string(SHARPSCOPE_SOURCE_DIR) + "/tests/fixtures/tiny_cnn.pt";

TEST(CoreModel, LoadsTorchScriptSavedFromPython) {
  Model model = Model::load(kFixture);
  EXPECT_EQ(model.kind(), "torchscript");
  // conv 4·1·3·3 + 4, BatchNorm weight and bias 4 + 4, fc 676·10 + 10.
  EXPECT_EQ(model.parameter_count(), 40 + 8 + 6770);
  EXPECT_EQ(model.parameters().size(), 6u);
  EXPECT_EQ(model.parameter_names().front(), "conv.weight");
  EXPECT_EQ(model.buffers().size(), 3u);  // running mean, running var, batches tracked
}

TEST(CoreModel, TorchScriptLossMatchesPythonInFloat64) {
  std::ifstream expected_file(std::string(SHARPSCOPE_SOURCE_DIR) +
                              "/tests/fixtures/tiny_cnn.expected.txt");
  double expected_loss = 0.0, expected_accuracy = 0.0;
  ASSERT_TRUE(expected_file >> expected_loss >> expected_accuracy);
  Model model = Model::load(kFixture);
  model.to(torch::kCPU, torch::kDouble);
  const Dataset data = load_dataset(parse_data_spec("fmnist"), Split::kTest, {64});
  const Evaluation e = Objective(model, data, {10}).evaluate();
  // Both sides compute in float64 from float32 pixels normalized in a different order of float32
  // operations, so inputs differ by float32 round-off (6e-8 relative): allow 1e-7 relative.
  EXPECT_NEAR(e.loss, expected_loss, 1e-7 * expected_loss);
  EXPECT_DOUBLE_EQ(e.accuracy, expected_accuracy);
}

TEST(CoreModel, MovesBetweenDtypesKeepingValues) {
  Model model = Model::load(kFixture);
  const ParamList before = clone(model.parameters());
  model.to(torch::kCPU, torch::kDouble);
  EXPECT_EQ(model.dtype(), torch::kDouble);
  model.to(torch::kCPU, torch::kFloat);
  EXPECT_TRUE(testing::params_equal(model.parameters(), before));
}

TEST(CoreModel, BadFilesAreInputErrorsNamingTheFile) {
  const testing::ScratchDir scratch("model");
  const std::string dir = scratch.str();
  const std::string corrupt = dir + "/corrupt.pt";
  std::ofstream(corrupt) << "this is not a model";
  // A TorchScript archive whose code does not parse (fuzz finding, kept in
  // tests/fuzz/regressions/model_file): the compiler throws std::runtime_error, not c10::Error.
  const std::string unparsable = std::string(SHARPSCOPE_SOURCE_DIR) +
                                 "/tests/fuzz/regressions/model_file/code_that_does_not_parse";
  for (const std::string& path : {dir + "/missing.pt", corrupt, unparsable}) {
    try {
      Model::load(path);
      ADD_FAILURE() << path << " loaded";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
  }
}

// A TorchScript archive of 4 426 bytes whose zip header declares a record of 3.9 GB (fuzz finding,
// kept in tests/fuzz/regressions/model_file): LibTorch allocated what the header said before
// reading it. The read is capped (src/core/untrusted_archive.h), and only a refused allocation
// gives this message.
TEST(CoreModel, ARecordLargerThanItsFileIsRefusedBeforeItIsAllocated) {
  const std::string path = std::string(SHARPSCOPE_SOURCE_DIR) +
                           "/tests/fuzz/regressions/model_file/record_larger_than_file";
  try {
    Model::load(path);
    ADD_FAILURE() << path << " loaded";
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), path +
                                         ": corrupt model archive: its records declare more "
                                         "than the 4426 bytes the file holds");
  }
}

TEST(CoreModel, WrongInputShapeOrClassCountIsInputError) {
  Model model = Model::load(kFixture);
  const Dataset cifar_like =
      load_dataset(parse_data_spec("synthetic:8,3,32,32,10,0"), Split::kTrain);
  EXPECT_THROW(Objective(model, cifar_like), InputError);
  const Dataset four_classes =
      load_dataset(parse_data_spec("synthetic:8,1,28,28,4,0"), Split::kTrain);
  EXPECT_THROW(Objective(model, four_classes), InputError);
}

}  // namespace
}  // namespace sharpscope
