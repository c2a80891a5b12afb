#pragma once
/// Grid axes and list flags of the landscape commands: ranges written `start:stop:count`
/// ("-0.2:0.2:21" = 21 evenly spaced values from −0.2 to 0.2 inclusive) and comma lists ("1,2,5").
#include <cstdint>
#include <string>
#include <vector>

namespace sharpscope {

/// `count` evenly spaced values from `start` to `stop` inclusive (count = 1 gives {start}).
struct Range {
  double start = 0.0;
  double stop = 0.0;
  int64_t count = 1;
  /// The values; the last one is exactly `stop` (computed as start + i·step, no accumulation).
  std::vector<double> values() const;
};

/// Parses "start:stop:count"; UsageError naming `flag` on a malformed text, count < 1, non-finite
/// bounds, stop < start ("--x = '1:0:5': empty grid") or start ≠ stop with count = 1.
Range parse_range(const std::string& text, const std::string& flag);

/// Parses "0,1,2,5" into integers ≥ `minimum`, strictly increasing and without duplicates;
/// UsageError naming `flag` otherwise.
std::vector<int> parse_int_list(const std::string& text, const std::string& flag, int minimum);

/// Splits "v1,v10" at commas; empty items are a UsageError naming `flag`.
std::vector<std::string> parse_name_list(const std::string& text, const std::string& flag);

}  // namespace sharpscope
