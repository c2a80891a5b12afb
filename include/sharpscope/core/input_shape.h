#pragma once
/// The input geometry a classifier is built for, and its text form in checkpoint metadata.
#include <cstdint>
#include <string>

namespace sharpscope {

/// Input geometry the zoo builds for.
struct InputShape {
  int64_t channels = 1;
  int64_t height = 28;
  int64_t width = 28;
  int64_t num_classes = 10;
};

/// "C,H,W,K": the form checkpoints store under metadata["input_shape"].
std::string to_string(const InputShape& shape);

/// Parses "C,H,W,K" (four positive integers). Throws UsageError naming the text otherwise.
InputShape parse_input_shape(const std::string& text);

}  // namespace sharpscope
