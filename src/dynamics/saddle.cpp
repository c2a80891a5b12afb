#include "sharpscope/dynamics/saddle.h"

#include <algorithm>
#include <cmath>
#include <thread>

#include "sharpscope/core/error.h"
#include "sharpscope/core/number_text.h"
#include "sharpscope/core/point_loop.h"
#include "sharpscope/core/random.h"
#include "sharpscope/optim/gradient_rule.h"

namespace sharpscope {
namespace {

constexpr double kDivergedNorm = 1e6;

double norm(const Point2& x) { return std::hypot(x[0], x[1]); }

double distance(const Point2& a, const Point2& b) { return std::hypot(a[0] - b[0], a[1] - b[1]); }

bool diverged(const Point2& x) {
  return !std::isfinite(x[0]) || !std::isfinite(x[1]) || norm(x) > kDivergedNorm;
}

// The minimum ±(1, 1) nearer to x.
Point2 nearest_minimum(const Point2& x) {
  return x[0] + x[1] >= 0.0 ? Point2{1.0, 1.0} : Point2{-1.0, -1.0};
}

}  // namespace

double saddle_loss(const Point2& x) {
  return 0.25 * x[0] * x[0] * x[0] * x[0] - x[0] * x[1] + 0.5 * x[1] * x[1];
}

Point2 saddle_gradient(const Point2& x) { return {x[0] * x[0] * x[0] - x[1], x[1] - x[0]}; }

std::string to_string(SaddleMethod method) {
  switch (method) {
    case SaddleMethod::kGd:
      return "gd";
    case SaddleMethod::kSam:
      return "sam";
    case SaddleMethod::kStableSam:
      return "stablesam";
  }
  return "?";
}

std::string to_string(SaddleCriterion::Kind kind) {
  return kind == SaddleCriterion::Kind::kBasin ? "basin" : "distance";
}

std::string SaddleOptimizer::label() const {
  if (method == SaddleMethod::kGd) return "GD";
  return (method == SaddleMethod::kSam ? "SAM" : "StableSAM") + std::string(" rho=") +
         number_text(rho);
}

Point2 saddle_step(const SaddleOptimizer& o, const Point2& x, double lr) {
  const Point2 g = saddle_gradient(x);
  if (o.method == SaddleMethod::kGd) return {x[0] - lr * g[0], x[1] - lr * g[1]};
  // SAM (docs/math.md §1 with N = 1): w^p = w + ρ ∇f/‖∇f‖, descend along ∇f(w^p).
  const double g_norm = norm(g);
  const double scale = g_norm > 0.0 ? o.rho / g_norm : 0.0;
  Point2 g_asc = saddle_gradient({x[0] + scale * g[0], x[1] + scale * g[1]});
  if (o.method == SaddleMethod::kStableSam) {
    const double gamma = renormalization_factor(g_norm, norm(g_asc), o.stable_clamp);
    g_asc = {gamma * g_asc[0], gamma * g_asc[1]};
  }
  return {x[0] - lr * g_asc[0], x[1] - lr * g_asc[1]};
}

const char* to_string(SaddleOutcome outcome) {
  switch (outcome) {
    case SaddleOutcome::kMinimum:
      return "minimum";
    case SaddleOutcome::kSaddle:
      return "saddle";
    case SaddleOutcome::kDiverged:
      return "diverged";
    case SaddleOutcome::kOther:
      return "other";
  }
  return "?";
}

void SaddleCriterion::validate() const {
  if (!(tol > 0.0)) throw UsageError("--tol = " + number_text(tol) + ": must be > 0");
  if (!(grad_tol > 0.0))
    throw UsageError("--grad-tol = " + number_text(grad_tol) + ": must be > 0");
}

SaddleOutcome classify(const Point2& x, const SaddleCriterion& c) {
  if (diverged(x)) return SaddleOutcome::kDiverged;
  const double to_minimum = distance(x, nearest_minimum(x));
  const bool success =
      c.kind == SaddleCriterion::Kind::kDistance
          ? to_minimum <= c.tol
          : to_minimum < norm(x) && to_minimum <= 1.0 && norm(saddle_gradient(x)) <= c.grad_tol;
  if (success) return SaddleOutcome::kMinimum;
  return norm(x) < to_minimum ? SaddleOutcome::kSaddle : SaddleOutcome::kOther;
}

std::vector<Point2> saddle_starts(int64_t count, uint64_t seed) {
  std::vector<Point2> starts(static_cast<size_t>(count));
  uint64_t state = splitmix64(seed);
  const auto uniform = [&state] {
    state = splitmix64(state);
    return -2.0 + 4.0 * static_cast<double>(state >> 11) * 0x1.0p-53;  // 53 random bits → [−2, 2)
  };
  for (Point2& x : starts) x = {uniform(), uniform()};
  return starts;
}

Point2 saddle_run(const SaddleOptimizer& optimizer, Point2 x, double lr, int64_t iterations) {
  for (int64_t t = 0; t < iterations && !diverged(x); ++t) x = saddle_step(optimizer, x, lr);
  return x;
}

int64_t SaddleSweep::count(size_t optimizer, size_t lr, SaddleOutcome outcome) const {
  return counts[(optimizer * lrs.size() + lr) * kSaddleOutcomes + static_cast<size_t>(outcome)];
}

double SaddleSweep::success_rate(size_t optimizer, size_t lr) const {
  return static_cast<double>(count(optimizer, lr, SaddleOutcome::kMinimum)) /
         static_cast<double>(starts.size());
}

SaddleSweep saddle_sweep(const std::vector<SaddleOptimizer>& optimizers,
                         const std::vector<double>& lrs, const std::vector<Point2>& starts,
                         int64_t iterations, const SaddleCriterion& criterion, int threads) {
  SaddleSweep sweep{optimizers, lrs, starts, iterations, criterion, {}};
  const int64_t cells = static_cast<int64_t>(optimizers.size() * lrs.size());
  // A cell (optimizer, learning rate) is a point of the loop, dealt to ranks under a launcher.
  // Within a cell, `threads` threads take interleaved starting points and count outcomes apart;
  // counts are integers, so their sum never depends on the threads or the ranks.
  MemoryPoints rows(cells, kSaddleOutcomes);
  run_pending_points(rows, "toy saddle", [&](int64_t cell) {
    const SaddleOptimizer& optimizer = optimizers[static_cast<size_t>(cell) / lrs.size()];
    const double lr = lrs[static_cast<size_t>(cell) % lrs.size()];
    const size_t workers = static_cast<size_t>(std::max(1, threads));
    std::vector<std::array<int64_t, kSaddleOutcomes>> counts(workers);
    for (auto& c : counts) c.fill(0);
    const auto work = [&](size_t worker) {
      for (size_t i = worker; i < starts.size(); i += workers) {
        ++counts[worker][static_cast<size_t>(
            classify(saddle_run(optimizer, starts[i], lr, iterations), criterion))];
      }
    };
    std::vector<std::thread> helpers;
    for (size_t w = 1; w < workers; ++w) helpers.emplace_back(work, w);
    work(0);
    for (std::thread& helper : helpers) helper.join();
    std::vector<double> row(kSaddleOutcomes, 0.0);
    for (const auto& c : counts) {
      for (size_t o = 0; o < c.size(); ++o) row[o] += static_cast<double>(c[o]);
    }
    return row;
  });
  for (int64_t cell = 0; cell < cells; ++cell) {
    for (int o = 0; o < kSaddleOutcomes; ++o)
      sweep.counts.push_back(static_cast<int64_t>(rows.value(cell, o)));
  }
  return sweep;
}

}  // namespace sharpscope
