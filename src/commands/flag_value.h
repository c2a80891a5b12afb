#pragma once
// How every message quotes a flag's value: "--flag = 'value'", the value's control characters
// escaped (core/printable_text.h), so a UsageError stays one line whatever the user typed. Defined
// in parse.cpp, whose messages all use it. It has a header of its own, not parse.h, because
// parse.h is included by some forty files and this one declaration is all that the commands
// checking a value themselves (analysis_support, loss_decrease, rerun, toy) need.
#include <string>

namespace sharpscope::cli {

std::string flag_value(const std::string& flag, const std::string& text);

}  // namespace sharpscope::cli
