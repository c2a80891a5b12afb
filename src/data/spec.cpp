// Parsing of --data and --split values, and the Subset description.
#include <array>
#include <string>
#include <vector>

#include "sharpscope/core/error.h"
#include "sharpscope/data/dataset.h"

namespace sharpscope {
namespace {

constexpr const char* kFashionMnistDirectory = "/usr/share/datasets/fashion-mnist";
// constexpr, not a global vector: specs may be parsed during other translation units' static
// initialization.
constexpr std::array<int64_t, 6> kSyntheticDefaults = {512, 1, 8, 8, 4, 0};

UsageError malformed(const std::string& text) {
  return UsageError("--data = '" + text +
                    "': expected fmnist[:DIR] | mnist:DIR | cifar10:DIR | cifar100:DIR | "
                    "synthetic[:N,C,H,W,K,SEED]");
}

// Strict: the whole field must be a decimal integer, so "8x" or "" is rejected, not truncated.
bool parse_int(const std::string& field, int64_t& value) {
  if (field.empty()) return false;
  size_t used = 0;
  try {
    value = std::stoll(field, &used);
  } catch (const std::exception&) {
    return false;
  }
  return used == field.size();
}

std::vector<int64_t> parse_synthetic(const std::string& text, const std::string& values) {
  std::vector<int64_t> params(kSyntheticDefaults.begin(), kSyntheticDefaults.end());
  size_t index = 0, start = 0;
  for (;;) {
    const size_t comma = values.find(',', start);
    const std::string field = values.substr(start, comma - start);
    const int64_t minimum = index == 5 ? 0 : 1;  // SEED may be 0; sizes and K must be positive
    if (index >= params.size() || !parse_int(field, params[index]) || params[index] < minimum) {
      throw UsageError("--data = '" + text +
                       "': expected synthetic[:N,C,H,W,K,SEED], up to six integers, N,C,H,W,K >= "
                       "1 and SEED >= 0");
    }
    ++index;
    if (comma == std::string::npos) return params;
    start = comma + 1;
  }
}

}  // namespace

Split parse_split(const std::string& text) {
  if (text == "train") return Split::kTrain;
  if (text == "test") return Split::kTest;
  throw UsageError("--split = '" + text + "': expected train | test");
}

std::string to_string(Split split) { return split == Split::kTrain ? "train" : "test"; }

DataSpec parse_data_spec(const std::string& text) {
  const size_t colon = text.find(':');
  DataSpec spec;
  spec.text = text;
  spec.kind = text.substr(0, colon);
  const bool has_value = colon != std::string::npos;
  const std::string value = has_value ? text.substr(colon + 1) : "";
  if (has_value && value.empty()) throw malformed(text);
  if (spec.kind == "synthetic") {
    spec.synthetic =
        has_value ? parse_synthetic(text, value)
                  : std::vector<int64_t>(kSyntheticDefaults.begin(), kSyntheticDefaults.end());
  } else if (spec.kind == "fmnist") {
    spec.directory = has_value ? value : kFashionMnistDirectory;
  } else if (spec.kind == "mnist" || spec.kind == "cifar10" || spec.kind == "cifar100") {
    if (!has_value) throw malformed(text);
    spec.directory = value;
  } else {
    throw malformed(text);
  }
  return spec;
}

std::string Subset::describe() const {
  if (count == 0) return "all";
  if (!seed) return "first " + std::to_string(count);
  return std::to_string(count) + " random (seed " + std::to_string(*seed) + ")";
}

}  // namespace sharpscope
