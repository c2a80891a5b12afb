#pragma once
/// The diagonal of a symmetric curvature operator (docs/math.md §18), for any operator with
/// Spectra's shape (every curvature of hessian/curvature.h, or a dense matrix in tests):
///
///   exact       diag(A)_j = (A e_j)_j, one product per coordinate: d products
///   hutchinson  Bekas, Kokiopoulou & Saad (2007): D̂ = (1/m) Σ z ⊙ Az over m Rademacher probes,
///               unbiased, Var(D̂_j) = (1/m) Σ_{k≠j} A_jk²; standard error s_j/√m per entry
///   diag++      Baston & Nakatsukasa (2022): Q = orth(A S) for k Rademacher columns S, then
///               diag(A) = diag(Q (AQ)ᵀ) + diag((I − QQᵀ)A), the first term exact given Q, the
///               second by Hutchinson; unbiased, and far less variance when a few eigenvalues
///               dominate A (the case of network Hessians). Cost 2k + m products, k = m = budget/3.
///
/// The standard errors are the sample standard deviation of the probe values over √m, per entry
/// (for diag++ conditional on Q, which the low-rank term holds exactly).
#include <Eigen/Core>
#include <Eigen/QR>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "sharpscope/hessian/operator_algebra.h"

namespace sharpscope {

enum class DiagonalMethod { kAuto, kExact, kHutchinson, kDiagPlusPlus };
std::string to_string(DiagonalMethod method);  ///< "auto" | "exact" | "hutchinson" | "diag++"

struct DiagonalOptions {
  /// kAuto: exact when d ≤ exact_max, else diag++ (hutchinson when probes < 6).
  DiagonalMethod method = DiagonalMethod::kAuto;
  int64_t exact_max = 2048;
  /// Products an estimator spends: m probes for hutchinson; 2k + m with k = m = ⌊probes/3⌋ for
  /// diag++ (at least 1 each).
  int probes = 150;
  uint64_t seed = 0;  ///< probes from std::mt19937_64(seed)
  /// UsageError naming --method / --probes / --exact-max.
  void validate() const;
  /// The method actually run on a d-dimensional operator (kAuto resolved).
  DiagonalMethod resolved(int64_t d) const;
};

struct DiagonalResult {
  DiagonalMethod method = DiagonalMethod::kExact;  ///< as run (never kAuto)
  Eigen::VectorXd diagonal;                        ///< [d]
  Eigen::VectorXd standard_error;                  ///< [d]; 0 for exact
  /// Sums of the diagonal over the blocks [offsets[b], offsets[b+1]) given to estimate_diagonal
  /// (e.g. one per parameter tensor: the traces of the diagonal blocks), and their standard
  /// errors from the per-probe block sums (0 for exact). The last block sum of a single block
  /// [0, d) is the trace estimate.
  std::vector<double> block_sums, block_sums_se;
  int probes = 0;  ///< Hutchinson probes m (0 for exact)
  int rank = 0;    ///< diag++: columns k of Q (0 otherwise)
  int64_t hvps = 0;
  double seconds = 0.0;
  double trace = 0.0, trace_se = 0.0;  ///< Σ diagonal and its standard error (per-probe sums)
  /// "diag++ diagonal (k = 50, m = 50): trace 123.4 ± 5.6 (SE), 150 HVPs, 1.2 s"
  std::string brief_report() const;
};

/// Column j of a symmetric operator, A e_j. Cost: one product.
template <class Op>
Eigen::VectorXd operator_column(const Op& op, Eigen::Index j) {
  Eigen::VectorXd e = Eigen::VectorXd::Zero(op.rows());
  e[j] = 1.0;
  return apply(op, e);
}

/// The operator assembled as a dense d×d matrix, column by column, then symmetrized ((A + Aᵀ)/2,
/// which removes the round-off asymmetry of the products). Cost: d products; memory d² doubles.
template <class Op>
Eigen::MatrixXd dense_matrix(const Op& op) {
  const Eigen::Index d = op.rows();
  Eigen::MatrixXd a(d, d);
  for (Eigen::Index j = 0; j < d; ++j) a.col(j) = operator_column(op, j);
  return 0.5 * (a + a.transpose());
}

/// Σ of `values` over each block [offsets[b], offsets[b+1]).
inline std::vector<double> block_sums(const Eigen::VectorXd& values,
                                      const std::vector<Eigen::Index>& offsets) {
  std::vector<double> out;
  for (size_t b = 0; b + 1 < offsets.size(); ++b) {
    out.push_back(values.segment(offsets[b], offsets[b + 1] - offsets[b]).sum());
  }
  return out;
}

/// The diagonal of a symmetric operator by options.method (see above), with its sums over the
/// blocks of `offsets` (ascending from 0 to d; empty = one block [0, d)). Cost: d products
/// (exact), probes (hutchinson), 2k + m (diag++); memory for diag++: k·d doubles.
template <class Op>
DiagonalResult estimate_diagonal(const Op& op, const DiagonalOptions& options,
                                 std::vector<Eigen::Index> offsets = {}) {
  options.validate();
  if (offsets.empty()) offsets = {0, op.rows()};
  const auto start = std::chrono::steady_clock::now();
  const Eigen::Index d = op.rows();
  DiagonalResult result;
  result.method = options.resolved(d);
  result.diagonal = Eigen::VectorXd::Zero(d);
  result.standard_error = Eigen::VectorXd::Zero(d);
  if (result.method == DiagonalMethod::kExact) {
    for (Eigen::Index j = 0; j < d; ++j) result.diagonal[j] = operator_column(op, j)[j];
    result.hvps = d;
    result.block_sums = block_sums(result.diagonal, offsets);
    result.block_sums_se.assign(result.block_sums.size(), 0.0);
    result.trace = result.diagonal.sum();
  } else {
    std::mt19937_64 rng(options.seed);
    Eigen::MatrixXd q;  // orthonormal basis of the sketch (diag++), d × k
    int probes = options.probes;
    if (result.method == DiagonalMethod::kDiagPlusPlus) {
      const int k = std::max(1, options.probes / 3);
      probes = std::max(1, options.probes / 3);
      Eigen::MatrixXd y(d, k);
      for (int c = 0; c < k; ++c) y.col(c) = apply(op, rademacher_vector(d, rng));
      q = Eigen::HouseholderQR<Eigen::MatrixXd>(y).householderQ() *
          Eigen::MatrixXd::Identity(d, std::min<Eigen::Index>(k, d));
      Eigen::MatrixXd aq(d, q.cols());
      for (Eigen::Index c = 0; c < q.cols(); ++c) aq.col(c) = apply(op, Eigen::VectorXd(q.col(c)));
      // diag(Q Qᵀ A)_j = Σ_l Q_jl (AQ)_jl, since A is symmetric.
      result.diagonal = (q.array() * aq.array()).rowwise().sum().matrix();
      // The low-rank term is exact given Q: its block sums carry no sampling error.
      result.rank = static_cast<int>(q.cols());
      result.hvps = k + q.cols();
    }
    // Welford over the probe values z ⊙ Bz, B = A or (I − QQᵀ)A: per entry, and per block sum
    // (entries of one probe are correlated, so a block's error is not that of independent terms).
    const size_t blocks = offsets.size() - 1;
    const Eigen::VectorXd low_rank = result.diagonal;
    Eigen::VectorXd mean = Eigen::VectorXd::Zero(d), m2 = Eigen::VectorXd::Zero(d);
    const Eigen::Index nb = static_cast<Eigen::Index>(blocks) + 1;  // the blocks, then the total
    Eigen::VectorXd block_mean = Eigen::VectorXd::Zero(nb), block_m2 = Eigen::VectorXd::Zero(nb);
    for (int i = 0; i < probes; ++i) {
      const Eigen::VectorXd z = rademacher_vector(d, rng);
      Eigen::VectorXd bz = apply(op, z);
      if (q.size() > 0) bz -= q * (q.transpose() * bz);
      const Eigen::VectorXd value = z.cwiseProduct(bz);
      const double count = static_cast<double>(i + 1);
      const Eigen::VectorXd delta = value - mean;
      mean += delta / count;
      m2 += delta.cwiseProduct(value - mean);
      Eigen::VectorXd sums(nb);
      const std::vector<double> per_block = block_sums(value, offsets);
      for (size_t b = 0; b < blocks; ++b) sums[static_cast<Eigen::Index>(b)] = per_block[b];
      sums[nb - 1] = value.sum();
      const Eigen::VectorXd block_delta = sums - block_mean;
      block_mean += block_delta / count;
      block_m2 += block_delta.cwiseProduct(sums - block_mean);
    }
    result.hvps += probes;
    result.probes = probes;
    result.diagonal = low_rank + mean;
    const auto standard_errors = [probes](const Eigen::VectorXd& sum_of_squares) {
      if (probes < 2) {
        return Eigen::VectorXd(Eigen::VectorXd::Constant(sum_of_squares.size(),
                                                         std::numeric_limits<double>::quiet_NaN()));
      }
      return Eigen::VectorXd((sum_of_squares / static_cast<double>(probes - 1)).cwiseSqrt() /
                             std::sqrt(static_cast<double>(probes)));
    };
    result.standard_error = standard_errors(m2);
    const Eigen::VectorXd block_se = standard_errors(block_m2);
    const std::vector<double> exact_part = block_sums(low_rank, offsets);
    for (size_t b = 0; b < blocks; ++b) {
      result.block_sums.push_back(exact_part[b] + block_mean[static_cast<Eigen::Index>(b)]);
      result.block_sums_se.push_back(block_se[static_cast<Eigen::Index>(b)]);
    }
    result.trace = low_rank.sum() + block_mean[nb - 1];
    result.trace_se = block_se[nb - 1];
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace sharpscope
