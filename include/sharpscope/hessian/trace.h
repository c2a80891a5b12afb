#pragma once
/// The trace of a symmetric operator by randomized probing (docs/math.md §6.4): Hutchinson's
/// estimator (Hutchinson 1989; Avron & Toledo 2011) and Hutch++ (Meyer, Musco, Musco & Woodruff
/// 2021), written as ONE estimator templated over the operator: Hutchinson is Hutch++ with an
/// empty sketch. Any operator with Spectra's shape works (the HVP operator, a dense test matrix,
/// a GGN or Fisher operator).
///
/// Hutch++: with Q an orthonormal basis of span(H·S) for Rademacher S (the sketch) and P = I − QQᵀ,
///   tr H = tr(QᵀHQ) + tr(PHP)   exactly, for every Q,
/// so tr(QᵀHQ) (computed from H·Q) plus Hutchinson on PHP (probes z = P·g, values zᵀHz) is
/// unbiased given Q, and its standard error given Q is the probes' s/√n: the sketch term has no
/// sampling error once Q is drawn. Var(gᵀAg) = 2 Σ_{i≠j} A_ij² for Rademacher g (exact for
/// diagonal A), so deflating the top of a decaying spectrum cuts the variance from ≈ 2‖H‖_F² to
/// ≈ 2‖PHP‖_F².
#include <Eigen/Core>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "sharpscope/hessian/operator_algebra.h"

namespace sharpscope {

enum class TraceMethod {
  kHutchinson,     ///< Rademacher probes of H
  kHutchPlusPlus,  ///< a Rademacher range sketch deflated exactly, Rademacher probes of PHP
};
std::string to_string(TraceMethod method);  ///< "hutchinson" | "hutch++"

struct TraceOptions {
  TraceMethod method = TraceMethod::kHutchinson;
  /// Budget of operator applications (HVPs), all of them counted: Hutchinson's probes, or for
  /// Hutch++ the sketch H·S, the products H·Q and the probes (PyHessian maxIter).
  int max_probes = 100;
  /// PyHessian's stopping rule: stop when the running estimate moves by less than tol relative,
  /// |T_n − T_{n−1}| / (|T_{n−1}| + 1e-6) < tol. 0 disables it.
  double tol = 1e-3;
  /// Stop when standard error / |estimate| < rel_se, checked from kMinProbesForSe probes on (fewer
  /// give an unreliable standard error). 0 disables it.
  double rel_se = 0.0;
  /// Hutch++ sketch rank (columns of S). 0 chooses it: with rel_se, grown in blocks of
  /// kSketchBlock while the last block cut the predicted number of probes by more than it cost;
  /// without, max_probes/3 (Meyer et al.'s split of the budget into thirds).
  int sketch = 0;
  uint64_t seed = 0;  ///< probes and sketch from std::mt19937_64(seed)
  static constexpr int kMinProbesForSe = 10;
  static constexpr int kSketchBlock = 5;
  static constexpr int kMaxSketch = 200;  ///< memory: 2·sketch·d doubles for Q and H·Q
  /// UsageError naming --probes / --tol / --rel-se / --sketch / --method.
  void validate() const;
};

struct TraceResult {
  TraceMethod method = TraceMethod::kHutchinson;
  double trace = 0.0;           ///< sketch_trace + mean of the probe values
  double standard_error = 0.0;  ///< s/√n of the probe values (given the sketch); NaN for n < 2
  int64_t sketch_rank = 0;      ///< columns of Q (0 for Hutchinson)
  double sketch_trace = 0.0;    ///< tr(QᵀHQ), exact given Q
  int64_t sketch_hvps = 0;      ///< applications spent on the sketch (H·S and H·Q)
  std::vector<double> probes;   ///< zᵀHz for each probe in order (z = P·g for Hutch++)
  std::vector<double> running_mean;  ///< the estimate after the first i+1 probes
  std::vector<double> running_se;    ///< its standard error (NaN for i = 0)
  std::string stop_reason;           ///< "tol", "rel-se" or "max-probes"
  int64_t hvps = 0;
  double seconds = 0.0;
  /// "hutch++ trace 123.4 ± 5.6 (SE): sketch rank 20 (tr 40.1, 40 HVPs) + 37 probes (rel-se),
  ///  77 HVPs, 1.2 s"
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

/// An orthonormal basis Q of a sketch and the products H·Q, grown a block at a time.
struct TraceSketch {
  std::vector<Eigen::VectorXd> q, hq;
  double trace = 0.0;  ///< Σ qᵢᵀ(Hqᵢ) = tr(QᵀHQ)
  /// P·x = x − Q(Qᵀx), twice (Gram–Schmidt "twice is enough").
  Eigen::VectorXd deflate(Eigen::VectorXd x) const {
    for (int pass = 0; pass < 2; ++pass) {
      for (const Eigen::VectorXd& b : q) x -= b.dot(x) * b;
    }
    return x;
  }
  /// H·P·g from H·g without another application: H·g − (H·Q)(Qᵀg).
  Eigen::VectorXd deflated_product(const Eigen::VectorXd& g, Eigen::VectorXd hg) const {
    for (size_t i = 0; i < q.size(); ++i) hg -= q[i].dot(g) * hq[i];
    return hg;
  }
};

/// Adds the directions of `block` (already H·S for a sketch S) to the sketch, each orthonormalized
/// against it; a direction that is numerically inside the span (rank-deficient H) is dropped.
/// Cost: one application per direction kept, for H·q.
template <class Op>
void grow_sketch(const Op& op, TraceSketch& sketch, const std::vector<Eigen::VectorXd>& block,
                 int64_t* hvps) {
  for (const Eigen::VectorXd& y : block) {
    if (static_cast<Eigen::Index>(sketch.q.size()) >= op.rows()) return;
    Eigen::VectorXd v = sketch.deflate(y);
    const double n = v.norm();
    if (!(n > 1e-10 * y.norm()) || !std::isfinite(n)) continue;
    v /= n;
    sketch.hq.push_back(apply(op, v));
    ++*hvps;
    sketch.trace += v.dot(sketch.hq.back());
    sketch.q.push_back(std::move(v));
  }
}

/// The trace estimate of a symmetric operator (see above and docs/math.md §6.4). Hutchinson:
/// probes until --probes, PyHessian's tol rule or --rel-se. Hutch++: first the sketch (a fixed
/// rank, or grown as described at TraceOptions::sketch), then probes of PHP with the same stopping
/// rules on the total estimate. Cost: at most options.max_probes applications.
template <class Op>
TraceResult estimate_trace(const Op& op, const TraceOptions& options) {
  options.validate();
  const auto start = std::chrono::steady_clock::now();
  std::mt19937_64 rng(options.seed);
  TraceResult result;
  result.method = options.method;
  TraceSketch sketch;
  const Eigen::Index d = op.rows();

  if (options.method == TraceMethod::kHutchPlusPlus) {
    const bool adaptive = options.sketch == 0 && options.rel_se > 0.0;
    const int64_t rank_cap = std::min<int64_t>(
        {options.sketch > 0 ? options.sketch
                            : (adaptive ? TraceOptions::kMaxSketch : options.max_probes / 3),
         static_cast<int64_t>(d), TraceOptions::kMaxSketch});
    // Keep room for the probes that a standard error needs.
    const int64_t sketch_budget = options.max_probes - TraceOptions::kMinProbesForSe;
    RunningMoments pooled;  // plain Hutchinson values gᵀHg of the sketch probes: the scale of ε
    RunningMoments previous_f;
    while (static_cast<int64_t>(sketch.q.size()) < rank_cap) {
      const int b = static_cast<int>(std::min<int64_t>(
          TraceOptions::kSketchBlock, rank_cap - static_cast<int64_t>(sketch.q.size())));
      if (result.hvps + 2 * b > sketch_budget) break;
      std::vector<Eigen::VectorXd> block;
      RunningMoments f;  // ‖P·H·P·g‖²: unbiased for ‖PHP‖_F² given the current Q
      for (int i = 0; i < b; ++i) {
        const Eigen::VectorXd g = rademacher_vector(d, rng);
        block.push_back(apply(op, g));
        ++result.hvps;
        pooled.add(g.dot(block.back()));
        if (adaptive) f.add(sketch.deflate(sketch.deflated_product(g, block.back())).squaredNorm());
      }
      if (adaptive && previous_f.count() > 0) {
        // Var(probe of PHP) ≈ 2‖PHP‖_F², so n ≈ 2F/ε² probes reach SE ε = rel_se·|tr|. The last
        // block lowered F by previous − current, counted conservatively (less one standard error
        // of the difference, so that noise does not pass for progress); growing on costs 2b
        // applications per block.
        const double epsilon = options.rel_se * std::abs(pooled.mean());
        auto se = [](const RunningMoments& m) {
          return std::isfinite(m.standard_error()) ? m.standard_error() : 0.0;
        };
        const double decrease = previous_f.mean() - f.mean() - std::hypot(se(previous_f), se(f));
        const double saved = 2.0 * decrease / (epsilon * epsilon);
        if (!(saved > 2.0 * b)) break;  // these b products are not reused as probes (see docs)
      }
      previous_f = f;
      const size_t before = sketch.q.size();
      grow_sketch(op, sketch, block, &result.hvps);
      // A block that did not add all its directions found the range of H exhausted.
      if (sketch.q.size() - before < block.size()) break;
    }
    result.sketch_rank = static_cast<int64_t>(sketch.q.size());
    result.sketch_trace = sketch.trace;
    result.sketch_hvps = result.hvps;
  }

  RunningMoments moments;
  result.stop_reason = "max-probes";
  const bool deflate = !sketch.q.empty();
  while (result.hvps < options.max_probes) {
    Eigen::VectorXd z = rademacher_vector(d, rng);
    if (deflate) z = sketch.deflate(std::move(z));
    const double value = z.dot(apply(op, z));
    ++result.hvps;
    const double previous = sketch.trace + moments.mean();
    moments.add(value);
    const double estimate = sketch.trace + moments.mean();
    result.probes.push_back(value);
    result.running_mean.push_back(estimate);
    result.running_se.push_back(moments.standard_error());
    // PyHessian compares with its running mean initialised to 0, so it never stops at probe 1.
    if (options.tol > 0.0 && moments.count() > 1 &&
        std::abs(estimate - previous) / (std::abs(previous) + 1e-6) < options.tol) {
      result.stop_reason = "tol";
      break;
    }
    if (options.rel_se > 0.0 && moments.count() >= TraceOptions::kMinProbesForSe &&
        moments.standard_error() < options.rel_se * std::abs(estimate)) {
      result.stop_reason = "rel-se";
      break;
    }
  }
  result.trace = sketch.trace + moments.mean();
  result.standard_error = moments.standard_error();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace sharpscope
