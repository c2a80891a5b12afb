#include "sharpscope/hessian/diagonal.h"

#include <cstdio>

#include "sharpscope/core/error.h"

namespace sharpscope {

std::string to_string(DiagonalMethod method) {
  switch (method) {
    case DiagonalMethod::kAuto:
      return "auto";
    case DiagonalMethod::kExact:
      return "exact";
    case DiagonalMethod::kHutchinson:
      return "hutchinson";
    case DiagonalMethod::kDiagPlusPlus:
      return "diag++";
  }
  return "?";
}

void DiagonalOptions::validate() const {
  // Two probes at least: one probe gives an estimate but no standard error.
  if (probes < 2 || probes > 10000000) {
    throw UsageError("--probes = " + std::to_string(probes) +
                     ": must be in [2, 10000000] (a standard error needs two probes)");
  }
  if (method == DiagonalMethod::kDiagPlusPlus && probes < 6) {
    throw UsageError("--probes = " + std::to_string(probes) +
                     ": diag++ needs at least 6 (a third each for the sketch, its product and "
                     "the Hutchinson probes, which need two)");
  }
  if (exact_max < 0) {
    throw UsageError("--exact-max = " + std::to_string(exact_max) + ": must be >= 0");
  }
}

DiagonalMethod DiagonalOptions::resolved(int64_t d) const {
  if (method != DiagonalMethod::kAuto) return method;
  if (d <= exact_max) return DiagonalMethod::kExact;
  return probes >= 6 ? DiagonalMethod::kDiagPlusPlus : DiagonalMethod::kHutchinson;
}

std::string DiagonalResult::brief_report() const {
  char text[256];
  if (method == DiagonalMethod::kExact) {
    std::snprintf(text, sizeof text, "exact diagonal: trace %.8g, %lld HVPs, %.2f s", trace,
                  static_cast<long long>(hvps), seconds);
  } else {
    std::snprintf(text, sizeof text,
                  "%s diagonal (k = %d, m = %d probes): trace %.8g ± %.3g (SE), %lld HVPs, %.2f s",
                  to_string(method).c_str(), rank, probes, trace, trace_se,
                  static_cast<long long>(hvps), seconds);
  }
  return text;
}

}  // namespace sharpscope
