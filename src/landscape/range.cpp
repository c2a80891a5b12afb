#include "sharpscope/landscape/range.h"

#include <cmath>
#include <cstdlib>
#include <sstream>

#include "sharpscope/core/error.h"
#include "sharpscope/core/number_text.h"

namespace sharpscope {

namespace {

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, separator)) parts.push_back(item);
  if (!text.empty() && text.back() == separator) parts.emplace_back();
  return parts;
}

bool parse_double(const std::string& text, double& value) {
  char* end = nullptr;
  value = std::strtod(text.c_str(), &end);
  return !text.empty() && *end == '\0' && std::isfinite(value);
}

bool parse_long(const std::string& text, long long& value) {
  char* end = nullptr;
  value = std::strtoll(text.c_str(), &end, 10);
  return !text.empty() && *end == '\0';
}

}  // namespace

std::vector<double> Range::values() const {
  std::vector<double> out(static_cast<size_t>(count));
  for (int64_t i = 0; i < count; ++i) {
    // Interpolating from both ends makes the first value exactly start and the last exactly stop.
    const double t = count == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(count - 1);
    const double value = log ? std::exp(std::log(start) + t * (std::log(stop) - std::log(start)))
                             : start + t * (stop - start);
    out[static_cast<size_t>(i)] = i == 0 ? start : i == count - 1 ? stop : value;
  }
  return out;
}

Range parse_range(const std::string& text, const std::string& flag) {
  const std::string prefix = flag + " = '" + text + "': ";
  const std::vector<std::string> parts = split(text, ':');
  Range range;
  long long count = 0;
  const bool log_scale = parts.size() == 4 && parts[3] == "log";
  if ((parts.size() != 3 && !log_scale) || !parse_double(parts[0], range.start) ||
      !parse_double(parts[1], range.stop) || !parse_long(parts[2], count)) {
    throw UsageError(prefix +
                     "expected start:stop:count[:log], e.g. -0.2:0.2:21 or 0.001:0.3:100:log");
  }
  if (log_scale && !(range.start > 0.0)) throw UsageError(prefix + "a log range needs start > 0");
  range.log = log_scale;
  if (count < 1) throw UsageError(prefix + "count must be >= 1");
  if (range.stop < range.start) throw UsageError(prefix + "empty grid (stop < start)");
  if (count == 1 && range.stop != range.start) {
    throw UsageError(prefix + "a single point needs start = stop");
  }
  range.count = count;
  return range;
}

std::vector<int> parse_int_list(const std::string& text, const std::string& flag, int minimum) {
  std::vector<int> values;
  for (const std::string& part : split(text, ',')) {
    long long value = 0;
    if (!parse_long(part, value) || value < minimum || value > 1000000) {
      throw UsageError(flag + " = '" + text + "': expected integers >= " + std::to_string(minimum) +
                       " separated by commas, e.g. 1,2,5");
    }
    if (!values.empty() && value <= values.back()) {
      throw UsageError(flag + " = '" + text + "': values must increase, without repeats");
    }
    values.push_back(static_cast<int>(value));
  }
  if (values.empty()) throw UsageError(flag + " = '" + text + "': give at least one value");
  return values;
}

std::vector<double> parse_number_list(const std::string& text, const std::string& flag,
                                      double minimum) {
  std::vector<double> values;
  for (const std::string& part : split(text, ',')) {
    double value = 0.0;
    if (!parse_double(part, value) || value < minimum) {
      throw UsageError(flag + " = '" + text + "': expected numbers >= " + number_text(minimum) +
                       " separated by commas, e.g. 0.05,0.1");
    }
    values.push_back(value);
  }
  if (values.empty()) throw UsageError(flag + " = '" + text + "': give at least one value");
  return values;
}

std::vector<std::string> parse_name_list(const std::string& text, const std::string& flag) {
  std::vector<std::string> names = split(text, ',');
  if (names.empty()) throw UsageError(flag + " = '" + text + "': give at least one name");
  for (const std::string& name : names) {
    if (name.empty()) throw UsageError(flag + " = '" + text + "': empty item");
  }
  return names;
}

}  // namespace sharpscope
