#pragma once
/// Text from outside (a flag's value, a file name, a library's message) as it may appear inside a
/// one-line error message: control characters become escapes ("\n", "\t", "\x1b"), so a value
/// with a newline can neither split the message nor move a terminal's cursor.
#include <cstdio>
#include <string>

namespace sharpscope {

inline std::string printable_text(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      char escape[5];
      std::snprintf(escape, sizeof escape, "\\x%02x", byte);
      out += escape;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace sharpscope
