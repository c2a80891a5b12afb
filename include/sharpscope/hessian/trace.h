#pragma once
/// Hutchinson's trace estimator (Hutchinson 1989; Avron & Toledo 2011): tr(H) = E[zᵀHz] for
/// Rademacher z (entries ±1), so the mean of n probe values zᵢᵀHzᵢ is unbiased with standard error
/// s/√n (s the sample standard deviation). Var(zᵀHz) = 2 Σ_{i≠j} H_ij²: exact for diagonal H.
#include <Eigen/Core>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "sharpscope/hessian/operator_algebra.h"

namespace sharpscope {

struct TraceOptions {
  int max_probes = 100;  ///< PyHessian maxIter
  /// PyHessian's stopping rule: stop when the running mean moves by less than tol relative,
  /// |mean_n − mean_{n−1}| / (|mean_{n−1}| + 1e-6) < tol. 0 disables it.
  double tol = 1e-3;
  /// Stop when standard error / |mean| < rel_se, checked from kMinProbesForSe probes on (fewer
  /// give an unreliable standard error). 0 disables it.
  double rel_se = 0.0;
  uint64_t seed = 0;  ///< probes from std::mt19937_64(seed)
  static constexpr int kMinProbesForSe = 10;
  /// UsageError naming --probes / --tol / --rel-se.
  void validate() const;
};

struct TraceResult {
  double trace = 0.0;                ///< mean of the probe values
  double standard_error = 0.0;       ///< s/√n; NaN with a single probe
  std::vector<double> probes;        ///< zᵢᵀHzᵢ in order
  std::vector<double> running_mean;  ///< mean of the first i+1 probes
  std::vector<double> running_se;    ///< standard error of the first i+1 probes (NaN for i = 0)
  std::string stop_reason;           ///< "tol", "rel-se" or "max-probes"
  int64_t hvps = 0;
  double seconds = 0.0;
  /// "trace 123.4 ± 5.6 (SE) from 37 probes (tol), 37 HVPs, 1.2 s"
  std::string brief_report() const;
};

/// Running mean and standard error of a sample, Welford's update (numerically stable).
class RunningMoments {
 public:
  void add(double x);
  int64_t count() const { return n_; }
  double mean() const { return mean_; }
  double standard_error() const;  ///< NaN for fewer than two values

 private:
  int64_t n_ = 0;
  double mean_ = 0.0, m2_ = 0.0;
};

/// Hutchinson trace of a symmetric operator. Cost: one application (HVP) per probe, at most
/// options.max_probes.
template <class Op>
TraceResult hutchinson_trace(const Op& op, const TraceOptions& options) {
  options.validate();
  const auto start = std::chrono::steady_clock::now();
  std::mt19937_64 rng(options.seed);
  TraceResult result;
  RunningMoments moments;
  result.stop_reason = "max-probes";
  for (int i = 0; i < options.max_probes; ++i) {
    const Eigen::VectorXd z = rademacher_vector(op.rows(), rng);
    const double value = z.dot(apply(op, z));
    ++result.hvps;
    const double previous = moments.mean();
    moments.add(value);
    result.probes.push_back(value);
    result.running_mean.push_back(moments.mean());
    result.running_se.push_back(moments.standard_error());
    // PyHessian compares with its running mean initialised to 0, so it never stops at probe 1.
    if (options.tol > 0.0 && i > 0 &&
        std::abs(moments.mean() - previous) / (std::abs(previous) + 1e-6) < options.tol) {
      result.stop_reason = "tol";
      break;
    }
    if (options.rel_se > 0.0 && moments.count() >= TraceOptions::kMinProbesForSe &&
        moments.standard_error() < options.rel_se * std::abs(moments.mean())) {
      result.stop_reason = "rel-se";
      break;
    }
  }
  result.trace = moments.mean();
  result.standard_error = moments.standard_error();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace sharpscope
