#include "sharpscope/hessian/spectrum_result.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "sharpscope/core/error.h"

namespace sharpscope {

std::string to_string(EigenMethod method) {
  return method == EigenMethod::kLanczos ? "lanczos" : "power";
}

std::string to_string(SpectrumEnd end) {
  switch (end) {
    case SpectrumEnd::kLargest:
      return "largest";
    case SpectrumEnd::kSmallest:
      return "smallest";
    case SpectrumEnd::kBoth:
      return "both";
  }
  return "?";
}

void SpectrumOptions::validate() const {
  if (k < 1) throw UsageError("--top = " + std::to_string(k) + ": must be >= 1");
  if (!(tol > 0.0) || !std::isfinite(tol)) {
    std::ostringstream text;
    text << "--tol = " << tol << ": must be > 0";
    throw UsageError(text.str());
  }
  if (max_iter < 1) throw UsageError("--max-iter = " + std::to_string(max_iter) + ": must be >= 1");
}

std::string to_string(Spectra::CompInfo info) {
  switch (info) {
    case Spectra::CompInfo::Successful:
      return "successful";
    case Spectra::CompInfo::NotComputed:
      return "not computed";
    case Spectra::CompInfo::NotConverging:
      return "not converging";
    case Spectra::CompInfo::NumericalIssue:
      return "numerical issue";
  }
  return "?";
}

std::string SpectrumResult::brief_report(EigenMethod method) const {
  int64_t converged = 0;
  for (const Eigenpair& p : pairs) converged += p.converged ? 1 : 0;
  char text[256];
  if (pairs.empty()) {
    std::snprintf(text, sizeof text, "%s: 0/%lld converged (%s), %lld HVPs, %.2f s",
                  to_string(method).c_str(), static_cast<long long>(requested),
                  to_string(info).c_str(), static_cast<long long>(hvps), seconds);
  } else {
    std::snprintf(text, sizeof text,
                  "%s: %lld/%lld converged (%s), first λ = %.8g (residual %.2e), %lld HVPs, %.2f s",
                  to_string(method).c_str(), static_cast<long long>(converged),
                  static_cast<long long>(requested), to_string(info).c_str(), pairs.front().value,
                  pairs.front().residual, static_cast<long long>(hvps), seconds);
  }
  return text;
}

}  // namespace sharpscope
