#pragma once
/// Grid axes and list flags of the landscape commands: ranges written `start:stop:count`
/// ("-0.2:0.2:21" = 21 evenly spaced values from −0.2 to 0.2 inclusive) and comma lists ("1,2,5").
#include <cstdint>
#include <string>
#include <vector>

namespace sharpscope {

/// `count` evenly spaced values from `start` to `stop` inclusive (count = 1 gives {start}); with
/// `log`, evenly spaced on a logarithmic scale (learning-rate sweeps).
struct Range {
  double start = 0.0;
  double stop = 0.0;
  int64_t count = 1;
  bool log = false;
  /// The values; the first is exactly `start` and the last exactly `stop` (each value computed
  /// from the ends, no accumulation).
  std::vector<double> values() const;
};

/// Parses "start:stop:count" or "start:stop:count:log"; UsageError naming `flag` on a malformed
/// text, count < 1, non-finite bounds, stop < start ("--x = '1:0:5': empty grid"), start ≠ stop
/// with count = 1, or a log range with start ≤ 0.
Range parse_range(const std::string& text, const std::string& flag);

/// Parses "0.05,0.2,0.5" into finite numbers ≥ `minimum`; UsageError naming `flag` otherwise.
std::vector<double> parse_number_list(const std::string& text, const std::string& flag,
                                      double minimum);

/// Parses "0,1,2,5" into integers ≥ `minimum`, strictly increasing and without duplicates;
/// UsageError naming `flag` otherwise.
std::vector<int> parse_int_list(const std::string& text, const std::string& flag, int minimum);

/// Splits "v1,v10" at commas; empty items are a UsageError naming `flag`.
std::vector<std::string> parse_name_list(const std::string& text, const std::string& flag);

}  // namespace sharpscope
