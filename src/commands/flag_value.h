#pragma once
// How every message quotes a flag's value: "--flag = 'value'", the value's control characters
// escaped (core/printable_text.h), so a UsageError stays one line whatever the user typed. Defined
// in parse.cpp, whose messages all use it; a header of its own so that the few commands which
// check a value themselves need not include the whole parser.
#include <string>

namespace sharpscope::cli {

std::string flag_value(const std::string& flag, const std::string& text);

}  // namespace sharpscope::cli
