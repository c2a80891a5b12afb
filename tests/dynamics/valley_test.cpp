#include "sharpscope/dynamics/valley.h"

#include <cmath>
#include <utility>
#include <vector>

#include "commands/parse.h"
#include "sharpscope/core/error.h"
#include "sharpscope/dynamics/valley2d.h"
#include "support/testing.h"

namespace sharpscope {
namespace {

// L = w²/2 is increasing in |w|, so its maximum over [w − ρ, w + ρ] is at |w| + ρ.
TEST(Valley, SamObjectiveOfAQuadraticIsLAtAbsWPlusRho) {
  const ValleyLoss loss = quadratic_valley();
  for (double rho : {0.0, 0.05, 0.3, 1.0}) {
    for (double w : {-1.7, -0.2, 0.0, 0.01, 0.9}) {
      EXPECT_DOUBLE_EQ(sam_objective(loss, w, rho), loss.value(std::abs(w) + rho))
          << w << " " << rho;
    }
  }
}

// Against a brute-force maximum over 200 001 samples of ε: the exact value is never below it and
// exceeds it by at most the sampling error. The window's ends are sampled exactly and L′ = 0 at an
// interior maximum, so the error is at most ½|L″|h² ≈ ½·10·(7e-6)² ≈ 2.5e-10.
TEST(Valley, SamObjectiveMatchesBruteForceIncludingInteriorMaxima) {
  for (const ValleyLoss& loss : {sextic_valley(), linex_valley(-0.3)}) {
    for (double rho : {0.1, 0.3, 0.7}) {
      for (double w = -0.5; w <= 2.5; w += 0.173) {
        double sampled = -INFINITY;
        for (int k = 0; k <= 200000; ++k)
          sampled = std::max(sampled, loss.value(w - rho + rho * k / 100000.0));
        const double exact = sam_objective(loss, w, rho);
        EXPECT_GE(exact, sampled - 1e-12 * (1 + sampled))
            << loss.name << " w " << w << " rho " << rho;
        EXPECT_LE(exact - sampled, 1e-8) << loss.name << " w " << w << " rho " << rho;
      }
    }
  }
}

// LINEX, α = −0.3: steep for w < 0, flat for w > 0. The minimum of L̃ balances the two ends of the
// window, L(w̃ − ρ) = L(w̃ + ρ), and moves to the flat side, further for larger ρ. For small ρ the
// Taylor expansion L ≈ α²w²/2 + α³w³/6 gives w̃ ≈ −αρ²/6.
//
// 002 Theorem 3.3.2 places w̃* in [(c−1)/(c+1)·ρ, ρ) for an (r, p, c, 0)-asymmetric direction.
// LINEX's steep-side slope vanishes at w* = 0, so its hypotheses hold only for c → 1, giving [0,
// ρ): w̃* must lie strictly inside it.
TEST(Valley, LinexMinimumMovesToTheFlatSideWithinTheoremInterval) {
  const ValleyLoss loss = linex_valley(-0.3);
  const std::vector<double> rhos{0.1, 1.0, 2.0, 4.0, 8.0};
  const ValleyCurves curves = valley_curves(loss, rhos, cli::Range{-20.0, 20.0, 4001}.values());
  ASSERT_EQ(curves.minima.size(), 1u);
  EXPECT_NEAR(curves.minima[0].w, 0.0, 1e-7);
  double previous = 0.0;
  for (size_t i = 0; i < rhos.size(); ++i) {
    ASSERT_EQ(curves.sam_minima[i].size(), 1u) << rhos[i];
    const double w = curves.sam_minima[i][0].w;
    EXPECT_GT(w, 0.0);
    EXPECT_LT(w, rhos[i]);
    EXPECT_GT(w, previous);
    previous = w;
    EXPECT_NEAR(loss.value(w - rhos[i]), loss.value(w + rhos[i]), 1e-8 * loss.value(w + rhos[i]));
    EXPECT_DOUBLE_EQ(curves.shifts[i][0], w - curves.minima[0].w);
  }
  EXPECT_NEAR(curves.sam_minima[0][0].w, 0.3 * 0.01 / 6.0, 1e-2 * 0.3 * 0.01 / 6.0);
}

// The sextic is symmetric about its middle minimum, L(1 + t) = L(1 − t): L̃'s minimum stays at 1.
// Its outer minima 0 and 2 sit in mirrored asymmetric valleys (steep outside): they move inwards by
// the same amount, and merge into the middle once the window spans the local maxima (ρ = 0.3).
TEST(Valley, SymmetricSexticMinimumDoesNotMove) {
  const ValleyCurves curves =
      valley_curves(sextic_valley(), {0.1, 0.2, 0.3}, cli::Range{-0.6, 2.6, 3201}.values());
  ASSERT_EQ(curves.minima.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    bool middle = false;
    for (size_t k = 0; k < curves.sam_minima[i].size(); ++k) {
      if (std::abs(curves.sam_minima[i][k].w - 1.0) < 0.05) {
        middle = true;
        EXPECT_NEAR(curves.shifts[i][k], 0.0, 1e-8);
      }
    }
    EXPECT_TRUE(middle);
  }
  ASSERT_EQ(curves.sam_minima[0].size(), 3u);
  EXPECT_GT(curves.shifts[0][0], 0.0);
  EXPECT_NEAR(curves.shifts[0][0], -curves.shifts[0][2], 1e-8);
  EXPECT_EQ(curves.sam_minima[2].size(), 1u);
}

TEST(Valley, UnknownLossNamesTheFlag) {
  EXPECT_THROW(cli::parse_valley_kind("cubic"), UsageError);
  EXPECT_THROW(valley_loss(ValleyKind::kLinex, ValleyParameters{0.0, 1.0, 3.0}), UsageError);
}

// 002 Lemma 7.1.4 / Fig. 7.1 on the piecewise-linear (r, p, c, 0) valley L = p·w (w ≥ 0), −c·p·w
// (w < 0): L̃ = max(L(w − ρ), L(w + ρ)), whose minimum is where p(w + ρ) = cp(ρ − w), i.e.
// w̃* = (c−1)ρ/(c+1) — the lemma's lower bound, attained. Grid minima are golden-section refined
// to 1e-10, so 1e-8 is a safe tolerance.
TEST(Valley, AsymmetricPiecewiseLinearMinimumIsAtTheLemmasLowerBound) {
  for (const double c : {1.0, 2.0, 3.0, 7.0}) {
    const ValleyParameters parameters{-0.3, 0.5, c};
    const ValleyLoss loss = valley_loss(ValleyKind::kAsymmetric, parameters);
    EXPECT_EQ(loss.steepness, c);
    EXPECT_DOUBLE_EQ(loss.value(2.0), 1.0);
    EXPECT_DOUBLE_EQ(loss.value(-2.0), c);
    const std::vector<double> rhos{0.25, 0.5, 1.0};
    const ValleyCurves curves = valley_curves(loss, rhos, cli::Range{-2.0, 2.0, 4001}.values());
    ASSERT_EQ(curves.minima.size(), 1u) << c;
    EXPECT_NEAR(curves.minima[0].w, 0.0, 1e-8);
    for (size_t i = 0; i < rhos.size(); ++i) {
      ASSERT_EQ(curves.sam_minima[i].size(), 1u) << c << " " << rhos[i];
      const double w = curves.sam_minima[i][0].w;
      EXPECT_NEAR(w, (c - 1.0) / (c + 1.0) * rhos[i], 1e-8) << c << " " << rhos[i];
      EXPECT_LT(w, rhos[i]);
      // L̃ at its minimum: p(w̃ + ρ) = 2cpρ/(c+1).
      EXPECT_NEAR(curves.sam_minima[i][0].value, 0.5 * 2.0 * c * rhos[i] / (c + 1.0), 1e-8);
    }
  }
  EXPECT_THROW(valley_loss(ValleyKind::kAsymmetric, ValleyParameters{-0.3, 0.0, 3.0}), UsageError);
  EXPECT_THROW(valley_loss(ValleyKind::kAsymmetric, ValleyParameters{-0.3, 1.0, 0.5}), UsageError);
  EXPECT_EQ(cli::parse_valley_kind("asymmetric"), ValleyKind::kAsymmetric);
}

// 002 Fig. 3.2: L̃ over the disk against a brute-force maximum over a polar grid of the disk
// (interior included): never below it, and above it by at most the sampling error (angular step
// 2π/3600 on the circle, where the tangential derivative vanishes at the maximum: ½·|L″|ρ²h² with
// |L″| ≤ α²e^{|α|(|w|+ρ)} ≈ 0.3 here, ρ ≤ 2, h = 1.7e-3 → ≈ 2e-6).
TEST(Valley2d, SamObjectiveIsTheMaximumOverTheDisk) {
  Valley2dOptions o;
  o.alpha1 = -0.3;
  o.alpha2 = 0.5;
  for (const double rho : {0.5, 2.0}) {
    for (const auto& [a, b] :
         std::vector<std::pair<double, double>>{{0.0, 0.0}, {1.3, -0.7}, {-2.1, 0.4}}) {
      double sampled = -INFINITY;
      for (int i = 0; i <= 40; ++i) {
        const double r = rho * i / 40.0;
        for (int k = 0; k < 3600; ++k) {
          const double t = 2.0 * M_PI * k / 3600.0;
          sampled = std::max(sampled, valley2d_loss(o, a + r * std::cos(t), b + r * std::sin(t)));
        }
      }
      const double exact = valley2d_sam_objective(o, a, b, rho);
      EXPECT_GE(exact, sampled - 1e-12) << a << " " << b << " " << rho;
      EXPECT_LE(exact - sampled, 1e-5) << a << " " << b << " " << rho;
    }
  }
  EXPECT_DOUBLE_EQ(valley2d_sam_objective(o, 0.3, 0.2, 0.0), valley2d_loss(o, 0.3, 0.2));
}

// Theorem 3.3.2 per coordinate: α < 0 makes w > 0 the flat side, α > 0 makes w < 0 the flat side;
// the minimum of L̃ moves towards the flat side of both coordinates (diagonally), further for
// larger ρ, and with equal α it lies on the diagonal. It is a minimum: no grid point of L̃ is
// lower, nor is any point of a small ring around it.
TEST(Valley2d, MinimumMovesToTheFlatSideOfBothDirections) {
  Valley2dOptions o;
  o.rhos = {1.0, 2.0, 4.0};
  o.w1 = o.w2 = cli::Range{-8.0, 8.0, 81}.values();
  for (const double alpha2 : {-0.3, 0.3}) {
    o.alpha1 = -0.3;
    o.alpha2 = alpha2;
    const Valley2dResult r = valley2d(o);
    ASSERT_EQ(r.sam_minima.size(), 3u);
    double previous = 0.0;
    for (size_t i = 0; i < 3; ++i) {
      const Valley2dPoint& m = r.sam_minima[i];
      EXPECT_GT(m.w1, previous) << o.rhos[i];
      previous = m.w1;
      EXPECT_LT(m.w1, o.rhos[i]);
      if (alpha2 < 0.0) {
        EXPECT_NEAR(m.w2, m.w1, 1e-6) << "equal alphas: on the diagonal";
      } else {
        EXPECT_NEAR(m.w2, -m.w1, 1e-6) << "mirrored alpha: mirrored shift";
      }
      for (size_t k = 0; k < o.w1.size() * o.w2.size(); ++k)
        EXPECT_LE(m.value, r.sam[i * o.w1.size() * o.w2.size() + k] + 1e-12);
      for (int k = 0; k < 16; ++k) {
        const double t = 2.0 * M_PI * k / 16.0;
        EXPECT_LE(m.value, valley2d_sam_objective(o, m.w1 + 1e-3 * std::cos(t),
                                                  m.w2 + 1e-3 * std::sin(t), o.rhos[i]) +
                               1e-12);
      }
    }
  }
  // The minimum at ρ = 4 is near (0.62, 0.62): a box that stops at 0.5 cannot hold it.
  o.w1 = o.w2 = cli::Range{-2.0, 0.5, 11}.values();
  EXPECT_THROW(valley2d(o), UsageError);
  o.alpha1 = 0.0;
  EXPECT_THROW(valley2d(o), UsageError);
}

}  // namespace
}  // namespace sharpscope
