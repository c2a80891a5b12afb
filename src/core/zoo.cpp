#include "sharpscope/core/zoo.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include "core/zoo_nets.h"
#include "sharpscope/core/error.h"

namespace sharpscope {
namespace {

[[noreturn]] void bad_spec(const std::string& spec, const std::string& why) {
  throw UsageError("--arch = '" + spec + "': " + why);
}

// Digits only: no sign, blank or suffix slips through as it would with std::stoll alone. Nine
// digits at most keep every product of sizes far from overflow.
std::optional<int64_t> parse_positive(const std::string& text) {
  if (text.empty() || text.size() > 9 ||
      !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
    return std::nullopt;
  }
  const int64_t value = std::stoll(text);
  if (value <= 0) return std::nullopt;
  return value;
}

int64_t spec_number(const std::string& text, const std::string& spec, const std::string& what) {
  const auto value = parse_positive(text);
  if (!value) bad_spec(spec, what + " '" + text + "' is not a positive integer");
  return *value;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  size_t begin = 0;
  while (true) {
    const size_t end = text.find(separator, begin);
    parts.push_back(text.substr(begin, end - begin));
    if (end == std::string::npos) return parts;
    begin = end + 1;
  }
}

std::vector<int64_t> spec_list(const std::string& text, const std::string& spec,
                               const std::string& what) {
  std::vector<int64_t> values;
  for (const auto& part : split(text, ',')) values.push_back(spec_number(part, spec, what));
  return values;
}

void check_shape(const InputShape& shape) {
  if (shape.channels < 1 || shape.num_classes < 1 || shape.height < 8 || shape.width < 8) {
    throw UsageError("input shape " + to_string(shape) +
                     " (C,H,W,K): needs at least one channel and class, and images of 8x8 or more");
  }
}

}  // namespace

std::string to_string(const InputShape& shape) {
  return std::to_string(shape.channels) + "," + std::to_string(shape.height) + "," +
         std::to_string(shape.width) + "," + std::to_string(shape.num_classes);
}

InputShape parse_input_shape(const std::string& text) {
  const auto parts = split(text, ',');
  std::vector<int64_t> sizes;
  for (const auto& part : parts) {
    const auto size = parse_positive(part);
    if (!size || parts.size() != 4) {
      throw UsageError("input shape '" + text + "': expected C,H,W,K (four positive integers)");
    }
    sizes.push_back(*size);
  }
  return InputShape{sizes[0], sizes[1], sizes[2], sizes[3]};
}

std::shared_ptr<Network> make_network(const std::string& spec, const InputShape& shape) {
  check_shape(shape);
  const size_t colon = spec.find(':');
  const std::string name = spec.substr(0, colon);
  const bool has_options = colon != std::string::npos;
  const std::string options = has_options ? spec.substr(colon + 1) : "";

  if (name == "mlp") {
    return zoo::make_mlp(
        has_options ? spec_list(options, spec, "width") : std::vector<int64_t>{500, 500}, shape);
  }
  if (name == "cnn") {
    return zoo::make_cnn(
        has_options ? spec_list(options, spec, "channel count") : std::vector<int64_t>{32, 64},
        shape, spec);
  }
  if (has_options) bad_spec(spec, "only mlp and cnn take ':' options");
  if (name == "lenet5") return zoo::make_lenet5(shape);
  if (name == "resnet18") return zoo::make_resnet18(shape);
  if (name.rfind("resnet", 0) == 0) {
    const int64_t depth = spec_number(name.substr(6), spec, "depth");
    if (depth < 8 || (depth - 2) % 6 != 0) {
      bad_spec(spec, "depth must be 6n+2 (20, 32, 44, 56, 110), or 18 for ResNet-18");
    }
    return zoo::make_cifar_resnet((depth - 2) / 6, shape);
  }
  if (name.rfind("wrn", 0) == 0) {
    const size_t dash = name.find('-');
    if (dash == std::string::npos) bad_spec(spec, "expected wrnD-K, e.g. wrn16-4 or wrn28-10");
    const int64_t depth = spec_number(name.substr(3, dash - 3), spec, "depth");
    const int64_t widen = spec_number(name.substr(dash + 1), spec, "widen factor");
    if (depth < 10 || (depth - 4) % 6 != 0) {
      bad_spec(spec, "depth must be 6n+4 (10, 16, 22, 28, 40)");
    }
    return zoo::make_wide_resnet((depth - 4) / 6, widen, shape);
  }
  bad_spec(spec,
           "unknown architecture (expected mlp[:W1,W2,...], lenet5, cnn[:C1,C2,...], resnetD with "
           "D = 6n+2, resnet18, or wrnD-K with D = 6n+4)");
}

std::vector<std::string> zoo_examples() {
  return {"mlp:500,500", "lenet5", "cnn", "resnet20", "resnet56", "resnet18", "wrn16-4"};
}

}  // namespace sharpscope
