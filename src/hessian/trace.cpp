#include "sharpscope/hessian/trace.h"

#include <cstdio>
#include <limits>
#include <sstream>

#include "sharpscope/core/error.h"

namespace sharpscope {

std::string to_string(TraceMethod method) {
  return method == TraceMethod::kHutchinson ? "hutchinson" : "hutch++";
}

void TraceOptions::validate() const {
  if (max_probes < 1) {
    throw UsageError("--probes = " + std::to_string(max_probes) + ": must be >= 1");
  }
  if (!(tol >= 0.0) || !std::isfinite(tol)) {
    std::ostringstream text;
    text << "--tol = " << tol << ": must be >= 0 (0 = off)";
    throw UsageError(text.str());
  }
  if (!(rel_se >= 0.0) || !std::isfinite(rel_se)) {
    std::ostringstream text;
    text << "--rel-se = " << rel_se << ": must be >= 0 (0 = off)";
    throw UsageError(text.str());
  }
  if (sketch < 0 || sketch > kMaxSketch) {
    throw UsageError("--sketch = " + std::to_string(sketch) + ": must be in [0, " +
                     std::to_string(kMaxSketch) + "] (0 = chosen as the estimate goes)");
  }
  if (sketch > 0 && method != TraceMethod::kHutchPlusPlus) {
    throw UsageError("--sketch = " + std::to_string(sketch) +
                     ": only --method hutch++ has a sketch");
  }
  if (sketch > 0 && 2 * sketch + kMinProbesForSe > max_probes) {
    throw UsageError("--sketch = " + std::to_string(sketch) +
                     ": needs --probes >= " + std::to_string(2 * sketch + kMinProbesForSe) +
                     " (2 HVPs per sketch column and at least " + std::to_string(kMinProbesForSe) +
                     " probes)");
  }
}

void RunningMoments::add(double x) {
  ++n_;
  const double delta = x - mean_;
  mean_ += delta / static_cast<double>(n_);
  m2_ += delta * (x - mean_);
}

double RunningMoments::standard_error() const {
  if (n_ < 2) return std::numeric_limits<double>::quiet_NaN();
  const double variance = m2_ / static_cast<double>(n_ - 1);
  return std::sqrt(variance / static_cast<double>(n_));
}

std::string TraceResult::brief_report() const {
  char text[320];
  if (method == TraceMethod::kHutchinson) {
    std::snprintf(text, sizeof text,
                  "hutchinson trace %.8g ± %.3g (SE) from %zu probes (%s), %lld HVPs, %.2f s",
                  trace, standard_error, probes.size(), stop_reason.c_str(),
                  static_cast<long long>(hvps), seconds);
  } else {
    std::snprintf(text, sizeof text,
                  "hutch++ trace %.8g ± %.3g (SE): sketch rank %lld (tr %.6g, %lld HVPs) + %zu "
                  "probes (%s), %lld HVPs, %.2f s",
                  trace, standard_error, static_cast<long long>(sketch_rank), sketch_trace,
                  static_cast<long long>(sketch_hvps), probes.size(), stop_reason.c_str(),
                  static_cast<long long>(hvps), seconds);
  }
  return text;
}

}  // namespace sharpscope
