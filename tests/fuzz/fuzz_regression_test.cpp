// Replays every seed (tests/fuzz/corpus/<harness>) and every kept finding
// (tests/fuzz/regressions/<harness>) through the harness's own entry point, in the ordinary build
// and without libFuzzer: a fixed reader stays fixed, and each harness still accepts its seeds.
// Under -DSHARPSCOPE_SANITIZE=address,undefined the same replay runs instrumented.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz/fuzz_target.h"

void sharpscope_fuzz_idx(const uint8_t* data, size_t size);
void sharpscope_fuzz_cifar(const uint8_t* data, size_t size);
void sharpscope_fuzz_checkpoint_metadata(const uint8_t* data, size_t size);
void sharpscope_fuzz_model_file(const uint8_t* data, size_t size);
void sharpscope_fuzz_h5_direction(const uint8_t* data, size_t size);
void sharpscope_fuzz_flags(const uint8_t* data, size_t size);

namespace {

using Target = void (*)(const uint8_t*, size_t);

std::vector<std::filesystem::path> inputs_of(const std::string& harness) {
  std::vector<std::filesystem::path> files;
  for (const char* kind : {"corpus", "regressions"}) {
    const auto dir = std::filesystem::path(SHARPSCOPE_SOURCE_DIR) / "tests/fuzz" / kind / harness;
    if (!std::filesystem::is_directory(dir)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.is_regular_file() && entry.path().filename() != "README.md") {
        files.push_back(entry.path());
      }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

void replay(const std::string& harness, Target target) {
  const auto files = inputs_of(harness);
  ASSERT_FALSE(files.empty()) << "no seeds for harness " << harness;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), {}};
    try {
      target(bytes.data(), bytes.size());
    } catch (const sharpscope::fuzz::Finding& finding) {
      ADD_FAILURE() << file << ": " << finding.what();
    } catch (const std::exception& e) {
      ADD_FAILURE() << file << ": unexpected exception: " << e.what();
    }
  }
}

}  // namespace

TEST(FuzzRegression, Idx) { replay("idx", sharpscope_fuzz_idx); }
TEST(FuzzRegression, Cifar) { replay("cifar", sharpscope_fuzz_cifar); }
TEST(FuzzRegression, CheckpointMetadata) {
  replay("checkpoint_metadata", sharpscope_fuzz_checkpoint_metadata);
}
TEST(FuzzRegression, ModelFile) { replay("model_file", sharpscope_fuzz_model_file); }
TEST(FuzzRegression, H5Direction) { replay("h5_direction", sharpscope_fuzz_h5_direction); }
TEST(FuzzRegression, Flags) { replay("flags", sharpscope_fuzz_flags); }
