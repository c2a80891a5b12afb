#include "sharpscope/hessian/trace.h"

#include <cstdio>
#include <limits>
#include <sstream>

#include "sharpscope/core/error.h"

namespace sharpscope {

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
  char text[256];
  std::snprintf(text, sizeof text, "trace %.8g ± %.3g (SE) from %zu probes (%s), %lld HVPs, %.2f s",
                trace, standard_error, probes.size(), stop_reason.c_str(),
                static_cast<long long>(hvps), seconds);
  return text;
}

}  // namespace sharpscope
