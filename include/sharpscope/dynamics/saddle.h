#pragma once
/// The saddle toy of Tan et al. (003 §5.1, Fig. 4; docs/math.md §9):
///   f(x₁, x₂) = x₁⁴/4 − x₁x₂ + x₂²/2,  strict saddle at (0, 0), minima at ±(1, 1),
/// run from many uniform starting points in [−2, 2]² with GD, SAM and StableSAM at each learning
/// rate. The 2-D updates are vectorized over starting points; they are the trainer's formulas with
/// the trainer's StableSAM factor (renormalization_factor), and a test holds them step for step to
/// the trainer's ascent rule and base optimizer.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sharpscope {

using Point2 = std::array<double, 2>;

double saddle_loss(const Point2& x);
Point2 saddle_gradient(const Point2& x);

/// GD, SAM, or StableSAM (SAM with 003 Alg. 1's renormalization), each with plain gradient steps.
enum class SaddleMethod { kGd, kSam, kStableSam };
std::string to_string(SaddleMethod method);  ///< "gd" | "sam" | "stablesam"

struct SaddleOptimizer {
  SaddleMethod method = SaddleMethod::kGd;
  double rho = 0.0;
  std::optional<double> stable_clamp;  ///< StableSAM's γ₀ (Remark 19); unset = no clamp
  std::string label() const;           ///< "GD" / "SAM rho=0.05"
};

/// One update x ← x − η g(x) of the optimizer (g = ∇f for GD, ∇f(x + ρ∇f/‖∇f‖) for SAM, the
/// latter times ‖∇f(x)‖/‖∇f(x^p)‖ for StableSAM). A zero gradient leaves SAM's ascent at x.
Point2 saddle_step(const SaddleOptimizer& optimizer, const Point2& x, double lr);

/// Where a run ended.
enum class SaddleOutcome { kMinimum = 0, kSaddle = 1, kDiverged = 2, kOther = 3 };
constexpr int kSaddleOutcomes = 4;
const char* to_string(SaddleOutcome outcome);

/// Success criteria (docs/math.md §9). `distance`: ‖x_T − m‖ ≤ tol for a minimum m. `basin`: x_T
/// finite, nearer a minimum than the saddle, within 1 of it, and ‖∇f(x_T)‖ ≤ grad_tol — SAM with a
/// fixed ρ orbits a minimum at distance O(ρ) instead of converging, so `distance` with a tight tol
/// fails it.
struct SaddleCriterion {
  enum class Kind { kBasin, kDistance };
  Kind kind = Kind::kBasin;
  double tol = 1e-2;      ///< distance: radius around a minimum
  double grad_tol = 2.0;  ///< basin: largest ‖∇f‖ at the final point
  void validate() const;  ///< UsageError naming --tol / --grad-tol
};
std::string to_string(SaddleCriterion::Kind kind);  ///< "basin" | "distance"

/// Classifies a final point: kDiverged (non-finite or ‖x‖ > 1e6), kMinimum (the criterion holds),
/// kSaddle (nearer (0,0) than both minima), kOther (near a minimum but failing the criterion).
SaddleOutcome classify(const Point2& x, const SaddleCriterion& criterion);

/// `count` starting points uniform in [−2, 2]², from `seed` (SplitMix64: the same points on every
/// platform, and for every optimizer and learning rate).
std::vector<Point2> saddle_starts(int64_t count, uint64_t seed);

/// Runs `iterations` updates from x (stopping early once non-finite or ‖x‖ > 1e6) and returns x_T.
Point2 saddle_run(const SaddleOptimizer& optimizer, Point2 x, double lr, int64_t iterations);

struct SaddleSweep {
  std::vector<SaddleOptimizer> optimizers;
  std::vector<double> lrs;
  std::vector<Point2> starts;
  int64_t iterations = 0;
  SaddleCriterion criterion;
  /// [optimizer][lr][outcome] run counts (outcome order of SaddleOutcome).
  std::vector<int64_t> counts;
  int64_t count(size_t optimizer, size_t lr, SaddleOutcome outcome) const;
  double success_rate(size_t optimizer, size_t lr) const;  ///< kMinimum runs / starts
};

/// Every optimizer at every learning rate from the same starting points. Each (optimizer, lr) cell
/// is a point of the point loop (core/point_loop.h: a progress bar; cells dealt to ranks under a
/// launcher), its starting points spread over `threads` threads; the counts are the same for any
/// number of threads or ranks.
SaddleSweep saddle_sweep(const std::vector<SaddleOptimizer>& optimizers,
                         const std::vector<double>& lrs, const std::vector<Point2>& starts,
                         int64_t iterations, const SaddleCriterion& criterion, int threads = 1);

}  // namespace sharpscope
