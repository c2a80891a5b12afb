#pragma once
/// Shortest decimal text that reads back to the same double: "0.1" for 0.1, yet every option and
/// metric recorded in metadata or HDF5 attributes reads back as exactly the value that was used.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace sharpscope {

inline std::string number_text(double value) {
  char text[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(text, sizeof text, "%.*g", precision, value);
    if (!std::isfinite(value) || std::strtod(text, nullptr) == value) break;
  }
  return text;
}

/// Seconds for people to read in messages: "20" where number_text gives "2e+01" (6 digits).
inline std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", seconds);
  return text;
}

}  // namespace sharpscope
