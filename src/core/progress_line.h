#pragma once
/// Text of the progress bar, separate from the terminal handling so tests can check it exactly.
#include <cstdint>
#include <string>

namespace sharpscope {

/// "H:MM:SS" when an hour or more, else "M:SS"; seconds are rounded.
std::string format_duration(double seconds);

/// "label [#####.....] 42/100 3.1/s ETA 0:18 detail". `rate` is units per second; when it is not
/// positive the ETA is shown as "?".
std::string progress_line(const std::string& label, int64_t done, int64_t total, double rate,
                          const std::string& detail);

}  // namespace sharpscope
